//! The Lambda side of an estimate: billed duration per invocation from the
//! duration model, provisioned concurrency's share, cold starts from the
//! environment pool, and the SQS pollers' batches (by short sampled
//! simulations); per slice, then as the window's [`LambdaUsage`].

use super::round;
use crate::engine::billing::usage::{provisioned_billable_seconds, InvocationTotals, LambdaUsage};
use crate::engine::defaults as d;
use crate::engine::dist::Distribution;
use crate::engine::scenario::{Function, Pattern, Scenario};
use crate::engine::sim::Simulation;
use crate::engine::time::{SimDuration, SimTime};

/// Standard deviations of headroom in the environment pool estimate.
const POOL_HEADROOM_SD: f64 = 3.0;

/// Standard normal CDF.
fn phi(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / core::f64::consts::SQRT_2))
}

/// A duration model's expected billed handler time and timeout share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Billed {
    /// E[min(X·f, T)] [ms].
    pub(super) mean_ms: f64,
    /// E[billed ms] with per-invocation rounding up [ms].
    pub(super) billed_ms: f64,
    /// P(X·f > T).
    pub(super) p_timeout: f64,
}

pub(super) fn billed(dist: &Distribution, factor: f64, timeout_ms: f64) -> Billed {
    let t = timeout_ms;
    let (mean, p_to, continuous) = match *dist {
        Distribution::Fixed { ms } => {
            let v = ms * factor;
            if v > t {
                (t, 1.0, false)
            } else {
                (v, 0.0, false)
            }
        }
        Distribution::Exponential { mean_ms } => {
            let m = mean_ms * factor;
            let tail = libm::exp(-t / m);
            (m * (1.0 - tail), tail, true)
        }
        Distribution::LogNormal { median_ms, p99_ms } => {
            let sigma = libm::log(p99_ms / median_ms) / 2.326_347_874_040_840_8;
            let mu = libm::log(median_ms * factor);
            let lt = libm::log(t);
            let below = phi((lt - mu - sigma * sigma) / sigma);
            let p_to = 1.0 - phi((lt - mu) / sigma);
            (
                libm::exp(mu + sigma * sigma / 2.0) * below + t * p_to,
                p_to,
                true,
            )
        }
        Distribution::Uniform { min_ms, max_ms } => {
            let (a, b) = (min_ms * factor, max_ms * factor);
            if b <= a {
                let v = a.min(t);
                (v, if a > t { 1.0 } else { 0.0 }, false)
            } else if t >= b {
                ((a + b) / 2.0, 0.0, true)
            } else if t <= a {
                (t, 1.0, true)
            } else {
                let inside = (t * t - a * a) / 2.0 + t * (b - t);
                (inside / (b - a), (b - t) / (b - a), true)
            }
        }
    };
    let ceil_t = libm::ceil(t - 1e-9);
    let billed_ms = if continuous {
        // Below the timeout each draw rounds up by 0.5 ms on average.
        (mean - t * p_to) + 0.5 * (1.0 - p_to) + ceil_t * p_to
    } else if p_to > 0.0 {
        ceil_t
    } else {
        libm::ceil(mean - 1e-9)
    };
    Billed {
        mean_ms: mean,
        billed_ms,
        p_timeout: p_to,
    }
}

/// E[min(N, c)] for N ~ Poisson(a): busy environments among the first `c`.
pub(super) fn poisson_min(a: f64, c: u32) -> f64 {
    if c == 0 || a <= 0.0 {
        return 0.0;
    }
    let c_f = f64::from(c);
    if a > 50.0 {
        // Normal approximation: E[min(N, c)] = a − E[(N − c)+].
        let sd = libm::sqrt(a);
        let z = (c_f - a) / sd;
        let pdf = libm::exp(-z * z / 2.0) / libm::sqrt(2.0 * core::f64::consts::PI);
        let excess = sd * pdf + (a - c_f) * (1.0 - phi(z));
        return (a - excess).clamp(0.0, c_f.min(a));
    }
    // Σ_{k<c} P(N > k), with the pmf walked upward.
    let mut pmf = libm::exp(-a);
    let mut cdf = pmf;
    let mut sum = 0.0;
    for k in 0..c {
        sum += 1.0 - cdf;
        let next = pmf * a / f64::from(k + 1);
        pmf = next;
        cdf += next;
        if 1.0 - cdf < 1e-12 {
            // The rest adds nothing measurable.
            break;
        }
    }
    sum.min(a)
}

/// Messages an SQS event source mapping needs an invocation for, measured
/// by short sampled simulations (one per source and rate). The pollers'
/// concurrency is a feedback loop (it grows while messages wait and shrinks
/// when the queue is empty), so the mean batch size has no closed form.
#[derive(Default)]
pub(super) struct SqsSamples {
    /// (source, rate [messages/s], invocations per message).
    cache: Vec<(usize, f64, f64)>,
}

/// Messages a sample should see, and its bounds [messages], [s].
const SAMPLE_MESSAGES: f64 = 20_000.0;
const SAMPLE_MIN_S: f64 = 120.0;
const SAMPLE_MAX_S: f64 = 3_600.0;

impl SqsSamples {
    /// Invocations per arriving message of source `i` at `rate`: the steady
    /// part (after the first third, once the pollers have scaled) of a
    /// Poisson sample of that source alone. `fallback` (the saturated-poller
    /// formula) is used when the sample sees no messages.
    pub(super) fn invocations_per_message(
        &mut self,
        scenario: &Scenario,
        i: usize,
        rate: f64,
        fallback: impl FnOnce() -> f64,
    ) -> f64 {
        if let Some(&(_, _, v)) = self
            .cache
            .iter()
            .find(|(s, r, _)| *s == i && (r - rate).abs() <= 1e-9 * rate.max(1.0))
        {
            return v;
        }
        let v = sample_sqs(scenario, i, rate).unwrap_or_else(fallback);
        self.cache.push((i, rate, v));
        v
    }
}

fn sample_sqs(scenario: &Scenario, i: usize, rate: f64) -> Option<f64> {
    if rate.is_nan() || rate <= 0.0 {
        return None;
    }
    let mut s = scenario.clone();
    let mut src = s.sources.get(i)?.clone();
    src.pattern = Pattern::Poisson { rate_per_s: rate };
    s.sources = vec![src];
    s.function.provisioned.clear();
    // Only the Lambda side's pollers are sampled.
    s.ec2 = None;
    s.duration_s = (SAMPLE_MESSAGES / rate).clamp(SAMPLE_MIN_S, SAMPLE_MAX_S);
    let mut sim = Simulation::new(&s).ok()?;
    sim.set_record_happenings(false);
    let start = SimTime::ZERO + SimDuration::from_secs_f64(s.duration_s / 3.0);
    sim.advance_to(start);
    let (a0, i0) = (sim.counters().arrived, sim.counters().invocations);
    sim.advance_to(sim.end());
    let (a1, i1) = (sim.counters().arrived, sim.counters().invocations);
    (a1 > a0 + 100).then(|| (i1 - i0) as f64 / (a1 - a0) as f64)
}

/// The Lambda function's per-invocation model, the same for every slice.
pub(super) struct LambdaModel {
    /// A warm invocation's billed duration.
    pub(super) warm: Billed,
    /// A cold invocation's billed duration (its own model, if any).
    cold: Billed,
    /// Mean INIT phase, at most the INIT limit [ms].
    init_ms: f64,
    /// Probability an attempt fails (timeout or function error).
    pub(super) p_fail: f64,
    /// Attempts per async event (retries of failed attempts).
    pub(super) async_attempts: f64,
    /// Concurrency the function may use [environments].
    pub(super) limit: f64,
}

impl LambdaModel {
    pub(super) fn new(scenario: &Scenario) -> LambdaModel {
        let f = &scenario.function;
        let factor = f.duration_factor();
        let timeout_ms = f.timeout_s * 1e3;
        let warm = billed(&f.duration, factor, timeout_ms);
        let cold = billed(
            f.cold_duration.as_ref().unwrap_or(&f.duration),
            factor,
            timeout_ms,
        );
        let init_ms = f.init_duration.mean_ms().min(d::INIT_LIMIT_S * 1e3);
        let p_fail = warm.p_timeout + (1.0 - warm.p_timeout) * f.error_rate.clamp(0.0, 1.0);
        let mut model = LambdaModel {
            warm,
            cold,
            init_ms,
            p_fail,
            async_attempts: 0.0,
            limit: f64::from(
                f.reserved_concurrency
                    .unwrap_or(scenario.account.concurrency_limit),
            ),
        };
        model.async_attempts =
            model.geometric(f.async_config.max_retries.min(d::ASYNC_RETRIES_MAX) + 1);
        model
    }

    /// Expected attempts when each of at most `tries` fails with `p_fail`.
    pub(super) fn geometric(&self, tries: u32) -> f64 {
        (0..tries).map(|i| self.p_fail.powi(i as i32)).sum::<f64>()
    }
}

/// The Lambda side's running totals over the window's slices.
#[derive(Default)]
pub(super) struct LambdaTotals {
    /// On demand outside provisioned spans: requests, billed ms, billed ms
    /// with INIT.
    on_demand: [f64; 3],
    /// The same, on demand while provisioned concurrency is configured.
    spill: [f64; 3],
    provisioned_requests: f64,
    provisioned_ms: f64,
    /// Invocations served [invocations].
    pub(super) invocations: f64,
    /// Cold starts [invocations].
    pub(super) colds: f64,
    /// Environments kept warm [environments].
    pool: f64,
}

impl LambdaTotals {
    /// One slice of `len` seconds with `level` provisioned environments:
    /// `inv` invocations billing `req_units` requests.
    pub(super) fn slice(
        &mut self,
        model: &LambdaModel,
        f: &Function,
        len: f64,
        level: u32,
        inv: f64,
        req_units: f64,
    ) {
        if inv <= 0.0 {
            // An idle slice longer than the keep-alive empties the pool.
            if len >= f.keep_alive_s {
                self.pool = 0.0;
            }
            return;
        }
        let (warm, limit) = (model.warm, model.limit);
        // Concurrency (Little's law) and what the limit lets through, and
        // the requests-per-second limit (10 × the concurrency limit); only
        // synchronous requests are lost, the rest wait and run later.
        let busy = inv * warm.mean_ms / 1e3 / len;
        let served = if busy > limit { limit / busy } else { 1.0 };
        let per_s_limit = limit * d::REQUESTS_PER_S_PER_CONCURRENCY as f64;
        let served = served.min(per_s_limit * len / inv);
        let inv = inv * served;
        let req_units = req_units * served;
        self.invocations += inv;
        let prov_busy = poisson_min(busy.min(limit), level);
        let prov_share = if busy > 0.0 { prov_busy / busy } else { 0.0 };
        let od_inv = inv * (1.0 - prov_share);
        let od_busy = (busy - prov_busy).max(0.0);
        let c = self.cold_starts(f, len, od_inv, od_busy, warm.p_timeout);
        let ms = (od_inv - c) * warm.billed_ms + c * model.cold.billed_ms;
        let totals = [req_units * (1.0 - prov_share), ms, ms + c * model.init_ms];
        if level > 0 {
            self.provisioned_requests += req_units * prov_share;
            self.provisioned_ms += inv * prov_share * warm.billed_ms;
            for (s, v) in self.spill.iter_mut().zip(totals) {
                *s += v;
            }
        } else {
            for (s, v) in self.on_demand.iter_mut().zip(totals) {
                *s += v;
            }
        }
    }

    /// Cold starts of a slice: pool growth, sparse traffic, destroyed
    /// environments (one per timeout).
    fn cold_starts(
        &mut self,
        f: &Function,
        len: f64,
        od_inv: f64,
        od_busy: f64,
        p_timeout: f64,
    ) -> f64 {
        let need = if od_busy > 0.0 {
            od_busy + POOL_HEADROOM_SD * libm::sqrt(od_busy) + 1.0
        } else {
            0.0
        };
        let rate = od_inv / len;
        let growth = (need - self.pool).max(0.0);
        let sparse = od_inv * libm::exp(-rate * f.keep_alive_s);
        let c = (growth + sparse + od_inv * p_timeout).min(od_inv);
        self.pool = if len >= f.keep_alive_s {
            need
        } else {
            self.pool.max(need)
        };
        self.colds += c;
        c
    }

    /// The window's Lambda usage: the totals rounded, and the provisioned
    /// spans exactly as billed.
    pub(super) fn usage(&self, f: &Function, window: f64) -> LambdaUsage {
        let totals = |v: [f64; 3]| InvocationTotals {
            requests: round(v[0]),
            billed_ms: round(v[1]),
            billed_ms_with_init: round(v[2]),
        };
        let mut lambda = LambdaUsage::new(f.architecture, f.memory_mb, f.ephemeral_storage_mb);
        lambda.on_demand = totals(self.on_demand);
        lambda.on_demand_while_provisioned = totals(self.spill);
        lambda.provisioned_requests = round(self.provisioned_requests);
        lambda.provisioned_billed_ms = round(self.provisioned_ms);
        (
            lambda.provisioned_env_seconds,
            lambda.open_provisioned_rounding_seconds,
        ) = provisioned_env_seconds(f, window);
        lambda
    }
}

/// Provisioned spans, exactly as billed: each constant level rounded up to
/// 5 minutes, the open one up to the window's end [environment-seconds];
/// and, of that, the open span's rounding (a projection leaves it out).
fn provisioned_env_seconds(f: &Function, window: f64) -> (u64, u64) {
    let mut env_seconds = 0u64;
    let mut open_rounding = 0u64;
    for (i, s) in f.provisioned.iter().enumerate() {
        let next = f.provisioned.get(i + 1).map_or(f64::INFINITY, |n| n.at_s);
        let end = next.min(window);
        let span = SimDuration::from_secs_f64((end - s.at_s).max(0.0));
        let rounded = provisioned_billable_seconds(span);
        env_seconds += u64::from(s.level) * rounded;
        if next >= window && s.at_s < window {
            // Still enabled at the window's end, as the simulation sees it.
            let secs = span.as_micros().div_ceil(1_000_000).min(rounded);
            open_rounding += u64::from(s.level) * (rounded - secs);
        }
    }
    (env_seconds, open_rounding)
}
