//! An SQS standard queue: visible messages, messages invisible after a
//! receive (until they are deleted or their visibility timeout runs out),
//! receive counts for the redrive policy, and retention.
//!
//! A message goes to the dead-letter queue when its visibility timeout
//! runs out after its `maxReceiveCount`-th receive, whatever ended that
//! receive: a function error, a timeout, or an invoke that was throttled
//! and never ran (see [`Msg::throttled`]).
//!
//! It knows nothing of Lambda, so a fleet of EC2 workers can read the same
//! kind of queue; the Lambda event source mapping lives in `lambda`.

use super::time::{SimDuration, SimTime};
use std::collections::VecDeque;

/// One message [16 bytes].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    /// When it was sent.
    pub sent: SimTime,
    /// How many times it has been received.
    pub receives: u32,
    /// Whether its last receive ended without an invoke (the Lambda
    /// pollers were throttled until the visibility timeout ran out), so
    /// that redeliveries and dead-letter arrivals caused by throttling can
    /// be told from those caused by errors.
    pub throttled: bool,
}

/// The queue of one SQS source.
#[derive(Debug)]
pub struct SqsQueue {
    visible: VecDeque<Msg>,
    /// Messages received and not yet visible again: a batch that failed,
    /// or one the Lambda pollers hold while its invoke is throttled
    /// (messages being processed are counted by their consumer).
    pub invisible: u64,
    /// Retention: older messages are deleted.
    pub retention: SimDuration,
    /// Visibility timeout.
    pub visibility: SimDuration,
    /// Redrive policy: receives after which a failing message goes to the DLQ.
    pub max_receive_count: Option<u32>,
    /// Payload of each message [bytes].
    pub payload_bytes: u64,
}

impl SqsQueue {
    pub fn new(
        retention: SimDuration,
        visibility: SimDuration,
        max_receive_count: Option<u32>,
        payload_bytes: u64,
    ) -> Self {
        SqsQueue {
            visible: VecDeque::new(),
            invisible: 0,
            retention,
            visibility,
            max_receive_count,
            payload_bytes,
        }
    }

    /// Messages that can be received now.
    pub fn visible_len(&self) -> u64 {
        self.visible.len() as u64
    }

    /// When the oldest visible message was sent.
    pub fn oldest_sent(&self) -> Option<SimTime> {
        self.visible.front().map(|m| m.sent)
    }

    pub fn send(&mut self, at: SimTime) {
        self.visible.push_back(Msg {
            sent: at,
            receives: 0,
            throttled: false,
        });
    }

    /// Takes up to `max` messages still within retention into `out`
    /// (receive counts unchanged until [`SqsQueue::commit_receive`]);
    /// returns how many were deleted by retention on the way.
    pub fn take(&mut self, now: SimTime, max: usize, out: &mut Vec<Msg>) -> u64 {
        let mut expired = 0;
        while out.len() < max {
            let Some(m) = self.visible.pop_front() else {
                break;
            };
            if now.since(m.sent) > self.retention {
                expired += 1;
            } else {
                out.push(m);
            }
        }
        expired
    }

    /// Redeliveries among taken messages whose last receive ended
    /// throttled (call before [`SqsQueue::commit_receive`]).
    pub fn throttled_redeliveries(msgs: &[Msg]) -> u64 {
        msgs.iter()
            .filter(|m| m.receives > 0 && m.throttled)
            .count() as u64
    }

    /// Marks messages as returned without an invoke (throttled).
    pub fn mark_throttled(msgs: &mut [Msg], throttled: bool) {
        for m in msgs {
            m.throttled = throttled;
        }
    }

    /// The most messages of `payload_bytes` each that fit a batch of at
    /// most `max_batch_bytes` (at least one).
    pub fn messages_per_batch(payload_bytes: u64, max_batch_bytes: u64) -> usize {
        (max_batch_bytes / payload_bytes.max(1)).clamp(1, usize::MAX as u64) as usize
    }

    /// Counts the receive of taken messages; returns how many were redeliveries.
    pub fn commit_receive(msgs: &mut [Msg]) -> u64 {
        let mut redelivered = 0;
        for m in msgs {
            if m.receives > 0 {
                redelivered += 1;
            }
            m.receives = m.receives.saturating_add(1);
        }
        redelivered
    }

    /// When messages received at `received` become visible again after a
    /// failure noticed at `now`.
    pub fn visible_again_at(&self, received: SimTime, now: SimTime) -> SimTime {
        (received + self.visibility).max(now)
    }

    /// Returns failed messages to the queue once their visibility timeout
    /// passed; those over `max_receive_count` are not returned. Returns how
    /// many went to the dead-letter queue.
    pub fn make_visible(&mut self, msgs: &[Msg]) -> u64 {
        let mut dlq = 0;
        self.invisible = self.invisible.saturating_sub(msgs.len() as u64);
        for m in msgs {
            match self.max_receive_count {
                Some(max) if m.receives >= max => dlq += 1,
                _ => self.visible.push_back(*m),
            }
        }
        dlq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(max: Option<u32>) -> SqsQueue {
        SqsQueue::new(
            SimDuration::from_secs(100),
            SimDuration::from_secs(30),
            max,
            1_024,
        )
    }

    #[test]
    fn retention_deletes_old_messages() {
        let mut q = q(None);
        q.send(SimTime::ZERO);
        q.send(SimTime::ZERO + SimDuration::from_secs(50));
        let mut out = Vec::new();
        let expired = q.take(SimTime::ZERO + SimDuration::from_secs(120), 10, &mut out);
        assert_eq!((expired, out.len()), (1, 1));
    }

    #[test]
    fn redrive_after_max_receives() {
        let mut q = q(Some(2));
        q.send(SimTime::ZERO);
        for round in 0..2 {
            let mut out = Vec::new();
            q.take(SimTime::ZERO, 10, &mut out);
            assert_eq!(out.len(), 1);
            assert_eq!(SqsQueue::commit_receive(&mut out), round);
            q.invisible += 1;
            let dlq = q.make_visible(&out);
            assert_eq!(dlq, round, "round {round}");
        }
        assert_eq!(q.visible_len(), 0);
        assert_eq!(q.invisible, 0);
    }

    #[test]
    fn a_throttled_receive_counts_towards_the_redrive_policy() {
        let mut q = q(Some(2));
        q.send(SimTime::ZERO);
        let mut out = Vec::new();
        q.take(SimTime::ZERO, 10, &mut out);
        assert_eq!(SqsQueue::throttled_redeliveries(&out), 0);
        SqsQueue::commit_receive(&mut out);
        SqsQueue::mark_throttled(&mut out, true);
        q.invisible += 1;
        assert_eq!(q.make_visible(&out), 0);
        let mut again = Vec::new();
        q.take(SimTime::ZERO, 10, &mut again);
        assert_eq!(SqsQueue::throttled_redeliveries(&again), 1);
        SqsQueue::commit_receive(&mut again);
        q.invisible += 1;
        assert_eq!(q.make_visible(&again), 1);
    }

    #[test]
    fn batches_stop_at_the_payload_limit() {
        let six_mb = 6_144 * 1_024;
        assert_eq!(SqsQueue::messages_per_batch(1_024 * 1_024, six_mb), 6);
        assert_eq!(SqsQueue::messages_per_batch(100 * 1_024, six_mb), 61);
        assert_eq!(SqsQueue::messages_per_batch(10 * six_mb, six_mb), 1);
    }

    #[test]
    fn take_keeps_order_and_visibility_runs_from_the_receive() {
        let mut q = q(None);
        for s in 0..3 {
            q.send(SimTime::ZERO + SimDuration::from_secs(s));
        }
        let mut out = Vec::new();
        q.take(SimTime::ZERO + SimDuration::from_secs(5), 2, &mut out);
        assert_eq!(out[0].sent, SimTime::ZERO);
        assert_eq!(q.visible_len(), 1);
        assert_eq!(
            q.visible_again_at(SimTime::ZERO, SimTime::ZERO + SimDuration::from_secs(40)),
            SimTime::ZERO + SimDuration::from_secs(40)
        );
    }
}
