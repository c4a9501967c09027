//! How an invocation finds an environment, and when it is throttled: a
//! provisioned idle environment first, then the concurrency limit, then an
//! on-demand idle environment, then a cold start if the scaling rate
//! allows one (its token bucket, [`Bucket`]); otherwise a throttle.

use super::environments::Job;
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::defaults::{LEGACY_ENVS_PER_MINUTE, SCALING_ENVS_PER_WINDOW, SCALING_WINDOW_S};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::ScalingModel;
use crate::engine::time::{SimDuration, SimTime};

/// Scaling-rate limiter: a token bucket kept as a time value, so it is
/// exact in integers: `units` grow 1 per µs up to `cap`; a new environment
/// costs `per_token` units.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    /// Units one new environment costs [µs].
    per_token: u64,
    /// Most units banked [µs].
    cap: u64,
    /// Units now (as of `last`) [µs].
    units: u64,
    /// When `units` was last refilled.
    last: SimTime,
}

impl Bucket {
    /// A full bucket of `tokens`, refilling one token per `per_token`.
    pub fn new(tokens: u64, per_token: SimDuration) -> Bucket {
        let per_token = per_token.as_micros().max(1);
        let cap = tokens * per_token;
        Bucket {
            per_token,
            cap,
            units: cap,
            last: SimTime::ZERO,
        }
    }

    /// The bucket of an account's scaling model (none when unlimited).
    pub fn for_model(model: &ScalingModel) -> Option<Bucket> {
        match *model {
            ScalingModel::Current => Some(Bucket::new(
                SCALING_ENVS_PER_WINDOW,
                SimDuration::from_micros(SCALING_WINDOW_S * 1_000_000 / SCALING_ENVS_PER_WINDOW),
            )),
            ScalingModel::Legacy { initial_burst } => Some(Bucket::new(
                u64::from(initial_burst),
                SimDuration::from_micros(60_000_000 / LEGACY_ENVS_PER_MINUTE),
            )),
            ScalingModel::Unlimited => None,
        }
    }

    fn refill(&mut self, now: SimTime) {
        self.units = (self.units + now.since(self.last).as_micros()).min(self.cap);
        self.last = self.last.max(now);
    }

    /// Takes a token if there is one.
    pub fn take(&mut self, now: SimTime) -> bool {
        self.refill(now);
        if self.units >= self.per_token {
            self.units -= self.per_token;
            true
        } else {
            false
        }
    }

    /// Tokens available at `now`.
    pub fn tokens(&self, now: SimTime) -> f64 {
        let units = (self.units + now.since(self.last).as_micros()).min(self.cap);
        units as f64 / self.per_token as f64
    }
}

impl LambdaSide {
    /// Scaling tokens available now (none when unlimited).
    pub fn scaling_tokens(&self, now: SimTime) -> Option<f64> {
        self.bucket.map(|bucket| bucket.tokens(now))
    }

    /// Finds an environment for `job` and starts it; `Err` = throttled
    /// (counted here).
    pub(super) fn route<E: From<LambdaEvent>>(
        &mut self,
        job: Job,
        ctx: &mut LambdaCtx<'_, E>,
    ) -> Result<(), ()> {
        let source = job.source(self);
        if let Some(slot) = self.idle_provisioned.take_newest() {
            self.warm_start(slot, job, ctx);
            return Ok(());
        }
        if self.on_demand_busy + self.provisioned_envs >= self.limit {
            self.throttle(source, true, ctx);
            return Err(());
        }
        if let Some(slot) = self.idle_on_demand.take_newest() {
            self.warm_start(slot, job, ctx);
            return Ok(());
        }
        let allowed = match &mut self.bucket {
            Some(bucket) => bucket.take(ctx.now),
            None => true,
        };
        if !allowed {
            self.throttle(source, false, ctx);
            return Err(());
        }
        self.cold_start(job, ctx);
        Ok(())
    }

    /// Counts a throttle: by the concurrency limit or by the scaling rate.
    fn throttle<E: From<LambdaEvent>>(
        &mut self,
        source: Option<u16>,
        by_concurrency: bool,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        self.counters.throttles += 1;
        if by_concurrency {
            self.counters.throttles_concurrency += 1;
        } else {
            self.counters.throttles_scaling += 1;
        }
        if let Some(source) = source {
            self.per_source[source as usize].throttles += 1;
        }
        ctx.log(HappeningKind::Throttled, source, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_continuously_and_never_banks() {
        let mut bucket = Bucket::new(1_000, SimDuration::from_micros(10_000));
        let t0 = SimTime::ZERO;
        assert_eq!((0..2_000).filter(|_| bucket.take(t0)).count(), 1_000);
        // 100 per second.
        let t1 = t0 + SimDuration::from_secs(1);
        assert_eq!((0..2_000).filter(|_| bucket.take(t1)).count(), 100);
        // An hour idle banks no more than 1,000.
        let t2 = t1 + SimDuration::from_hours(1);
        assert_eq!((0..5_000).filter(|_| bucket.take(t2)).count(), 1_000);
        assert!(bucket.tokens(t2) < 1.0);
    }
}
