//! A request or message arrives from a source, and takes the path of its
//! invocation type: synchronous (API: an environment now, or HTTP 429),
//! asynchronous (S3, schedules: the internal queue, see `async_invoke`)
//! or an SQS queue read by the event source mapping (see `sqs_pollers`).
//! Also where a synchronous request's outcome is counted.

use super::environments::{Job, Outcome};
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::defaults::MAX_WAITING_EVENTS;
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::SourceKind;
use crate::engine::time::SimTime;

impl LambdaSide {
    /// A request or message arrives from `source`.
    pub fn on_arrival<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) {
        self.counters.arrived += 1;
        self.per_source[source as usize].arrived += 1;
        match self.kinds[source as usize] {
            SourceKind::Api => self.sync_arrival(source, ctx),
            SourceKind::S3 | SourceKind::Schedule => {
                if self.kinds[source as usize] == SourceKind::S3 {
                    self.billable.s3_put_requests += 1;
                }
                if self.counters.waiting >= MAX_WAITING_EVENTS {
                    self.drop_overflow(source, ctx);
                    return;
                }
                self.async_arrival(source, ctx);
            }
            SourceKind::Sqs => {
                if self.counters.waiting >= MAX_WAITING_EVENTS {
                    self.drop_overflow(source, ctx);
                    return;
                }
                self.sqs_arrival(source, ctx);
            }
        }
    }

    /// An API request: routed now, or dropped if throttled (HTTP 429).
    fn sync_arrival<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) {
        self.bill_api_request(source);
        let job = Job::Sync {
            source,
            arrived: ctx.now,
        };
        self.counters.in_flight += 1;
        if let Err(()) = self.route(job, ctx) {
            self.counters.in_flight -= 1;
            self.counters.dropped += 1;
            self.per_source[source as usize].dropped += 1;
        }
    }

    /// An event is dropped: the engine's bound on waiting events is reached.
    fn drop_overflow<E: From<LambdaEvent>>(&mut self, source: u16, ctx: &mut LambdaCtx<'_, E>) {
        self.counters.dropped += 1;
        self.counters.overflow += 1;
        self.per_source[source as usize].dropped += 1;
        ctx.log(HappeningKind::Dropped, Some(source), None);
    }

    /// A synchronous request that `arrived` from `source` ended now.
    pub(super) fn sync_done(
        &mut self,
        source: u16,
        arrived: SimTime,
        outcome: Outcome,
        now: SimTime,
    ) {
        self.counters.in_flight -= 1;
        self.latency.record(now.since(arrived).as_micros());
        let per_source = &mut self.per_source[source as usize];
        match outcome {
            Outcome::Success => {
                self.counters.succeeded += 1;
                per_source.succeeded += 1;
            }
            Outcome::Error => {
                self.counters.failed += 1;
                per_source.failed += 1;
            }
            _ => {
                self.counters.timed_out += 1;
                per_source.timed_out += 1;
            }
        }
    }
}
