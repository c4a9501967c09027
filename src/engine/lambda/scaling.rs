//! How an invocation finds an environment, and when it is throttled: the
//! requests-per-second limit first (10 × the concurrency limit in any
//! rolling second, [`RateWindow`]; an attempt that is also over the
//! concurrency limit counts as a concurrency throttle), then a provisioned
//! idle environment,
//! then the concurrency limit, then an on-demand idle environment, then a
//! cold start if the scaling rate allows one (its token bucket,
//! [`Bucket`]); otherwise a throttle.

use super::environments::Job;
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::defaults::{
    LEGACY_ENVS_PER_MINUTE, RATE_SLOTS, RATE_SLOT_US, REQUESTS_PER_S_PER_CONCURRENCY,
    SCALING_ENVS_PER_WINDOW, SCALING_WINDOW_S,
};
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

/// Why an invocation attempt was throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Throttle {
    /// Over the requests-per-second limit.
    RequestRate,
    /// Over the concurrency limit (reserved or account).
    Concurrency,
    /// Over the scaling rate (or the legacy burst).
    Scaling,
}

/// The requests-per-second limit: at most `limit` invocations in any
/// rolling second, counted in [`RATE_SLOTS`] slots of [`RATE_SLOT_US`]
/// (so exact for every second that starts on a slot boundary, whole
/// seconds of the run included). Bounded memory (a ring of [`RING`]
/// entries), integers only.
///
/// The ring holds (slot, invocations) for the non-empty slots admitted
/// lately, oldest first; entries older than the rolling second ("stale")
/// are forgotten lazily, only when the answer could depend on them or the
/// ring is full. Forgetting only ever lowers the sum, so while the sum
/// with stale entries is under the limit the window certainly has room,
/// and an arrival costs a comparison and an increment or an append: no
/// walk of the slots at any rate (a slide, when it comes, costs one step
/// per entry it drops).
#[derive(Clone, Debug)]
pub struct RateWindow {
    /// Most invocations per rolling second \[invocations\].
    limit: u64,
    /// A ring of (absolute slot index = time / slot width, invocations
    /// admitted in it), oldest first from `first`, distinct slots in
    /// increasing order.
    slots: Box<[(u64, u64); RING]>,
    /// Index in `slots` of the oldest entry.
    first: usize,
    /// Entries in use.
    len: usize,
    /// Sum of the invocations in the entries, stale ones included
    /// \[invocations\].
    sum: u64,
    /// When the newest entry's slot ends \[µs\]: an invocation before it
    /// counts in that entry (no division to find its slot).
    newest_end: u64,
}

/// Entries of the [`RateWindow`] ring: a power of two (so the index wraps
/// with a mask) above [`RATE_SLOTS`], so after a slide, which leaves at
/// most [`RATE_SLOTS`] entries of the last second, there is room.
const RING: usize = 128;
const _: () = assert!(RING.is_power_of_two() && RING as u64 > RATE_SLOTS);

impl RateWindow {
    /// The window of a function whose concurrency limit is `concurrency`.
    pub fn for_concurrency(concurrency: u32) -> RateWindow {
        RateWindow {
            limit: u64::from(concurrency) * REQUESTS_PER_S_PER_CONCURRENCY,
            slots: Box::new([(0, 0); RING]),
            first: 0,
            len: 0,
            sum: 0,
            newest_end: 0,
        }
    }

    /// Most invocations per second \[invocations/s\].
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The `i`-th entry from the oldest.
    #[inline]
    fn entry(&self, i: usize) -> (u64, u64) {
        self.slots[(self.first + i) & (RING - 1)]
    }

    /// Forgets the entries of slots that ended a second or more before
    /// the slot of `now`.
    #[inline]
    fn slide(&mut self, now: SimTime) {
        let slot = now.as_micros() / RATE_SLOT_US;
        while self.len > 0 {
            let (oldest, n) = self.entry(0);
            if oldest + RATE_SLOTS > slot {
                break;
            }
            self.sum -= n;
            self.first = (self.first + 1) & (RING - 1);
            self.len -= 1;
        }
    }

    /// Whether one more invocation fits in the rolling second ending now.
    #[inline]
    pub fn has_room(&mut self, now: SimTime) -> bool {
        if self.sum < self.limit {
            // Stale entries only add to the sum: room either way.
            return true;
        }
        self.slide(now);
        self.sum < self.limit
    }

    /// Counts an invocation admitted now (after [`RateWindow::has_room`]).
    #[inline]
    pub fn record(&mut self, now: SimTime) {
        if self.len > 0 && now.as_micros() < self.newest_end {
            // In the newest entry's slot (never behind it: the clock does
            // not go back).
            let newest = (self.first + self.len - 1) & (RING - 1);
            self.slots[newest].1 += 1;
        } else {
            let slot = now.as_micros() / RATE_SLOT_US;
            self.newest_end = (slot + 1).saturating_mul(RATE_SLOT_US);
            if self.len == RING {
                // Full: forget the stale entries (at most RATE_SLOTS of
                // the last second stay).
                self.slide(now);
            }
            self.slots[(self.first + self.len) & (RING - 1)] = (slot, 1);
            self.len += 1;
        }
        self.sum += 1;
    }

    /// Invocations admitted in the rolling second ending at `now`.
    pub fn used(&self, now: SimTime) -> u64 {
        let slot = now.as_micros() / RATE_SLOT_US;
        let stale = (0..self.len)
            .map(|i| self.entry(i))
            .take_while(|&(oldest, _)| oldest + RATE_SLOTS <= slot)
            .map(|(_, n)| n)
            .sum::<u64>();
        self.sum - stale
    }
}

impl LambdaSide {
    /// Scaling tokens available now (none when unlimited).
    pub fn scaling_tokens(&self, now: SimTime) -> Option<f64> {
        self.bucket.map(|bucket| bucket.tokens(now))
    }

    /// Finds an environment for `job` and starts it; `Err` = throttled
    /// (counted here). An invocation that starts counts against the
    /// requests-per-second limit.
    pub(super) fn route<E: From<LambdaEvent>>(
        &mut self,
        job: Job,
        ctx: &mut LambdaCtx<'_, E>,
    ) -> Result<(), ()> {
        // At the concurrency limit with no idle provisioned environment:
        // a concurrency throttle, whatever the rate (reserved 0 included).
        let at_limit = self.idle_provisioned.is_empty()
            && self.on_demand_busy + self.provisioned_envs >= self.limit;
        if !at_limit && !self.rate.has_room(ctx.now) {
            self.throttle(job.source(self), Throttle::RequestRate, ctx);
            return Err(());
        }
        let routed = self.find_environment(job, ctx);
        if routed.is_ok() {
            self.rate.record(ctx.now);
        }
        routed
    }

    /// Starts `job` on a provisioned, warm or new environment, or throttles.
    fn find_environment<E: From<LambdaEvent>>(
        &mut self,
        job: Job,
        ctx: &mut LambdaCtx<'_, E>,
    ) -> Result<(), ()> {
        if let Some(slot) = self.idle_provisioned.take_newest() {
            self.warm_start(slot, job, ctx);
            return Ok(());
        }
        if self.on_demand_busy + self.provisioned_envs >= self.limit {
            self.throttle(job.source(self), Throttle::Concurrency, ctx);
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
            self.throttle(job.source(self), Throttle::Scaling, ctx);
            return Err(());
        }
        self.cold_start(job, ctx);
        Ok(())
    }

    /// Counts a throttle by its reason; a request-rate throttle has its
    /// own happening.
    fn throttle<E: From<LambdaEvent>>(
        &mut self,
        source: Option<u16>,
        reason: Throttle,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        self.counters.throttles += 1;
        let kind = match reason {
            Throttle::RequestRate => {
                self.counters.throttles_rate += 1;
                HappeningKind::ThrottledRate
            }
            Throttle::Concurrency => {
                self.counters.throttles_concurrency += 1;
                HappeningKind::Throttled
            }
            Throttle::Scaling => {
                self.counters.throttles_scaling += 1;
                HappeningKind::Throttled
            }
        };
        if let Some(source) = source {
            self.per_source[source as usize].throttles += 1;
        }
        ctx.log(kind, source, None);
    }

    /// Invocations admitted in the rolling second ending now, and the
    /// requests-per-second limit \[invocations\].
    pub fn request_rate(&self, now: SimTime) -> (u64, u64) {
        (self.rate.used(now), self.rate.limit())
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

    /// The window as it was first written: a ring of [`RATE_SLOTS`]
    /// counts, every slot passed over cleared one by one.
    struct Ring {
        limit: u64,
        slots: Vec<u64>,
        sum: u64,
        head: u64,
    }

    impl Ring {
        fn slide(&mut self, now: SimTime) {
            let slot = now.as_micros() / RATE_SLOT_US;
            if slot <= self.head {
                return;
            }
            if slot - self.head >= RATE_SLOTS {
                self.slots.iter_mut().for_each(|n| *n = 0);
                self.sum = 0;
            } else {
                for i in self.head + 1..=slot {
                    let n = &mut self.slots[(i % RATE_SLOTS) as usize];
                    self.sum -= *n;
                    *n = 0;
                }
            }
            self.head = slot;
        }

        fn used(&self, now: SimTime) -> u64 {
            let slot = now.as_micros() / RATE_SLOT_US;
            if slot.saturating_sub(self.head) >= RATE_SLOTS {
                return 0;
            }
            let stale = (self.head + 1..=slot)
                .map(|i| self.slots[(i % RATE_SLOTS) as usize])
                .sum::<u64>();
            self.sum - stale
        }
    }

    /// Admissions and the count shown agree with the ring at every step,
    /// for gaps from microseconds to seconds and limits that bind or not.
    #[test]
    fn rate_window_matches_the_ring_it_replaced() {
        use crate::engine::dist::rng_stream;
        use rand::RngExt;
        for (case, concurrency) in [1u32, 3, 50, 1_000].into_iter().enumerate() {
            let mut rng = rng_stream(5, 9, case as u64);
            let mut w = RateWindow::for_concurrency(concurrency);
            let mut ring = Ring {
                limit: w.limit(),
                slots: vec![0; RATE_SLOTS as usize],
                sum: 0,
                head: 0,
            };
            let mut now = 0u64;
            for step in 0..200_000 {
                // Mostly short gaps, some across slots, some over a second.
                let scale = [10u64, 3_000, 40_000, 1_500_000][rng.random_range(0..4usize)];
                now += rng.random_range(0..scale);
                let at = SimTime::from_micros(now);
                assert_eq!(w.used(at), ring.used(at), "case {case} step {step}");
                ring.slide(at);
                let room = ring.sum < ring.limit;
                assert_eq!(w.has_room(at), room, "case {case} step {step}");
                if room && rng.random::<f64>() < 0.9 {
                    w.record(at);
                    ring.slots[(ring.head % RATE_SLOTS) as usize] += 1;
                    ring.sum += 1;
                }
            }
        }
    }

    #[test]
    fn rate_window_admits_the_limit_in_any_rolling_second() {
        let mut w = RateWindow::for_concurrency(1);
        assert_eq!(w.limit(), 10);
        let t = |ms: u64| SimTime::from_micros(ms * 1_000);
        let admit = |w: &mut RateWindow, at: SimTime| {
            let ok = w.has_room(at);
            if ok {
                w.record(at);
            }
            ok
        };
        // 10 at 0 ms, then nothing until the first slot leaves the window.
        assert_eq!((0..20).filter(|_| admit(&mut w, t(0))).count(), 10);
        assert!(!admit(&mut w, t(999)));
        assert_eq!(w.used(t(999)), 10);
        assert_eq!(w.used(t(1_000)), 0);
        assert!(admit(&mut w, t(1_000)));
        // Long idle: the window is empty again.
        assert_eq!(w.used(t(60_000)), 0);
        assert_eq!((0..20).filter(|_| admit(&mut w, t(60_000))).count(), 10);
    }
}
