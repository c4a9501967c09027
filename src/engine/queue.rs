//! The event queue: a priority queue of events ordered by time, first in,
//! first out among events at the same instant.
//!
//! FIFO among equal times makes a run independent of the heap's internal
//! order, which is what keeps a seed's replay identical everywhere.
//!
//! ```
//! use fanout::engine::queue::EventQueue;
//! use fanout::engine::time::{SimDuration, SimTime};
//! let mut q = EventQueue::new();
//! q.schedule(SimTime::ZERO + SimDuration::from_secs(2), "late").unwrap();
//! q.schedule(SimTime::ZERO + SimDuration::from_secs(1), "early").unwrap();
//! assert_eq!(q.pop().map(|(_, e)| e), Some("early"));
//! ```

use super::time::SimTime;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use thiserror::Error;

/// Why an event could not be scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// The event's time is before the queue's current time.
    #[error("cannot schedule an event at {at}: simulation time is already {now}")]
    InPast { at: SimTime, now: SimTime },
}

struct Entry<E> {
    at: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A time-ordered queue of pending events. Popping an event advances the
/// queue's clock ([`EventQueue::now`]) to that event's time.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
    now: SimTime,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// The time of the last popped event (or of the last [`EventQueue::advance_to`]).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`. Events at the same time come out in the
    /// order they were scheduled. Scheduling before [`EventQueue::now`] is an error.
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InPast { at, now: self.now });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { at, seq, event }));
        Ok(())
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse(e)| e.at)
    }

    /// Removes the earliest event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Reverse(entry) = self.heap.pop()?;
        self.now = entry.at;
        Some((entry.at, entry.event))
    }

    /// Pops the earliest event only if it is at or before `deadline`.
    pub fn pop_until(&mut self, deadline: SimTime) -> Option<(SimTime, E)> {
        match self.peek_time() {
            Some(t) if t <= deadline => self.pop(),
            _ => None,
        }
    }

    /// Moves the clock forward to `t` (no-op if `t` is not later than now).
    /// Events still pending before `t` stay pending; call it after draining.
    pub fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimDuration;

    fn t(us: u64) -> SimTime {
        SimTime::from_micros(us)
    }

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        for (at, e) in [(30, 'c'), (10, 'a'), (20, 'b')] {
            q.schedule(t(at), e).unwrap();
        }
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c']);
        assert_eq!(q.now(), t(30));
    }

    #[test]
    fn fifo_among_equal_times() {
        let mut q = EventQueue::new();
        for i in 0..1_000u32 {
            q.schedule(t(u64::from(i % 3)), i).unwrap();
        }
        let mut last: Option<(SimTime, u32)> = None;
        while let Some((at, i)) = q.pop() {
            if let Some((lat, li)) = last {
                assert!(
                    lat < at || (lat == at && li < i),
                    "{lat:?}/{li} then {at:?}/{i}"
                );
            }
            last = Some((at, i));
        }
    }

    #[test]
    fn scheduling_in_the_past_is_a_typed_error() {
        let mut q = EventQueue::new();
        q.schedule(t(100), ()).unwrap();
        q.pop();
        let err = q.schedule(t(99), ()).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::InPast {
                at: t(99),
                now: t(100)
            }
        );
        assert!(err.to_string().contains("already"));
        // The present itself is allowed.
        q.schedule(t(100), ()).unwrap();
    }

    #[test]
    fn pop_until_respects_deadline_and_advance_moves_clock() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::ZERO + SimDuration::from_secs(5), 5)
            .unwrap();
        assert_eq!(q.pop_until(SimTime::ZERO + SimDuration::from_secs(4)), None);
        q.advance_to(SimTime::ZERO + SimDuration::from_secs(4));
        assert_eq!(q.now().as_micros(), 4_000_000);
        q.advance_to(SimTime::ZERO);
        assert_eq!(q.now().as_micros(), 4_000_000, "advance never goes back");
        assert_eq!(
            q.pop_until(SimTime::ZERO + SimDuration::from_secs(5))
                .map(|x| x.1),
            Some(5)
        );
        assert!(q.is_empty());
    }
}
