//! The SQS event source mapping: pollers read each SQS source's queue in
//! batches (waiting up to the batching window for a full one), invoke the
//! function once per batch, and scale the number of concurrent batches up
//! while a backlog lasts (and back down without one). A failed batch
//! becomes visible again after the visibility timeout; a message received
//! `maxReceiveCount` times goes to the dead-letter queue.

use super::environments::{Job, Outcome};
use super::{payload_bytes, LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::billing::usage::sqs_request_units;
use crate::engine::defaults::{
    SQS_BATCHES_PER_MINUTE, SQS_INITIAL_BATCHES, SQS_MAX_BATCHES, SQS_POLL_DELAY_US,
    SQS_SCALE_TICK_S, SQS_THROTTLE_BACKOFF_S,
};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::{Source, SourceKind};
use crate::engine::sqs::{Msg, SqsQueue};
use crate::engine::time::{SimDuration, SimTime};

/// A batch of messages received together.
#[derive(Debug)]
pub(super) struct Batch {
    pub(super) source: u16,
    pub(super) received: SimTime,
    pub(super) msgs: Vec<Msg>,
    /// Whether the batch's last failure was a timeout (else an error).
    pub(super) last_timeout: bool,
}

/// The event source mapping of one SQS source: its queue and pollers.
#[derive(Debug)]
pub(super) struct EventSourceMapping {
    pub(super) queue: SqsQueue,
    batch_size: usize,
    /// Batching window: how long to wait for a full batch.
    window: SimDuration,
    /// Concurrent batches allowed now [batches].
    pub(super) limit: u32,
    /// The most concurrent batches (maximum concurrency) [batches].
    max_limit: u32,
    in_flight_batches: u32,
    /// When the current batching window opened.
    window_start: Option<SimTime>,
    /// When a poll is scheduled, if one is.
    poll_at: Option<SimTime>,
    /// Whether a scaling tick is scheduled.
    scale_pending: bool,
}

impl EventSourceMapping {
    /// The mapping of `source` if it is an SQS source.
    pub(super) fn for_source(source: &Source) -> Option<EventSourceMapping> {
        if source.kind != SourceKind::Sqs {
            return None;
        }
        let secs = SimDuration::from_secs_f64;
        let config = source.sqs.clone().unwrap_or_default();
        let max_limit = config
            .maximum_concurrency
            .unwrap_or(SQS_MAX_BATCHES)
            .min(SQS_MAX_BATCHES);
        Some(EventSourceMapping {
            queue: SqsQueue::new(
                secs(config.retention_s),
                secs(config.visibility_timeout_s),
                config.max_receive_count,
                payload_bytes(source.payload_kb),
            ),
            batch_size: config.batch_size.max(1) as usize,
            window: secs(config.batching_window_s),
            limit: SQS_INITIAL_BATCHES.min(max_limit),
            max_limit,
            in_flight_batches: 0,
            window_start: None,
            poll_at: None,
            scale_pending: false,
        })
    }
}

impl LambdaSide {
    /// A message is sent to the queue of `source`; the pollers look a
    /// moment later.
    pub(super) fn sqs_arrival<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        self.add_waiting(ctx.now, 1);
        let Some(mapping) = self.mappings[source as usize].as_mut() else {
            return;
        };
        mapping.queue.send(ctx.now);
        self.billable.sqs_requests += sqs_request_units(mapping.queue.payload_bytes);
        // Poll a moment later, so messages sent at the same instant
        // share a batch.
        let at = ctx.now + SimDuration::from_micros(SQS_POLL_DELAY_US);
        if mapping.poll_at.is_none_or(|t| t > at) {
            mapping.poll_at = Some(at);
            ctx.schedule(at, LambdaEvent::SqsPoll { source });
        }
    }

    /// A scheduled poll of the queue of `source`.
    pub(super) fn on_sqs_poll<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        if let Some(Some(mapping)) = self.mappings.get_mut(source as usize) {
            if mapping.poll_at.is_some_and(|t| t <= ctx.now) {
                mapping.poll_at = None;
            }
        }
        self.sqs_dispatch(source, ctx);
    }

    /// Lets every SQS mapping with waiting messages try again (concurrency
    /// was freed).
    pub(super) fn wake_pollers<E: From<LambdaEvent>>(&mut self, ctx: &mut LambdaCtx<'_, E>) {
        for i in 0..self.sqs_sources.len() {
            let source = self.sqs_sources[i];
            let has_backlog = self.mappings[source as usize]
                .as_ref()
                .is_some_and(|mapping| mapping.queue.visible_len() > 0);
            if has_backlog {
                self.sqs_dispatch(source, ctx);
            }
        }
    }

    /// Invokes batches from the queue of `source` while messages, batch
    /// slots and concurrency allow.
    fn sqs_dispatch<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) {
        loop {
            if !self.batch_due(source, ctx) {
                return;
            }
            let Some((batch, count)) = self.take_batch(source, ctx) else {
                continue;
            };
            if !self.invoke_batch(source, batch, count, ctx) {
                return;
            }
        }
    }

    /// Whether a batch should be taken from `source` now: messages are
    /// visible, a batch slot is free and the batching window (if any) is
    /// full or over. Otherwise arranges to look again.
    fn batch_due<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) -> bool {
        let now = ctx.now;
        let Some(mapping) = self.mappings[source as usize].as_mut() else {
            return false;
        };
        if mapping.queue.visible_len() == 0 {
            mapping.window_start = None;
            return false;
        }
        if mapping.in_flight_batches >= mapping.limit {
            self.ensure_scale_tick(source, ctx);
            return false;
        }
        if !mapping.window.is_zero() && (mapping.queue.visible_len() as usize) < mapping.batch_size
        {
            let start = *mapping.window_start.get_or_insert(now);
            let due = start + mapping.window;
            if now < due {
                if mapping.poll_at.is_none_or(|t| t > due) {
                    mapping.poll_at = Some(due);
                    ctx.schedule(due, LambdaEvent::SqsPoll { source });
                }
                return false;
            }
        }
        true
    }

    /// Receives a batch from the queue of `source` (messages past their
    /// retention are dropped): its slot and size, none if it came empty.
    fn take_batch<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        ctx: &mut LambdaCtx<'_, E>,
    ) -> Option<(u32, u64)> {
        let now = ctx.now;
        let batch = match self.batch_free.pop() {
            Some(batch) => batch,
            None => {
                self.batches.push(Batch {
                    source,
                    received: now,
                    msgs: Vec::new(),
                    last_timeout: false,
                });
                (self.batches.len() - 1) as u32
            }
        };
        let mapping = self.mappings[source as usize]
            .as_mut()
            .expect("an SQS source has a mapping");
        let taken = &mut self.batches[batch as usize];
        taken.msgs.clear();
        taken.source = source;
        taken.received = now;
        let expired = mapping.queue.take(now, mapping.batch_size, &mut taken.msgs);
        let count = taken.msgs.len() as u64;
        if expired > 0 {
            self.counters.expired_by_retention += expired;
            self.counters.dropped += expired;
            self.per_source[source as usize].dropped += expired;
            self.remove_waiting(now, expired);
            ctx.log(HappeningKind::Dropped, Some(source), None);
        }
        if count == 0 {
            self.batch_free.push(batch);
            return None;
        }
        Some((batch, count))
    }

    /// Invokes the function on `batch` of `count` messages; a throttle
    /// puts the messages back and polls again after a back-off (false).
    fn invoke_batch<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        batch: u32,
        count: u64,
        ctx: &mut LambdaCtx<'_, E>,
    ) -> bool {
        let now = ctx.now;
        match self.route(Job::Sqs { source, batch }, ctx) {
            Ok(()) => {
                let taken = &mut self.batches[batch as usize];
                let redelivered = SqsQueue::commit_receive(&mut taken.msgs);
                self.counters.redeliveries += redelivered;
                self.remove_waiting(now, count);
                self.counters.in_flight += count;
                let mapping = self.mappings[source as usize]
                    .as_mut()
                    .expect("an SQS source has a mapping");
                mapping.in_flight_batches += 1;
                self.billable.sqs_requests +=
                    sqs_request_units(mapping.queue.payload_bytes.saturating_mul(count));
                mapping.window_start = if mapping.queue.visible_len() > 0 {
                    Some(now)
                } else {
                    None
                };
                true
            }
            Err(()) => {
                self.counters.esm_throttled_polls += 1;
                let mapping = self.mappings[source as usize]
                    .as_mut()
                    .expect("an SQS source has a mapping");
                mapping.queue.untake(&self.batches[batch as usize].msgs);
                self.batch_free.push(batch);
                let retry = now + SimDuration::from_secs(SQS_THROTTLE_BACKOFF_S);
                if mapping.poll_at.is_none_or(|t| t > retry) {
                    mapping.poll_at = Some(retry);
                    ctx.schedule(retry, LambdaEvent::SqsPoll { source });
                }
                false
            }
        }
    }

    /// Schedules a scaling tick of the pollers of `source` unless one is
    /// pending or they are at their maximum.
    fn ensure_scale_tick<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) {
        if let Some(mapping) = self.mappings[source as usize].as_mut() {
            if !mapping.scale_pending && mapping.limit < mapping.max_limit {
                mapping.scale_pending = true;
                ctx.schedule(
                    ctx.now + SimDuration::from_secs(SQS_SCALE_TICK_S),
                    LambdaEvent::SqsScale { source },
                );
            }
        }
    }

    /// A scaling tick: more concurrent batches while a backlog lasts, fewer
    /// without one.
    pub(super) fn on_sqs_scale<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let Some(mapping) = self.mappings[source as usize].as_mut() else {
            return;
        };
        mapping.scale_pending = false;
        let step = SQS_BATCHES_PER_MINUTE / 60 * SQS_SCALE_TICK_S as u32;
        let initial = SQS_INITIAL_BATCHES.min(mapping.max_limit);
        if mapping.queue.visible_len() > 0 {
            if mapping.in_flight_batches >= mapping.limit {
                mapping.limit = (mapping.limit + step).min(mapping.max_limit);
            }
        } else {
            // No backlog: shrink back towards what is running.
            mapping.limit = mapping
                .limit
                .saturating_sub(step)
                .max(mapping.in_flight_batches)
                .max(initial);
        }
        let again = mapping.queue.visible_len() > 0 || mapping.limit > initial;
        if again && mapping.limit <= mapping.max_limit {
            mapping.scale_pending = true;
            ctx.schedule(
                ctx.now + SimDuration::from_secs(SQS_SCALE_TICK_S),
                LambdaEvent::SqsScale { source },
            );
        }
        self.sqs_dispatch(source, ctx);
    }

    /// The invocation on `batch` ended: delete the messages, or leave them
    /// to become visible again after the visibility timeout.
    pub(super) fn sqs_done<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        batch: u32,
        outcome: Outcome,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let now = ctx.now;
        let count = self.batches[batch as usize].msgs.len() as u64;
        self.counters.in_flight -= count;
        let Some(mapping) = self.mappings[source as usize].as_mut() else {
            return;
        };
        mapping.in_flight_batches -= 1;
        if outcome == Outcome::Success {
            // DeleteMessageBatch.
            self.billable.sqs_requests += 1;
            self.counters.succeeded += count;
            self.per_source[source as usize].succeeded += count;
            for msg in &self.batches[batch as usize].msgs {
                self.latency.record(now.since(msg.sent).as_micros());
            }
            self.batch_free.push(batch);
        } else {
            let failed = &mut self.batches[batch as usize];
            failed.last_timeout = outcome != Outcome::Error;
            let at = mapping.queue.visible_again_at(failed.received, now);
            mapping.queue.invisible += count;
            self.add_waiting(now, count);
            ctx.schedule(at, LambdaEvent::SqsVisible { batch });
        }
        self.sqs_dispatch(source, ctx);
    }

    /// A failed batch's visibility timeout ran out: its messages are
    /// visible again, or go to the dead-letter queue.
    pub(super) fn on_sqs_visible<E: From<LambdaEvent>>(
        &mut self,
        batch: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let now = ctx.now;
        let Some(failed) = self.batches.get(batch as usize) else {
            return;
        };
        let source = failed.source;
        let last_timeout = failed.last_timeout;
        let Some(mapping) = self.mappings[source as usize].as_mut() else {
            return;
        };
        let to_dlq = mapping
            .queue
            .make_visible(&self.batches[batch as usize].msgs);
        if mapping.queue.visible_len() > 0 && mapping.window_start.is_none() {
            mapping.window_start = Some(now);
        }
        let max_receives = mapping.queue.max_receive_count.unwrap_or(u32::MAX);
        // Messages back in the queue stay "waiting"; those sent to the DLQ
        // are finished.
        if to_dlq > 0 {
            self.remove_waiting(now, to_dlq);
            self.counters.to_dlq += to_dlq;
            let per_source = &mut self.per_source[source as usize];
            if last_timeout {
                self.counters.timed_out += to_dlq;
                per_source.timed_out += to_dlq;
            } else {
                self.counters.failed += to_dlq;
                per_source.failed += to_dlq;
            }
            for msg in &self.batches[batch as usize].msgs {
                if msg.receives >= max_receives {
                    self.latency.record(now.since(msg.sent).as_micros());
                }
            }
            ctx.log(HappeningKind::ToDlq, Some(source), None);
        }
        self.batch_free.push(batch);
        self.sqs_dispatch(source, ctx);
    }
}
