//! The event queue: a priority queue of events ordered by time, first in,
//! first out among events at the same instant.
//!
//! FIFO among equal times makes a run independent of the queue's internal
//! layout, which is what keeps a seed's replay identical everywhere.
//!
//! Inside, a hierarchical timing wheel at microsecond resolution: eleven
//! levels of 64 slots, level `L` slot `s` holding the events whose time
//! first differs from the wheel's cursor in base-64 digit `L`, where that
//! digit is `s`. Scheduling appends to one slot's list (O(1)); the earliest
//! event is in the lowest occupied slot of the lowest occupied level, found
//! with two trailing-zero counts; a slot is spread one level down
//! ("cascaded") only when it becomes the earliest and holds more than one
//! event. An event moves at most once per level, so the cost per event does
//! not grow with the number of pending events (a binary heap's did, as
//! log2 of ~4,000 pending at 1,000 req/s). Lists keep their order through
//! every cascade and a cascade only ever fills empty lower levels, so
//! events at the same instant still come out in the order they were
//! scheduled, as they did from the heap with its sequence numbers.
//!
//! ```
//! use fanout::engine::EventQueue;
//! use fanout::engine::{SimDuration, SimTime};
//! let mut q = EventQueue::new();
//! q.schedule(SimTime::ZERO + SimDuration::from_secs(2), "late").unwrap();
//! q.schedule(SimTime::ZERO + SimDuration::from_secs(1), "early").unwrap();
//! assert_eq!(q.pop().map(|(_, e)| e), Some("early"));
//! ```

use super::time::SimTime;
use thiserror::Error;

/// Why an event could not be scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// The event's time is before the queue's current time.
    #[error("cannot schedule an event at {at}: simulation time is already {now}")]
    InPast { at: SimTime, now: SimTime },
}

/// Bits of time per level (64 slots).
const DIGIT_BITS: u32 = 6;
/// Slots per level.
const SLOTS: usize = 1 << DIGIT_BITS;
/// Levels that cover a u64 of microseconds (the last one only partly).
const LEVELS: usize = 64_usize.div_ceil(DIGIT_BITS as usize);
/// (level, level × [`DIGIT_BITS`]) of an event whose time first differs
/// from the cursor in bit `63 - lz`, by `lz`.
const LEVEL_BY_LZ: [(u8, u8); 64] = {
    let mut table = [(0, 0); 64];
    let mut lz = 0;
    while lz < 64 {
        let level = (63 - lz as u32) / DIGIT_BITS;
        table[lz] = (level as u8, (level * DIGIT_BITS) as u8);
        lz += 1;
    }
    table
};
/// No node (the end of a list).
const NIL: u32 = u32::MAX;

/// A node of the arena: a pending event, its time, and the next node of
/// its slot's list (or of the free list). All in one place: popping an
/// event scheduled seconds ago finds it cold, and the cascades before it
/// have just brought its line in. For the loop's events (12 bytes) a node
/// is 32 bytes, aligned to 32, so none straddles two cache lines.
#[repr(align(32))]
struct Node<E> {
    at: u64,
    next: u32,
    /// None for a free node.
    event: Option<E>,
}

/// The wheel's slot tables (boxed so the queue itself moves cheaply).
struct Wheel {
    /// First and last node of each slot's list.
    head: [[u32; SLOTS]; LEVELS],
    tail: [[u32; SLOTS]; LEVELS],
    /// The earliest time in each slot [µs], valid while it is occupied.
    earliest: [[u64; SLOTS]; LEVELS],
    /// Occupied slots of each level, one bit per slot.
    occupied: [u64; LEVELS],
}

/// A time-ordered queue of pending events. Popping an event advances the
/// queue's clock ([`EventQueue::now`]) to that event's time.
pub struct EventQueue<E> {
    wheel: Box<Wheel>,
    nodes: Vec<Node<E>>,
    /// Head of the list of free nodes.
    free: u32,
    /// Occupied levels, one bit per level.
    levels: u16,
    /// The wheel's cursor [µs]: no pending event is before it, and it is
    /// never after `now`, so a new event never lands behind it.
    cursor: u64,
    /// The time of the earliest pending event [µs] (`u64::MAX` if none),
    /// kept up to date so that the loop's look at it is one load: that
    /// comparison decides every step, and its inputs come straight from
    /// the latest draw instead of through the wheel's tables.
    next_at: u64,
    len: usize,
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
            wheel: Box::new(Wheel {
                head: [[NIL; SLOTS]; LEVELS],
                tail: [[NIL; SLOTS]; LEVELS],
                earliest: [[0; SLOTS]; LEVELS],
                occupied: [0; LEVELS],
            }),
            nodes: Vec::new(),
            free: NIL,
            levels: 0,
            cursor: 0,
            next_at: u64::MAX,
            len: 0,
            now: SimTime::ZERO,
        }
    }

    /// The time of the last popped event (or of the last [`EventQueue::advance_to`]).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`. Events at the same time come out in the
    /// order they were scheduled. Scheduling before [`EventQueue::now`] is an error.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InPast { at, now: self.now });
        }
        let at = at.as_micros();
        let node = Node {
            at,
            next: NIL,
            event: Some(event),
        };
        let index = if self.free == NIL {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        } else {
            let index = self.free;
            self.free = self.nodes[index as usize].next;
            self.nodes[index as usize] = node;
            index
        };
        self.len += 1;
        self.next_at = self.next_at.min(at);
        self.link(index, at);
        Ok(())
    }

    /// Appends node `index` (time `at`, not before the cursor) to the list
    /// of its slot.
    #[inline]
    fn link(&mut self, index: u32, at: u64) {
        // The level of the highest digit where `at` differs from the
        // cursor (level 0 if none: `| 1`), by table.
        let lz = ((at ^ self.cursor) | 1).leading_zeros() as usize;
        let (level, shift) = LEVEL_BY_LZ[lz & 63];
        let (level, slot) = (level as usize, ((at >> shift) as usize) & (SLOTS - 1));
        let wheel = &mut *self.wheel;
        let tail = wheel.tail[level][slot];
        if tail == NIL {
            wheel.head[level][slot] = index;
            wheel.earliest[level][slot] = at;
            wheel.occupied[level] |= 1 << slot;
            self.levels |= 1 << level;
        } else {
            self.nodes[tail as usize].next = index;
            let earliest = &mut wheel.earliest[level][slot];
            *earliest = (*earliest).min(at);
        }
        wheel.tail[level][slot] = index;
        self.nodes[index as usize].next = NIL;
    }

    /// The lowest occupied (level, slot): where the earliest event is.
    #[inline]
    fn first_slot(&self) -> Option<(usize, usize)> {
        if self.levels == 0 {
            return None;
        }
        let level = self.levels.trailing_zeros() as usize;
        let slot = self.wheel.occupied[level].trailing_zeros() as usize;
        Some((level, slot))
    }

    /// The time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        (self.len > 0).then_some(SimTime::from_micros(self.next_at))
    }

    /// Empties a slot's list, returning its first node.
    #[inline]
    fn take_list(&mut self, level: usize, slot: usize) -> u32 {
        let wheel = &mut *self.wheel;
        let head = wheel.head[level][slot];
        wheel.head[level][slot] = NIL;
        wheel.tail[level][slot] = NIL;
        wheel.occupied[level] &= !(1 << slot);
        if wheel.occupied[level] == 0 {
            self.levels &= !(1 << level);
        }
        head
    }

    /// Removes the earliest event and advances the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            let (level, slot) = self.first_slot()?;
            let head = self.wheel.head[level][slot];
            let single = head == self.wheel.tail[level][slot];
            if level == 0 || single {
                // Every event of a level-0 slot is at the same instant; a
                // lone event is its slot's earliest. Either way the first
                // in the list comes out, and the cursor may jump to it:
                // nothing else is pending below it.
                let node = &mut self.nodes[head as usize];
                let (at, next) = (node.at, node.next);
                node.next = self.free;
                let event = node.event.take();
                self.free = head;
                if next == NIL {
                    self.take_list(level, slot);
                    self.next_at = match self.first_slot() {
                        Some((level, slot)) => self.wheel.earliest[level][slot],
                        None => u64::MAX,
                    };
                } else {
                    // The rest of a level-0 slot: the same instant.
                    self.wheel.head[level][slot] = next;
                }
                self.len -= 1;
                self.cursor = at;
                self.now = SimTime::from_micros(at);
                return event.map(|e| (self.now, e));
            }
            // Move the cursor to the slot's start and spread its list one
            // level down or more, in order (the lower levels are empty).
            let mut index = self.take_list(level, slot);
            let shift = DIGIT_BITS * level as u32;
            let above = shift + DIGIT_BITS;
            let prefix = if above >= 64 {
                0
            } else {
                (self.cursor >> above) << above
            };
            self.cursor = prefix | ((slot as u64) << shift);
            while index != NIL {
                let Node { at, next, .. } = self.nodes[index as usize];
                self.link(index, at);
                index = next;
            }
        }
    }

    /// Pops the earliest event only if it is at or before `deadline`.
    #[inline]
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
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimDuration;

    fn t(us: u64) -> SimTime {
        SimTime::from_micros(us)
    }

    /// A node of an event of up to 16 bytes (the loop's is, as
    /// `sim::event` checks) is half a cache line and never straddles two.
    #[test]
    fn a_node_is_half_a_cache_line() {
        type N = Node<[u32; 4]>;
        assert_eq!(std::mem::size_of::<N>(), 32);
        assert_eq!(std::mem::align_of::<N>(), 32);
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

    /// The queue as it was before the timing wheel: a binary heap of
    /// (time, sequence), the model every order is checked against.
    #[derive(Default)]
    struct Model {
        heap: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u64, u32)>>,
        seq: u64,
        now: u64,
    }

    impl Model {
        fn schedule(&mut self, at: u64, e: u32) -> bool {
            if at < self.now {
                return false;
            }
            self.heap.push(std::cmp::Reverse((at, self.seq, e)));
            self.seq += 1;
            true
        }
        fn peek(&self) -> Option<u64> {
            self.heap.peek().map(|r| r.0 .0)
        }
        fn pop(&mut self) -> Option<(u64, u32)> {
            let std::cmp::Reverse((at, _, e)) = self.heap.pop()?;
            self.now = at;
            Some((at, e))
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Schedule at now + offset (offsets of every scale, many equal).
        Schedule(u64),
        Pop,
        PopUntil(u64),
        Advance(u64),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        let offset = prop_oneof![
            Just(0u64),
            0u64..4,
            0u64..100,
            0u64..5_000,
            0u64..3_000_000,
            (0u32..64).prop_map(|b| 1u64 << b),
            (0u32..64, 0u64..3).prop_map(|(b, k)| (1u64 << b).wrapping_sub(k)),
            Just(600_000_000u64),
            Just(u64::MAX),
        ];
        prop_oneof![
            4 => offset.prop_map(Op::Schedule),
            3 => Just(Op::Pop),
            1 => (0u64..10_000_000).prop_map(Op::PopUntil),
            1 => (0u64..10_000_000).prop_map(Op::Advance),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]
        /// Any sequence of operations gives the same events in the same
        /// order, at the same times, as the heap it replaced.
        #[test]
        fn same_order_as_a_heap(ops in proptest::collection::vec(op(), 1..600)) {
            let mut q = EventQueue::new();
            let mut m = Model::default();
            for (i, o) in ops.into_iter().enumerate() {
                let i = i as u32;
                match o {
                    Op::Schedule(off) => {
                        let at = m.now.saturating_add(off);
                        let ok = q.schedule(t(at), i).is_ok();
                        proptest::prop_assert_eq!(ok, m.schedule(at, i));
                    }
                    Op::Pop => {
                        let got = q.pop().map(|(at, e)| (at.as_micros(), e));
                        proptest::prop_assert_eq!(got, m.pop());
                    }
                    Op::PopUntil(off) => {
                        let deadline = m.now.saturating_add(off);
                        let want = match m.peek() {
                            Some(at) if at <= deadline => m.pop(),
                            _ => None,
                        };
                        let got = q.pop_until(t(deadline)).map(|(at, e)| (at.as_micros(), e));
                        proptest::prop_assert_eq!(got, want);
                    }
                    Op::Advance(off) => {
                        // As the simulation does: only up to the next event.
                        let to = m.now.saturating_add(off).min(m.peek().unwrap_or(u64::MAX));
                        q.advance_to(t(to));
                        m.now = m.now.max(to);
                    }
                }
                proptest::prop_assert_eq!(q.peek_time().map(SimTime::as_micros), m.peek());
                proptest::prop_assert_eq!(q.len(), m.heap.len());
                proptest::prop_assert_eq!(q.now().as_micros(), m.now);
            }
            while let Some(want) = m.pop() {
                proptest::prop_assert_eq!(q.pop().map(|(at, e)| (at.as_micros(), e)), Some(want));
            }
            proptest::prop_assert!(q.is_empty() && q.pop().is_none());
        }
    }

    /// Events at one far instant cascade down together into one level-0
    /// slot and leave it one by one, with other events scheduled between.
    #[test]
    fn equal_far_times_cascade_together() {
        let mut q = EventQueue::new();
        let mut m = Model::default();
        let mut n = 0u32;
        for far in [600_000_123u64, 7, 1 << 40, 64 * 64 * 64 + 5] {
            for _ in 0..4 {
                let at = m.now + far;
                q.schedule(t(at), n).unwrap();
                m.schedule(at, n);
                n += 1;
            }
            for _ in 0..3 {
                assert_eq!(q.pop().map(|(at, e)| (at.as_micros(), e)), m.pop());
                let at = m.now + 1;
                q.schedule(t(at), n).unwrap();
                m.schedule(at, n);
                n += 1;
                assert_eq!(q.peek_time().map(SimTime::as_micros), m.peek());
            }
        }
        while let Some(want) = m.pop() {
            assert_eq!(q.pop().map(|(at, e)| (at.as_micros(), e)), Some(want));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn many_events_come_out_as_from_the_heap() {
        // The shape of the SimFaaS load: ~2,000 pending ends about 2 s
        // ahead, keep-alive expiries 600 s ahead, many at equal times.
        let mut q = EventQueue::new();
        let mut m = Model::default();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..300_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let off = match x % 8 {
                0 => 600_000_000,
                1 => 0,
                _ => (x >> 8) % 4_000_000,
            };
            if m.heap.len() < 2_000 || x % 2 == 0 {
                q.schedule(t(m.now + off), i).unwrap();
                m.schedule(m.now + off, i);
            } else {
                assert_eq!(q.pop().map(|(at, e)| (at.as_micros(), e)), m.pop());
            }
        }
        while let Some(want) = m.pop() {
            assert_eq!(q.pop().map(|(at, e)| (at.as_micros(), e)), Some(want));
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
