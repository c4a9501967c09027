//! SQS sources (and S3 / scheduled sources, which a self-managed service
//! reads through an SQS queue): messages are sent to the queue, received by
//! idle workers through long polling (at once), deleted on success, and
//! returned after their visibility timeout otherwise; after
//! `maxReceiveCount` receives they go to the dead-letter queue.

use super::workers::{Outcome, Work};
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::billing::usage::sqs_request_units;
use crate::engine::defaults::MAX_WAITING_EVENTS;
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::SourceKind;
use crate::engine::slots::store;
use crate::engine::sqs::{Msg, SqsQueue};
use crate::engine::time::SimTime;

/// A message waiting out its visibility timeout.
#[derive(Clone, Copy, Debug)]
pub(super) struct Returning {
    pub(super) source: u16,
    pub(super) msg: Msg,
    pub(super) timed_out: bool,
    pub(super) live: bool,
}

impl Ec2Side {
    /// A message arrives from queued source `source` of `kind`: it is sent
    /// to the source's queue (or dropped past the engine's waiting limit)
    /// and idle workers receive it.
    pub(super) fn on_message<E: From<Ec2Event>>(
        &mut self,
        source: u16,
        kind: SourceKind,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let source_index = source as usize;
        if kind == SourceKind::S3 {
            self.s3_put_requests += 1;
        }
        if self.counters.waiting >= MAX_WAITING_EVENTS {
            self.counters.dropped += 1;
            self.counters.overflow += 1;
            self.per_source[source_index].dropped += 1;
            ctx.log(HappeningKind::Dropped, Some(source), None);
            return;
        }
        let Some(queue) = self.queues[source_index].as_mut() else {
            return;
        };
        queue.send(ctx.now);
        self.sqs_requests += sqs_request_units(queue.payload_bytes);
        self.set_waiting(ctx.now, 1, true);
        self.dispatch_sqs(ctx);
    }

    /// A worker is done with a message: deleted on success, otherwise
    /// left to return after its visibility timeout.
    pub(super) fn finish_message<E: From<Ec2Event>>(
        &mut self,
        outcome: Outcome,
        source: u16,
        msg: Msg,
        received: SimTime,
        id: u64,
        ctx: &mut Ec2Ctx<E>,
    ) {
        match outcome {
            Outcome::Success => {
                // DeleteMessage.
                self.sqs_requests += 1;
                self.counters.succeeded += 1;
                self.per_source[source as usize].succeeded += 1;
                self.latency.record(ctx.now.since(msg.sent).as_micros());
                ctx.log(HappeningKind::Succeeded, Some(source), Some(id));
            }
            failure => {
                let timed_out = failure == Outcome::Timeout;
                if timed_out {
                    self.counters.timeouts += 1;
                } else {
                    self.counters.errors += 1;
                }
                ctx.log(
                    if timed_out {
                        HappeningKind::TimedOut
                    } else {
                        HappeningKind::Errored
                    },
                    Some(source),
                    Some(id),
                );
                self.return_message(source, msg, received, timed_out, ctx);
            }
        }
    }

    /// A received message was not deleted: it becomes visible again after
    /// its visibility timeout (counted as waiting meanwhile).
    pub(super) fn return_message<E: From<Ec2Event>>(
        &mut self,
        source: u16,
        msg: Msg,
        received: SimTime,
        timed_out: bool,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let now = ctx.now;
        let Some(queue) = self.queues[source as usize].as_mut() else {
            return;
        };
        queue.invisible += 1;
        let at = queue.visible_again_at(received, now);
        self.set_waiting(now, 1, true);
        let returning = Returning {
            source,
            msg,
            timed_out,
            live: true,
        };
        let slot = store(
            &mut self.returning,
            &mut self.free_returning_slots,
            returning,
            |_, returning| returning,
        );
        ctx.at(at, Ec2Event::Visible { slot });
    }

    /// A returned message becomes visible again, or goes to the DLQ after
    /// its last receive.
    pub(super) fn on_visible<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(returning) = self.returning.get(slot as usize).copied() else {
            return;
        };
        if !returning.live {
            return;
        }
        self.returning[slot as usize].live = false;
        self.free_returning_slots.push(slot);
        let now = ctx.now;
        let Some(queue) = self.queues[returning.source as usize].as_mut() else {
            return;
        };
        let to_dlq = queue.make_visible(&[returning.msg]);
        if to_dlq > 0 {
            self.set_waiting(now, 1, false);
            self.counters.to_dlq += 1;
            let outcomes = &mut self.per_source[returning.source as usize];
            if returning.timed_out {
                self.counters.timed_out += 1;
                outcomes.timed_out += 1;
            } else {
                self.counters.failed += 1;
                outcomes.failed += 1;
            }
            self.latency
                .record(now.since(returning.msg.sent).as_micros());
            ctx.log(HappeningKind::ToDlq, Some(returning.source), None);
        }
        self.dispatch_sqs(ctx);
    }

    /// Idle workers receive waiting messages (long polling: at once).
    pub(super) fn dispatch_sqs<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        while let Some(&slot) = self.pullable.first() {
            if !self.pull(slot, ctx) {
                break;
            }
        }
    }

    /// One worker of `slot` receives one message, polling the queues in
    /// turn; false when every queue is empty.
    pub(super) fn pull<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) -> bool {
        let now = ctx.now;
        let queue_count = self.sqs_sources.len();
        // Reused across receives: no allocation per message.
        let mut received = std::mem::take(&mut self.receive_buffer);
        for offset in 0..queue_count {
            let index = (self.next_sqs_source + offset) % queue_count;
            let source = self.sqs_sources[index];
            let Some(queue) = self.queues[source as usize].as_mut() else {
                continue;
            };
            if queue.visible_len() == 0 {
                continue;
            }
            received.clear();
            let expired = queue.take(now, 1, &mut received);
            let first = received.first().copied();
            let units = sqs_request_units(queue.payload_bytes);
            if expired > 0 {
                self.counters.expired_by_retention += expired;
                self.counters.dropped += expired;
                self.per_source[source as usize].dropped += expired;
                self.set_waiting(now, expired, false);
                ctx.log(HappeningKind::Dropped, Some(source), None);
            }
            let Some(mut msg) = first else {
                continue;
            };
            self.next_sqs_source = (index + 1) % queue_count;
            let redelivered = SqsQueue::commit_receive(std::slice::from_mut(&mut msg));
            self.counters.redeliveries += redelivered;
            if redelivered == 0 {
                self.record_wait(now.since(msg.sent));
            } else {
                self.counters.retries += 1;
            }
            // ReceiveMessage.
            self.sqs_requests += units;
            self.set_waiting(now, 1, false);
            self.counters.in_flight += 1;
            self.start_work(
                slot,
                Work::Msg {
                    source,
                    msg,
                    received: now,
                },
                ctx,
            );
            self.receive_buffer = received;
            return true;
        }
        self.receive_buffer = received;
        false
    }
}
