//! Asynchronous invocation (S3 uploads, schedules): Lambda's internal
//! queue. A throttled attempt is retried with a growing back-off; a failed
//! or timed-out one is retried up to the configured retries (1 min, then
//! 2 min later); an event older than its maximum age is given up. A given
//! up event is dropped or, with an on-failure destination, sent there.

use super::environments::{Job, Outcome};
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::defaults::{
    ASYNC_FIRST_RETRY_S, ASYNC_SECOND_RETRY_S, ASYNC_THROTTLE_BACKOFF_MAX_S,
    ASYNC_THROTTLE_BACKOFF_MIN_S,
};
use crate::engine::happening::HappeningKind;
use crate::engine::slots::store;
use crate::engine::time::{SimDuration, SimTime};

/// Why an async event's last attempt did not succeed.
#[derive(Clone, Copy, Debug)]
pub(super) enum LastFailure {
    Throttled,
    Error,
    Timeout,
}

/// An event in the internal queue (or being run).
#[derive(Clone, Copy, Debug)]
pub(super) struct AsyncEvent {
    pub(super) arrived: SimTime,
    pub(super) source: u16,
    pub(super) retries_used: u32,
    /// Delay before the next retry after a throttle.
    pub(super) backoff: SimDuration,
    pub(super) last: LastFailure,
    /// False once finished (its slot is free).
    pub(super) live: bool,
}

impl LambdaSide {
    /// An async event arrives from `source`: queued and tried at once.
    pub(super) fn async_arrival<E: From<LambdaEvent>>(
        &mut self,
        source: u16,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let event = AsyncEvent {
            arrived: ctx.now,
            source,
            retries_used: 0,
            backoff: SimDuration::from_secs_f64(ASYNC_THROTTLE_BACKOFF_MIN_S),
            last: LastFailure::Throttled,
            live: true,
        };
        let slot = store(
            &mut self.async_events,
            &mut self.async_free,
            event,
            |_, event| event,
        );
        self.async_attempt(slot, ctx);
    }

    /// Tries to invoke the async event in `slot`; a throttle schedules a
    /// retry after the back-off (doubled each time, capped).
    fn async_attempt<E: From<LambdaEvent>>(&mut self, slot: u32, ctx: &mut LambdaCtx<'_, E>) {
        self.counters.in_flight += 1;
        match self.route(Job::Async { slot }, ctx) {
            Ok(()) => {}
            Err(()) => {
                self.counters.in_flight -= 1;
                let now = ctx.now;
                let event = &mut self.async_events[slot as usize];
                event.last = LastFailure::Throttled;
                let deadline = event.arrived + self.max_age;
                let at = (now + event.backoff).min(deadline);
                event.backoff = (event.backoff.saturating_mul(2))
                    .min(SimDuration::from_secs_f64(ASYNC_THROTTLE_BACKOFF_MAX_S));
                let source = event.source;
                self.add_waiting(now, 1);
                ctx.log(HappeningKind::RetryScheduled, Some(source), None);
                ctx.schedule(at, LambdaEvent::AsyncRetry { slot });
            }
        }
    }

    /// A retry is due: try again, or give up an event past its maximum age.
    pub(super) fn on_async_retry<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let Some(event) = self.async_events.get(slot as usize).copied() else {
            return;
        };
        if !event.live {
            return;
        }
        self.remove_waiting(ctx.now, 1);
        if ctx.now >= event.arrived + self.max_age {
            if matches!(event.last, LastFailure::Throttled) {
                self.counters.expired_by_age += 1;
            }
            self.async_final(slot, event.last, ctx);
            return;
        }
        self.counters.retries += 1;
        self.async_attempt(slot, ctx);
    }

    /// An invocation of the async event in `slot` ended with `outcome`.
    pub(super) fn async_done<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        outcome: Outcome,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        self.counters.in_flight -= 1;
        let now = ctx.now;
        let Some(event) = self.async_events.get(slot as usize).copied() else {
            return;
        };
        if outcome == Outcome::Success {
            self.counters.succeeded += 1;
            self.per_source[event.source as usize].succeeded += 1;
            self.latency.record(now.since(event.arrived).as_micros());
            self.free_async(slot);
            return;
        }
        let last = if outcome == Outcome::Error {
            LastFailure::Error
        } else {
            LastFailure::Timeout
        };
        let deadline = event.arrived + self.max_age;
        if event.retries_used < self.max_retries && now < deadline {
            let delay = if event.retries_used == 0 {
                ASYNC_FIRST_RETRY_S
            } else {
                ASYNC_SECOND_RETRY_S
            };
            let at = (now + SimDuration::from_secs_f64(delay)).min(deadline);
            let queued = &mut self.async_events[slot as usize];
            queued.retries_used += 1;
            queued.last = last;
            self.add_waiting(now, 1);
            ctx.log(HappeningKind::RetryScheduled, Some(event.source), None);
            ctx.schedule(at, LambdaEvent::AsyncRetry { slot });
        } else {
            self.async_final(slot, last, ctx);
        }
    }

    /// An async event's last attempt failed: count it and discard it or
    /// send it to the destination.
    fn async_final<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        last: LastFailure,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let event = self.async_events[slot as usize];
        let per_source = &mut self.per_source[event.source as usize];
        match last {
            LastFailure::Throttled => {
                self.counters.dropped += 1;
                per_source.dropped += 1;
                ctx.log(HappeningKind::Dropped, Some(event.source), None);
            }
            LastFailure::Error => {
                self.counters.failed += 1;
                per_source.failed += 1;
                self.latency
                    .record(ctx.now.since(event.arrived).as_micros());
            }
            LastFailure::Timeout => {
                self.counters.timed_out += 1;
                per_source.timed_out += 1;
                self.latency
                    .record(ctx.now.since(event.arrived).as_micros());
            }
        }
        if self.to_destination {
            self.counters.to_destination += 1;
        }
        self.free_async(slot);
    }

    fn free_async(&mut self, slot: u32) {
        self.async_events[slot as usize].live = false;
        self.async_free.push(slot);
    }
}
