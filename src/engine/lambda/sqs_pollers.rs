//! The SQS event source mapping: pollers read each SQS source's queue in
//! batches (waiting up to the batching window for a full one, and cutting a
//! batch at the 6 MB invoke payload), invoke the function once per batch,
//! and scale the number of concurrent batches up while a backlog lasts (and
//! back down without one). As AWS documents ("Handling errors for an SQS
//! event source"):
//! - a failed batch becomes visible again after the visibility timeout; a
//!   message received `maxReceiveCount` times goes to the dead-letter queue;
//! - a batch received but throttled stays received: the poller retries its
//!   invoke with back-off until the visibility timeout, then the messages go
//!   back to the queue with their receive counted, so throttling alone can
//!   send them to the DLQ. The pollers' scaling does not look at the
//!   function's reserved concurrency (maximum concurrency limits it);
//! - while batches mostly fail, or invokes are mostly throttled, the
//!   mapping backs off its concurrency instead of scaling up.

use super::environments::{Job, Outcome};
use super::{payload_bytes, LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::billing::usage::sqs_request_units;
use crate::engine::defaults::{
    ESM_BATCH_PAYLOAD_MAX_KB, SQS_BACKOFF_FACTOR, SQS_BACKOFF_FLOOR_BATCHES,
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
    /// When its messages become visible again unless deleted.
    pub(super) visible_at: SimTime,
    /// Held by its poller: received, its invoke throttled, not yet invoked.
    pub(super) held: bool,
    /// Throttled invokes of this receive (the retry back-off doubles).
    pub(super) throttles: u32,
}

/// The event source mapping of one SQS source: its queue and pollers.
#[derive(Debug)]
pub(super) struct EventSourceMapping {
    pub(super) queue: SqsQueue,
    batch_size: usize,
    /// Whether the batch size is cut by the 6 MB payload.
    payload_capped: bool,
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
    /// Batches held by their pollers, throttled \[batches\].
    pub(super) held_batches: u32,
    /// Messages in held batches \[messages\].
    pub(super) held_msgs: u64,
    /// Since the last scaling tick: batches that ended well, batches that
    /// failed, invokes that started and invokes throttled.
    tick: TickOutcomes,
    /// Whether batches were mostly failing at the last tick that saw any end.
    failing: bool,
    /// Whether invokes were mostly throttled at the last tick that saw any.
    throttled: bool,
}

/// What a mapping saw between two scaling ticks.
#[derive(Clone, Copy, Debug, Default)]
struct TickOutcomes {
    ok: u32,
    failed: u32,
    invoked: u32,
    throttled: u32,
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
        let payload = payload_bytes(source.payload_kb);
        let fit =
            SqsQueue::messages_per_batch(payload, u64::from(ESM_BATCH_PAYLOAD_MAX_KB) * 1_024);
        let wanted = config.batch_size.max(1) as usize;
        Some(EventSourceMapping {
            queue: SqsQueue::new(
                secs(config.retention_s),
                secs(config.visibility_timeout_s),
                config.max_receive_count,
                payload,
            ),
            batch_size: wanted.min(fit),
            payload_capped: wanted > fit,
            window: secs(config.batching_window_s),
            limit: SQS_INITIAL_BATCHES.min(max_limit),
            max_limit,
            in_flight_batches: 0,
            window_start: None,
            poll_at: None,
            scale_pending: false,
            held_batches: 0,
            held_msgs: 0,
            tick: TickOutcomes::default(),
            failing: false,
            throttled: false,
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

    /// Receives and invokes batches from the queue of `source` while
    /// messages and batch slots allow. The pollers do not look at the
    /// function's concurrency: a batch whose invoke is throttled is held by
    /// its poller, which retries it (see [`LambdaSide::on_sqs_visible`]).
    fn sqs_dispatch<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) {
        loop {
            if !self.batch_due(source, ctx) {
                return;
            }
            if let Some(batch) = self.take_batch(source, ctx) {
                self.try_invoke(batch, ctx);
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
            self.ensure_scale_tick(source, false, ctx);
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
    /// retention are dropped; the batch stops at the batch size or the
    /// 6 MB payload): its slot, none if it came empty. The receive counts
    /// towards `maxReceiveCount` whatever happens to the invoke.
    fn take_batch<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        ctx: &mut LambdaCtx<'_, E>,
    ) -> Option<u32> {
        let now = ctx.now;
        let batch = match self.batch_free.pop() {
            Some(batch) => batch,
            None => {
                self.batches.push(Batch {
                    source,
                    received: now,
                    msgs: Vec::new(),
                    last_timeout: false,
                    visible_at: now,
                    held: false,
                    throttles: 0,
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
        taken.visible_at = now + mapping.queue.visibility;
        taken.held = false;
        taken.throttles = 0;
        taken.last_timeout = false;
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
        let mapping = self.mappings[source as usize]
            .as_mut()
            .expect("an SQS source has a mapping");
        let taken = &mut self.batches[batch as usize];
        // ReceiveMessage: the messages are invisible from now on.
        self.counters.redeliveries_throttled += SqsQueue::throttled_redeliveries(&taken.msgs);
        self.counters.redeliveries += SqsQueue::commit_receive(&mut taken.msgs);
        self.counters.sqs_receives += count;
        if mapping.payload_capped && count == mapping.batch_size as u64 {
            self.counters.esm_batches_payload_capped += 1;
        }
        mapping.queue.invisible += count;
        mapping.in_flight_batches += 1;
        self.billable.sqs_requests +=
            sqs_request_units(mapping.queue.payload_bytes.saturating_mul(count));
        mapping.window_start = if mapping.queue.visible_len() > 0 {
            Some(now)
        } else {
            None
        };
        Some(batch)
    }

    /// Invokes the function on a received `batch` (true), or holds it
    /// after a throttle: its poller tries again after a back-off that
    /// doubles, until the batch's visibility timeout runs out (false).
    fn try_invoke<E: From<LambdaEvent>>(&mut self, batch: u32, ctx: &mut LambdaCtx<'_, E>) -> bool {
        let now = ctx.now;
        let source = self.batches[batch as usize].source;
        let invoked = self.route(Job::Sqs { source, batch }, ctx).is_ok();
        let held = &mut self.batches[batch as usize];
        let count = held.msgs.len() as u64;
        let mapping = self.mappings[source as usize]
            .as_mut()
            .expect("an SQS source has a mapping");
        if invoked {
            SqsQueue::mark_throttled(&mut held.msgs, false);
            if std::mem::replace(&mut held.held, false) {
                mapping.held_batches -= 1;
                mapping.held_msgs -= count;
            }
            mapping.queue.invisible -= count;
            mapping.tick.invoked += 1;
            self.remove_waiting(now, count);
            self.counters.in_flight += count;
            return true;
        }
        self.counters.esm_throttled_polls += 1;
        mapping.tick.throttled += 1;
        if !held.held {
            held.held = true;
            mapping.held_batches += 1;
            mapping.held_msgs += count;
        }
        held.throttles += 1;
        let doubling = (held.throttles - 1).min(20);
        let wait = SimDuration::from_secs(SQS_THROTTLE_BACKOFF_S << doubling);
        let at = (now + wait).min(held.visible_at).max(now);
        ctx.schedule(at, LambdaEvent::SqsVisible { batch });
        self.ensure_scale_tick(source, true, ctx);
        false
    }

    /// Schedules a scaling tick of the pollers of `source` unless one is
    /// pending or they are at their maximum (`backoff`: a batch failed or
    /// was throttled, so the tick may back off).
    fn ensure_scale_tick<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        backoff: bool,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        if let Some(mapping) = self.mappings[source as usize].as_mut() {
            if !mapping.scale_pending && (backoff || mapping.limit < mapping.max_limit) {
                mapping.scale_pending = true;
                ctx.schedule(
                    ctx.now + SimDuration::from_secs(SQS_SCALE_TICK_S),
                    LambdaEvent::SqsScale { source },
                );
            }
        }
    }

    /// A scaling tick: back off while batches mostly fail or invokes are
    /// mostly throttled; else more concurrent batches while a backlog
    /// lasts, fewer without one.
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
        let floor = SQS_BACKOFF_FLOOR_BATCHES.min(mapping.max_limit);
        let tick = std::mem::take(&mut mapping.tick);
        if tick.ok + tick.failed > 0 {
            mapping.failing = tick.failed > 0 && tick.failed >= tick.ok;
        }
        if tick.invoked + tick.throttled > 0 {
            mapping.throttled = tick.throttled > 0 && tick.throttled >= tick.invoked;
        }
        let errors = mapping.failing && tick.failed > 0;
        let throttles = mapping.throttled && tick.throttled > 0;
        if errors {
            let reduced = (f64::from(mapping.limit) * SQS_BACKOFF_FACTOR) as u32;
            mapping.limit = reduced.max(floor);
            self.counters.esm_backoffs_errors += 1;
        } else if throttles {
            // Gradually: one scaling step down per tick.
            mapping.limit = mapping.limit.saturating_sub(step).max(floor);
            self.counters.esm_backoffs_throttles += 1;
        } else if mapping.queue.visible_len() == 0 {
            // No backlog: shrink back towards what is running.
            mapping.limit = mapping
                .limit
                .saturating_sub(step)
                .max(mapping.in_flight_batches)
                .max(initial)
                .min(mapping.max_limit);
        } else if !mapping.failing
            && !mapping.throttled
            && mapping.in_flight_batches >= mapping.limit
        {
            mapping.limit = (mapping.limit + step).min(mapping.max_limit);
        }
        let again = mapping.queue.visible_len() > 0 || mapping.limit != initial;
        if again {
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
            mapping.tick.ok += 1;
            // DeleteMessageBatch.
            self.billable.sqs_requests += 1;
            self.counters.succeeded += count;
            self.per_source[source as usize].succeeded += count;
            for msg in &self.batches[batch as usize].msgs {
                self.latency.record(now.since(msg.sent).as_micros());
            }
            self.batch_free.push(batch);
        } else {
            mapping.tick.failed += 1;
            let failed = &mut self.batches[batch as usize];
            failed.last_timeout = outcome != Outcome::Error;
            let at = mapping.queue.visible_again_at(failed.received, now);
            mapping.queue.invisible += count;
            self.add_waiting(now, count);
            ctx.schedule(at, LambdaEvent::SqsVisible { batch });
            self.ensure_scale_tick(source, true, ctx);
        }
        self.sqs_dispatch(source, ctx);
    }

    /// A batch's timer: a held (throttled) batch's poller retries its
    /// invoke, or returns it at its visibility timeout; a failed batch's
    /// visibility timeout ran out. Messages become visible again, or go to
    /// the dead-letter queue.
    pub(super) fn on_sqs_visible<E: From<LambdaEvent>>(
        &mut self,
        batch: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let now = ctx.now;
        let Some(failed) = self.batches.get(batch as usize) else {
            return;
        };
        if failed.held {
            if now < failed.visible_at {
                self.try_invoke(batch, ctx);
            } else {
                self.return_throttled(batch, ctx);
            }
            return;
        }
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

    /// A held batch's visibility timeout ran out before an invoke got
    /// through: its messages go back to the queue, their receive counted,
    /// or to the dead-letter queue (counted as dropped: they never ran).
    fn return_throttled<E: From<LambdaEvent>>(&mut self, batch: u32, ctx: &mut LambdaCtx<'_, E>) {
        let now = ctx.now;
        let held = &mut self.batches[batch as usize];
        let source = held.source;
        let count = held.msgs.len() as u64;
        held.held = false;
        SqsQueue::mark_throttled(&mut held.msgs, true);
        let mapping = self.mappings[source as usize]
            .as_mut()
            .expect("an SQS source has a mapping");
        mapping.held_batches -= 1;
        mapping.held_msgs -= count;
        mapping.in_flight_batches -= 1;
        let to_dlq = mapping.queue.make_visible(&held.msgs);
        if mapping.queue.visible_len() > 0 && mapping.window_start.is_none() {
            mapping.window_start = Some(now);
        }
        self.counters.sqs_returned_throttled += count;
        ctx.log(HappeningKind::SqsThrottledReturn, Some(source), None);
        if to_dlq > 0 {
            self.remove_waiting(now, to_dlq);
            self.counters.to_dlq += to_dlq;
            self.counters.to_dlq_throttled += to_dlq;
            self.counters.dropped += to_dlq;
            self.per_source[source as usize].dropped += to_dlq;
            ctx.log(HappeningKind::ToDlq, Some(source), None);
        }
        self.batch_free.push(batch);
        self.sqs_dispatch(source, ctx);
    }
}
