//! The fast aggregate mode: the EXPECTED billable usage of a scenario's
//! traffic, computed from the pattern and the distributions without
//! simulating a single invocation, then priced by the ordinary bills.
//!
//! Method (each step an expectation, so cost is linear in the slices, not
//! in the requests):
//! 1. Arrivals: each source's pattern becomes pieces of constant rate, by
//!    exact integration (a daily cycle's sinusoid in 96 slices per period,
//!    traces in 60 s bins, schedules and bursts by count). All sources
//!    share one set of slice boundaries, provisioned-concurrency changes
//!    included.
//! 2. Billed duration per invocation: E[min(X·f, timeout)] in closed form
//!    for each distribution (f = the memory's CPU factor), plus 0.5 ms for
//!    AWS's per-invocation rounding UP to 1 ms of a continuous duration
//!    (exact ceil for a fixed one); a timed-out invocation bills the timeout.
//! 3. Attempts: async events retry a failed or timed-out attempt (up to the
//!    configured retries); SQS messages come back until `max_receive_count`;
//!    SQS batches hold max(1, λ·S·receives / concurrent batches) messages
//!    (the pollers' throughput must match the arrivals once saturated).
//! 4. Provisioned concurrency: busy environments are Poisson(a) (M/G/∞,
//!    a = λ·S), so provisioned ones serve E[min(N, level)]; the configured
//!    spans are priced exactly (5-minute rounding).
//! 5. Cold starts: the environment pool follows a + 3√a + 1 (growth is cold
//!    starts; it shrinks after the keep-alive), plus sparse traffic
//!    (an arrival finds no warm environment with probability e^(−λ·keep-alive))
//!    plus one per timed-out invocation (its environment is destroyed).
//! 6. EC2: instance-seconds of the fleet as configured. A fixed fleet is
//!    stepped minute by minute as the engine operates it: an injected crash
//!    (or zone outage) leaves the instance billed, the health checks notice
//!    it, the on-call operator is paged and after the response time
//!    replaces it by hand and, if the overload alarm fired on the expected
//!    CPU, resizes the fleet. Auto Scaling with target tracking is stepped
//!    minute by minute with the engine's own tracker (boot time, warm-up,
//!    cooldown, gradual scale-in; capacity from the moment a boot ends;
//!    queued work carried over, failed messages back after their visibility
//!    timeout), on 16 seeded paths of the metric's noise (a period's work
//!    is a sum of random service times), averaged; scheduled actions apply
//!    at their times. The sweep sizes the fleet itself (fixed for the peak,
//!    or following the load without lag). ALB hours per clock hour with
//!    their LCU dimensions; SQS requests of the workers (empty long polls
//!    included).
//!
//! Not modelled: throttling by Lambda's scaling rate, patching's capacity
//! loss (it bills the same), noise on the fixed fleet's overload alarm.
//! Accuracy against the simulation, per example, is in
//! `tests/billing_aggregate.rs` (within 1 % on every example).

use super::accrual::Pricer;
use super::bill::Bill;
use super::pricing::Pricing;
use super::projection::{project_ec2, project_event_sources, project_lambda};
use super::usage::{
    async_request_units, ec2_billable_seconds, provisioned_billable_seconds, sqs_request_units,
    AlbHour, AlbUsage, Ec2Usage, EventSourceUsage, InstanceUsage, InvocationTotals, LambdaUsage,
    MONTH_SECONDS,
};
use crate::engine::defaults as d;
use crate::engine::dist::{rng_stream, Distribution};
use crate::engine::ec2::autoscaling::{needed_capacity, Bounds, Tracker};
use crate::engine::ec2::config::{AutoScalingConfig, Ec2Config, Failure, ScalingMetric};
use crate::engine::ec2::defaults as ed;
use crate::engine::ec2::ops::{Alarm, Pager};
use crate::engine::scenario::{Pattern, Scenario, SourceKind};
use crate::engine::time::SimDuration;
use crate::engine::time::SimTime;
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Slices per period of a daily cycle.
const CYCLE_SLICES: usize = 96;
/// Bin width for replayed traces [s].
const TRACE_BIN_S: f64 = 60.0;
/// Standard deviations of headroom in the environment pool estimate.
const POOL_HEADROOM_SD: f64 = 3.0;
/// Paths of the Auto Scaling fleet, each with its own draw of the metric's
/// noise, averaged [paths].
const NOISE_PATHS: u64 = 16;
/// The random stream of that noise (beside the engine's arrival and
/// service streams).
const STREAM_AGGREGATE_NOISE: u64 = 4;

/// The noise of a fleet's measured load: a period's work has variance
/// `variance_per_work_s` × its expected work [s], drawn from `seed`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Noise {
    variance_per_work_s: f64,
    seed: u64,
}

/// How the EC2 fleet is sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FleetSizing {
    /// As the scenario's `ec2` section says (fixed fleet, or Auto Scaling).
    AsConfigured,
    /// A fixed fleet big enough for the peak slice at the target utilization.
    FixedForPeak,
    /// Auto Scaling that follows the load at the target utilization, no
    /// upper bound.
    AutoScaling,
}

/// Options of an estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AggregateOptions {
    /// Every rate (and burst, schedule and trace count) multiplied by this [×].
    pub rate_scale: f64,
    /// How the fleet is sized.
    pub sizing: FleetSizing,
}

impl Default for AggregateOptions {
    fn default() -> Self {
        AggregateOptions {
            rate_scale: 1.0,
            sizing: FleetSizing::AsConfigured,
        }
    }
}

/// The expected billable usage of a scenario's window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Length of the window [s].
    pub window_s: f64,
    /// Expected arrivals of every source [events].
    pub arrivals: f64,
    /// Expected Lambda invocations [invocations].
    pub invocations: f64,
    /// Expected cold starts [invocations].
    pub cold_starts: f64,
    /// The Lambda function's usage.
    pub lambda: LambdaUsage,
    /// Its event sources' requests.
    pub lambda_sources: EventSourceUsage,
    /// The EC2 fleet's usage.
    pub ec2: Ec2Usage,
    /// The fleet's event-source requests (S3 uploads, SQS).
    pub ec2_sources: EventSourceUsage,
    /// Largest fleet in any slice [instances].
    pub peak_instances: u32,
}

/// A month priced in aggregate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthEstimate {
    /// Says this is an estimate and how it was made.
    pub method: String,
    /// Expected arrivals in the month [events].
    pub requests_per_month: u64,
    /// The Lambda deployment's monthly bill.
    pub lambda: Bill,
    /// The EC2 deployment's monthly bill (none if its type has no price).
    pub ec2: Option<Bill>,
}

/// The label of an aggregate month.
pub const METHOD: &str = "ESTIMATE, not a bill: expected usage of the scenario's traffic pattern computed in aggregate (arrivals by integration, billed duration from the distribution's mean with 1 ms rounding, cold starts and provisioned share from queueing formulas), its window repeated to fill a 30-day month, then priced with the month's tiers and free tier.";

/// One source's traffic: pieces of constant rate (start, end, arrivals).
type Pieces = Vec<(f64, f64, f64)>;

fn pieces(p: &Pattern, window: f64, k: f64) -> Pieces {
    let mut out = Vec::new();
    let mut push = |a: f64, b: f64, n: f64| {
        let (a, b) = (a.clamp(0.0, window), b.clamp(0.0, window));
        if b > a && n > 0.0 {
            out.push((a, b, n * k));
        }
    };
    match p {
        Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => {
            push(0.0, window, rate_per_s * window)
        }
        Pattern::DailyCycle {
            low_per_s,
            high_per_s,
            peak_hour,
            period_h,
        } => {
            let period = period_h * 3_600.0;
            let peak = peak_hour * 3_600.0;
            let w = 2.0 * core::f64::consts::PI / period;
            let mean = (low_per_s + high_per_s) / 2.0;
            let amp = (high_per_s - low_per_s) / 2.0;
            // ∫ low + (high−low)(1+cos(w(t−peak)))/2 dt.
            let integral = |t: f64| mean * t + amp * libm::sin(w * (t - peak)) / w;
            let step = period / CYCLE_SLICES as f64;
            let mut a = 0.0;
            while a < window {
                let b = (a + step).min(window);
                push(a, b, integral(b) - integral(a));
                a = b;
            }
        }
        Pattern::Steps { steps, .. } => {
            for (i, s) in steps.iter().enumerate() {
                let end = steps.get(i + 1).map_or(window, |n| n.at_s);
                push(
                    s.at_s,
                    end,
                    s.rate_per_s * (end.min(window) - s.at_s).max(0.0),
                );
            }
        }
        Pattern::Bursts { bursts } => {
            // A burst arrives at once; spread over one second for the rates.
            for b in bursts {
                if b.at_s < window {
                    push(b.at_s, b.at_s + 1.0, b.count as f64);
                }
            }
        }
        Pattern::Every {
            interval_s,
            start_s,
        } => {
            if *start_s < window && *interval_s > 0.0 {
                let n = libm::floor((window - start_s) / interval_s - 1e-9) + 1.0;
                push(*start_s, window, n.max(0.0));
            }
        }
        Pattern::TraceTimes { times_s } => {
            bin(times_s.iter().map(|&t| (t, 1.0)), window, &mut push)
        }
        Pattern::TraceCounts { counts_per_s, csv } => {
            let counts = Pattern::trace_counts(counts_per_s, csv).unwrap_or_default();
            bin(
                counts
                    .iter()
                    .enumerate()
                    .map(|(s, &n)| (s as f64, n as f64)),
                window,
                &mut push,
            )
        }
    }
    out
}

fn bin(items: impl Iterator<Item = (f64, f64)>, window: f64, push: &mut impl FnMut(f64, f64, f64)) {
    let bins = libm::ceil(window / TRACE_BIN_S).max(1.0) as usize;
    let mut counts = vec![0.0; bins];
    for (t, n) in items {
        if (0.0..window).contains(&t) {
            counts[((t / TRACE_BIN_S) as usize).min(bins - 1)] += n;
        }
    }
    for (i, n) in counts.into_iter().enumerate() {
        let a = i as f64 * TRACE_BIN_S;
        push(a, a + TRACE_BIN_S, n);
    }
}

/// Arrivals of `p` inside [a, b), rates uniform within each piece. `cursor`
/// walks forward with the slices.
fn arrivals_in(p: &Pieces, cursor: &mut usize, a: f64, b: f64) -> f64 {
    while *cursor < p.len() && p[*cursor].1 <= a {
        *cursor += 1;
    }
    let mut n = 0.0;
    let mut i = *cursor;
    while i < p.len() && p[i].0 < b {
        let (s, e, count) = p[i];
        let overlap = (e.min(b) - s.max(a)).max(0.0);
        n += count * overlap / (e - s);
        i += 1;
    }
    n
}

/// The EC2 load of the slices (see `load` in [`estimate`]) inside [t, end):
/// (busy worker-seconds, API requests, queued worker-seconds). `slice`
/// walks forward with the periods.
fn load_in(
    load: &[(f64, f64, f64, f64, f64)],
    slice: &mut usize,
    t: f64,
    end: f64,
) -> (f64, f64, f64) {
    while *slice < load.len() && load[*slice].0 + load[*slice].1 <= t {
        *slice += 1;
    }
    let (mut busy, mut api, mut queued) = (0.0, 0.0, 0.0);
    let mut j = *slice;
    while j < load.len() && load[j].0 < end {
        let (s0, len, b, n, api_busy) = load[j];
        let overlap = (end.min(s0 + len) - t.max(s0)).max(0.0);
        busy += b * overlap;
        api += n * overlap / len;
        queued += (b - api_busy).max(0.0) * overlap;
        j += 1;
    }
    (busy, api, queued)
}

/// Standard normal CDF.
fn phi(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / core::f64::consts::SQRT_2))
}

/// A duration model's expected billed handler time and timeout share.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Billed {
    /// E[min(X·f, T)] [ms].
    mean_ms: f64,
    /// E[billed ms] with per-invocation rounding up [ms].
    billed_ms: f64,
    /// P(X·f > T).
    p_timeout: f64,
}

fn billed(dist: &Distribution, factor: f64, timeout_ms: f64) -> Billed {
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
fn poisson_min(a: f64, c: u32) -> f64 {
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
struct SqsSamples {
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
    fn invocations_per_message(
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
    let mut sim = crate::engine::sim::Simulation::new(&s).ok()?;
    sim.set_record_happenings(false);
    let start = crate::engine::time::SimTime::ZERO + SimDuration::from_secs_f64(s.duration_s / 3.0);
    sim.advance_to(start);
    let (a0, i0) = (sim.counters().arrived, sim.counters().invocations);
    sim.advance_to(sim.end());
    let (a1, i1) = (sim.counters().arrived, sim.counters().invocations);
    (a1 > a0 + 100).then(|| (i1 - i0) as f64 / (a1 - a0) as f64)
}

/// The scenario's `ec2` section, or the defaults when it has none (the
/// sweep still compares Lambda with a default fleet).
pub fn fleet_config(scenario: &Scenario) -> Ec2Config {
    scenario.ec2.clone().unwrap_or_default()
}

/// The expected usage of `scenario`'s window (its `duration_s`).
pub fn estimate(scenario: &Scenario, ec2: &Ec2Config, opts: AggregateOptions) -> Estimate {
    let window = scenario.duration_s.max(0.0);
    let k = if opts.rate_scale.is_finite() {
        opts.rate_scale.max(0.0)
    } else {
        0.0
    };
    let f = &scenario.function;
    let traffic: Vec<Pieces> = scenario
        .sources
        .iter()
        .map(|s| pieces(&s.pattern, window, k))
        .collect();

    // Slice boundaries: every piece edge, every provisioned change.
    let mut edges: Vec<f64> = vec![0.0, window];
    for p in &traffic {
        for &(a, b, _) in p {
            edges.push(a);
            edges.push(b);
        }
    }
    for s in &f.provisioned {
        edges.push(s.at_s.clamp(0.0, window));
    }
    if let Some(a) = &ec2.auto_scaling {
        for s in &a.scheduled {
            edges.push(s.at_s.clamp(0.0, window));
        }
    }
    crate::engine::order::sort_by_u64(&mut edges, |&e| crate::engine::order::f64_key(e));
    edges.dedup_by(|a, b| (*a - *b).abs() < 1e-9);

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
    let geometric = |tries: u32| (0..tries).map(|i| p_fail.powi(i as i32)).sum::<f64>();
    let async_attempts = geometric(f.async_config.max_retries.min(d::ASYNC_RETRIES_MAX) + 1);
    let limit = f64::from(
        f.reserved_concurrency
            .unwrap_or(scenario.account.concurrency_limit),
    );

    // EC2 service model.
    let catalog_vcpu = Pricing::default()
        .catalog()
        .ec2
        .instance(&ec2.instance_type)
        .map_or(2, |i| i.vcpu);
    let slots = f64::from(ec2.slots(catalog_vcpu));
    let ec2_dist = ec2.duration.as_ref().unwrap_or(&f.duration);
    let ec2_service_s = ec2_dist.mean_ms() / 1e3 / ec2.speed_factor.max(1e-9);
    let ec2_err = ec2.error_rate.unwrap_or(f.error_rate).clamp(0.0, 1.0);
    let target_util = ec2
        .auto_scaling
        .as_ref()
        .and_then(|a| a.target_tracking.as_ref())
        .filter(|t| t.metric == ScalingMetric::Cpu)
        .map_or(ed::TARGET_CPU_DEFAULT, |t| t.target)
        .clamp(1.0, 100.0)
        / 100.0;

    let mut od = InvocationTotals::default();
    let mut spill = InvocationTotals::default();
    let (mut od_f, mut spill_f) = ([0.0f64; 3], [0.0f64; 3]);
    let (mut prov_req, mut prov_ms) = (0.0, 0.0);
    let mut src = [0.0f64; 3]; // api, s3 puts, sqs requests (Lambda side)
    let (mut arrivals_total, mut invocations, mut colds) = (0.0, 0.0, 0.0);
    let mut pool = 0.0f64;
    let mut cursors = vec![0usize; traffic.len()];
    // Per-slice EC2 load, for the fleet: (start, len, busy workers, api arrivals, api busy).
    let mut load: Vec<(f64, f64, f64, f64, f64)> = Vec::with_capacity(edges.len());
    let mut sampled = SqsSamples::default();
    // Queued EC2 work [worker-seconds]: all attempts, first attempts, and
    // redeliveries weighted by their visibility timeout; the fleet's SQS
    // requests.
    let (mut queued_all, mut queued_first, mut redelivery_delay) = (0.0, 0.0, 0.0);
    let mut ec2_sqs = 0.0;
    // The fleet reads `n` messages of `payload` bytes from a queue: a
    // failed one comes back after the visibility timeout, up to
    // `max_receive_count` receives. Counts the queued work and the send,
    // receive and delete requests (a delete per message that succeeds
    // before the dead-letter queue); returns the busy worker-seconds.
    let mut fleet_reads_queue =
        |n: f64, payload: u64, max_receive_count: Option<u32>, visibility_s: f64| {
            let receives = n * receives_of(max_receive_count, ec2_err);
            let (all, first) = (receives * ec2_service_s, n * ec2_service_s);
            queued_all += all;
            queued_first += first;
            redelivery_delay += (all - first) * visibility_s;
            let unit = sqs_request_units(payload) as f64;
            let succeeded = max_receive_count.map_or(1.0, |r| 1.0 - ec2_err.powi(r as i32));
            ec2_sqs += n * unit + receives * unit + n * succeeded;
            all
        };

    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = b - a;
        if len <= 0.0 {
            continue;
        }
        let level = f
            .provisioned
            .iter()
            .rfind(|s| s.at_s <= a + 1e-9)
            .map_or(0, |s| s.level);
        // Invocations and requests of this slice, per kind.
        let mut inv = 0.0;
        let mut req_units = 0.0;
        let (mut ec2_busy, mut api_arrivals) = (0.0, 0.0);
        for (i, s) in scenario.sources.iter().enumerate() {
            let n = arrivals_in(&traffic[i], &mut cursors[i], a, b);
            if n <= 0.0 {
                continue;
            }
            arrivals_total += n;
            let payload = libm::ceil((s.payload_kb * 1_024.0).max(0.0)) as u64;
            match s.kind {
                SourceKind::Api => {
                    src[0] += n;
                    inv += n;
                    req_units += n;
                    api_arrivals += n;
                    ec2_busy += n * ec2_service_s;
                }
                SourceKind::S3 | SourceKind::Schedule => {
                    if s.kind == SourceKind::S3 {
                        src[1] += n;
                    }
                    let attempts = n * async_attempts;
                    inv += attempts;
                    req_units += attempts * async_request_units(payload) as f64;
                    // The fleet reads them through a queue.
                    let q = &ec2.notification_queue;
                    ec2_busy +=
                        fleet_reads_queue(n, payload, q.max_receive_count, q.visibility_timeout_s);
                }
                SourceKind::Sqs => {
                    let cfg = s.sqs.clone().unwrap_or_default();
                    let receives = cfg
                        .max_receive_count
                        .map_or(1.0 / (1.0 - p_fail).max(1e-6), geometric);
                    let pollers = f64::from(
                        cfg.maximum_concurrency
                            .unwrap_or(d::SQS_MAX_BATCHES)
                            .min(limit as u32)
                            .max(1),
                    );
                    let msgs = n * receives;
                    let rate = n / len;
                    let batches = n * sampled.invocations_per_message(scenario, i, rate, || {
                        receives
                            / (msgs / len * warm.mean_ms / 1e3 / pollers)
                                .clamp(1.0, f64::from(cfg.batch_size.max(1)))
                    });
                    let per_batch = (msgs / batches.max(1e-9)).max(1.0);
                    inv += batches;
                    req_units += batches;
                    let unit = sqs_request_units(payload) as f64;
                    let recv_unit =
                        sqs_request_units((payload as f64 * per_batch).ceil() as u64) as f64;
                    // Send, receive (per batch), delete (per good batch).
                    src[2] += n * unit + batches * recv_unit + batches * (1.0 - p_fail);
                    ec2_busy += fleet_reads_queue(
                        n,
                        payload,
                        cfg.max_receive_count,
                        cfg.visibility_timeout_s,
                    );
                }
            }
        }
        load.push((
            a,
            len,
            ec2_busy / len,
            api_arrivals,
            api_arrivals * ec2_service_s / len,
        ));
        if inv <= 0.0 {
            // An idle slice longer than the keep-alive empties the pool.
            if len >= f.keep_alive_s {
                pool = 0.0;
            }
            continue;
        }
        // Concurrency (Little's law) and what the limit lets through; only
        // synchronous requests are lost, the rest wait and run later.
        let busy = inv * warm.mean_ms / 1e3 / len;
        let served = if busy > limit { limit / busy } else { 1.0 };
        let inv = inv * served;
        let req_units = req_units * served;
        invocations += inv;
        let prov_busy = poisson_min(busy.min(limit), level);
        let prov_share = if busy > 0.0 { prov_busy / busy } else { 0.0 };
        let od_inv = inv * (1.0 - prov_share);
        let od_busy = (busy - prov_busy).max(0.0);
        // Cold starts: pool growth, sparse traffic, destroyed environments.
        let need = if od_busy > 0.0 {
            od_busy + POOL_HEADROOM_SD * libm::sqrt(od_busy) + 1.0
        } else {
            0.0
        };
        let rate = od_inv / len;
        let growth = (need - pool).max(0.0);
        let sparse = od_inv * libm::exp(-rate * f.keep_alive_s);
        let c = (growth + sparse + od_inv * warm.p_timeout).min(od_inv);
        pool = if len >= f.keep_alive_s {
            need
        } else {
            pool.max(need)
        };
        colds += c;
        let ms = (od_inv - c) * warm.billed_ms + c * cold.billed_ms;
        let totals = [req_units * (1.0 - prov_share), ms, ms + c * init_ms];
        if level > 0 {
            prov_req += req_units * prov_share;
            prov_ms += inv * prov_share * warm.billed_ms;
            for (s, v) in spill_f.iter_mut().zip(totals) {
                *s += v;
            }
        } else {
            for (s, v) in od_f.iter_mut().zip(totals) {
                *s += v;
            }
        }
    }
    let round = |v: f64| libm::round(v.max(0.0)) as u64;
    od.requests = round(od_f[0]);
    od.billed_ms = round(od_f[1]);
    od.billed_ms_with_init = round(od_f[2]);
    spill.requests = round(spill_f[0]);
    spill.billed_ms = round(spill_f[1]);
    spill.billed_ms_with_init = round(spill_f[2]);

    // Provisioned spans, exactly as billed: each constant level rounded up
    // to 5 minutes, the open one up to the window's end.
    let mut env_seconds = 0u64;
    for (i, s) in f.provisioned.iter().enumerate() {
        let end = f
            .provisioned
            .get(i + 1)
            .map_or(window, |n| n.at_s)
            .min(window);
        let span = SimDuration::from_secs_f64((end - s.at_s).max(0.0));
        env_seconds += u64::from(s.level) * provisioned_billable_seconds(span);
    }

    let mut lambda = LambdaUsage::new(f.architecture, f.memory_mb, f.ephemeral_storage_mb);
    lambda.on_demand = od;
    lambda.on_demand_while_provisioned = spill;
    lambda.provisioned_requests = round(prov_req);
    lambda.provisioned_billed_ms = round(prov_ms);
    lambda.provisioned_env_seconds = env_seconds;
    let lambda_sources = EventSourceUsage {
        api_http_requests: round(src[0]),
        s3_put_requests: round(src[1]),
        sqs_standard_requests: round(src[2]),
        ..EventSourceUsage::default()
    };

    let redelivery = Redelivery {
        share: if queued_all > 0.0 {
            (1.0 - queued_first / queued_all).clamp(0.0, 1.0)
        } else {
            0.0
        },
        delay_s: if queued_all > queued_first {
            redelivery_delay / (queued_all - queued_first)
        } else {
            0.0
        },
    };
    // The metric's noise: the work of a period is a sum of random service
    // times, Var = E[work] × E[S²] / E[S] for Poisson arrivals (only the
    // service times vary for evenly spaced ones).
    let evenly_spaced = scenario
        .sources
        .iter()
        .all(|s| matches!(s.pattern, Pattern::Constant { .. }));
    let (m1, m2) = (ec2_dist.mean_ms(), ec2_dist.second_moment_ms2());
    let noise = Noise {
        variance_per_work_s: if m1 > 0.0 {
            let m2 = if evenly_spaced {
                (m2 - m1 * m1).max(0.0)
            } else {
                m2
            };
            m2 / m1 / 1e3 / ec2.speed_factor.max(1e-9)
        } else {
            0.0
        },
        seed: scenario.seed,
    };
    let fleet = FleetLoad {
        ec2,
        load: &load,
        window,
        slots,
        redelivery,
    };
    let (ec2_usage, peak_instances, idle_slot_s) =
        fleet_usage(&fleet, opts.sizing, target_util, noise);
    let mut ec2_usage = ec2_usage;
    let has_sqs_workers = scenario.sources.iter().any(|s| s.kind != SourceKind::Api);
    if has_sqs_workers {
        // Idle workers long-poll every 20 s.
        ec2_sqs += idle_slot_s / ed::SQS_LONG_POLL_S as f64;
    }
    if scenario.sources.iter().any(|s| s.kind == SourceKind::Api) {
        ec2_usage.alb = Some(alb_usage(ec2, scenario, &load, window));
    }
    let ec2_sources = EventSourceUsage {
        s3_put_requests: round(src[1]),
        sqs_standard_requests: round(ec2_sqs),
        ..EventSourceUsage::default()
    };
    Estimate {
        window_s: window,
        arrivals: arrivals_total,
        invocations,
        cold_starts: colds,
        lambda,
        lambda_sources,
        ec2: ec2_usage,
        ec2_sources,
        peak_instances,
    }
}

/// The metric period of Auto Scaling and the alarms [s].
const METRIC_PERIOD: f64 = ed::METRIC_PERIOD_S as f64;

/// What every fleet model takes: the fleet, the expected EC2 load of the
/// window's slices and how failed queued work comes back.
#[derive(Clone, Copy, Debug)]
struct FleetLoad<'a> {
    ec2: &'a Ec2Config,
    /// Per slice: (start [s], length [s], busy workers, API arrivals, busy
    /// workers serving API requests); see `load` in [`estimate`].
    load: &'a [(f64, f64, f64, f64, f64)],
    /// Length of the window [s].
    window: f64,
    /// Worker slots per instance.
    slots: f64,
    redelivery: Redelivery,
}

/// Instance-seconds of the fleet, its peak size and the idle worker-slot
/// seconds; `util` is the target utilization of a fleet sized for the
/// load.
fn fleet_usage(
    f: &FleetLoad,
    sizing: FleetSizing,
    util: f64,
    noise: Noise,
) -> (Ec2Usage, u32, f64) {
    let (ec2, load, window, slots) = (f.ec2, f.load, f.window, f.slots);
    let per_instance = (slots * util).max(1e-9);
    let needed = |busy: f64| libm::ceil(busy / per_instance - 1e-9).max(0.0) as u32;
    let zones = ec2.zones.max(1);
    let peak_need = load.iter().map(|l| needed(l.2)).max().unwrap_or(0);
    let asg = ec2.auto_scaling.as_ref();
    // Instances in each slice.
    let sizes: Vec<u32> = match sizing {
        FleetSizing::FixedForPeak => vec![peak_need.max(zones); load.len()],
        FleetSizing::AutoScaling => {
            let min = asg.map_or(1, |a| a.min).max(1);
            load.iter().map(|l| needed(l.2).max(min)).collect()
        }
        FleetSizing::AsConfigured => match asg {
            None => return operated_fleet(f),
            Some(a) if a.target_tracking.is_some() => return tracked_fleet(f, a, noise),
            Some(a) => {
                // Scheduled actions change the bounds and the desired size
                // from their time on (slice edges include their times).
                let (mut min, mut max, mut desired) = (a.min, a.max, ec2.instances);
                let mut next = 0;
                load.iter()
                    .map(|l| {
                        while next < a.scheduled.len() && a.scheduled[next].at_s <= l.0 + 1e-9 {
                            let s = &a.scheduled[next];
                            min = s.min.unwrap_or(min);
                            max = s.max.unwrap_or(max);
                            desired = s.desired.unwrap_or(desired);
                            next += 1;
                        }
                        let want = match &a.target_tracking {
                            None => desired,
                            Some(t) if t.metric == ScalingMetric::RequestsPerTarget => {
                                libm::ceil(l.3 / l.1 * 60.0 / t.target.max(1e-9) - 1e-9) as u32
                            }
                            Some(_) => needed(l.2),
                        };
                        want.clamp(min, max.max(min))
                    })
                    .collect()
            }
        },
    };
    let mut u = Ec2Usage::default();
    let mut inst = InstanceUsage::default();
    let mut secs = 0.0;
    let mut idle = 0.0;
    let mut prev = 0u32;
    for (l, &n) in load.iter().zip(&sizes) {
        secs += f64::from(n) * l.1;
        idle += (f64::from(n) * slots - l.2).max(0.0) * l.1;
        inst.launches += u64::from(n.saturating_sub(prev));
        prev = n;
    }
    if load.is_empty() {
        // No slices: the configured fleet runs the whole (empty) window.
        inst.launches = u64::from(ec2.instances);
        secs = f64::from(ec2.instances) * window;
    }
    // Each launch bills at least a minute.
    let min_secs = inst.launches as f64 * ec2_billable_seconds(SimDuration::ZERO) as f64;
    inst.billable_seconds = libm::round(secs.max(min_secs)) as u64;
    u.instances.insert(ec2.instance_type.clone(), inst);
    let peak = sizes.iter().copied().max().unwrap_or(ec2.instances);
    (u, peak, idle)
}

/// Receives per message of a queue whose processing fails with
/// probability `p`: every failure comes back, up to `max_receive_count`.
fn receives_of(max_receive_count: Option<u32>, p: f64) -> f64 {
    max_receive_count.map_or(1.0 / (1.0 - p).max(1e-6), |r| {
        (0..r).map(|i| p.powi(i as i32)).sum::<f64>()
    })
}

/// How failed queued work comes back: the share of attempts that are
/// redeliveries, and when (the visibility timeout after the receive).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Redelivery {
    /// Redeliveries per served attempt [1].
    share: f64,
    /// Receive to redelivery [s].
    delay_s: f64,
}

/// Queued (non-API) work of a fleet stepped period by period: what waits,
/// and the failed attempts that come back after their visibility timeout
/// [worker-seconds].
struct Backlog {
    redelivery: Redelivery,
    waiting: f64,
    /// (when it becomes visible again, work).
    returning: Vec<(f64, f64)>,
}

impl Backlog {
    fn new(redelivery: Redelivery) -> Backlog {
        Backlog {
            redelivery,
            waiting: 0.0,
            returning: Vec::new(),
        }
    }

    /// Serves [t, end) with `capacity` worker-seconds: API work first (what
    /// does not fit is refused), then the queue (what does not fit waits).
    /// `queued` counts every attempt, redeliveries included; only the first
    /// attempts arrive now, the rest come back when their earlier attempts
    /// fail. Returns the work served.
    fn serve(&mut self, t: f64, end: f64, api: f64, queued: f64, capacity: f64) -> f64 {
        let r = self.redelivery;
        let mut back = 0.0;
        self.returning.retain(|&(at, w)| {
            if at < end {
                back += w;
                false
            } else {
                true
            }
        });
        let api_served = api.min(capacity);
        let offered = self.waiting + queued * (1.0 - r.share) + back;
        let queued_served = offered.min((capacity - api_served).max(0.0));
        self.waiting = offered - queued_served;
        if r.share > 0.0 && queued_served > 0.0 {
            self.returning
                .push(((t + end) / 2.0 + r.delay_s, queued_served * r.share));
        }
        api_served + queued_served
    }
}

/// One instance of [`operated_fleet`]: times [s since start].
#[derive(Clone, Copy, Debug)]
struct Machine {
    launched: f64,
    in_service_at: f64,
    zone: u32,
    /// When it crashed (it stays billed until terminated).
    failed_at: Option<f64>,
    terminated_at: Option<f64>,
}

impl Machine {
    fn alive(&self) -> bool {
        self.failed_at.is_none() && self.terminated_at.is_none()
    }
    /// Seconds of [a, b) it served in.
    fn serving(&self, a: f64, b: f64) -> f64 {
        let end = self
            .failed_at
            .or(self.terminated_at)
            .unwrap_or(f64::INFINITY);
        (b.min(end) - a.max(self.in_service_at)).max(0.0)
    }
}

/// A fixed fleet as the engine operates it ([`crate::engine::ec2`]): it
/// does not heal itself. An injected crash (or an Availability Zone
/// outage) leaves the instance billed and useless; the health checks
/// notice it after their interval × threshold, which pages the on-call
/// operator ([`Pager`]: one page per incident); the operator acts after the
/// response time, terminating every failed instance and launching
/// replacements (booting again). The overload alarm ([`Alarm`]) takes the
/// expected CPU of each 1-minute period of the instances in service; when
/// it fires it pages too, and the operator then resizes the fleet by hand
/// to their target CPU ([`needed_capacity`]), as the engine does. Without
/// an operator on call nothing is replaced. Patching is not modelled here
/// (it takes instances out of service but bills the same).
fn operated_fleet(f: &FleetLoad) -> (Ec2Usage, u32, f64) {
    let (ec2, load, window) = (f.ec2, f.load, f.window);
    let zones = ec2.zones.clamp(1, ed::ZONES_MAX);
    let op = &ec2.operator;
    let mut zone_down_until = vec![f64::NEG_INFINITY; zones as usize];
    let mut fleet: Vec<Machine> = Vec::new();
    let launch = |fleet: &mut Vec<Machine>, zone_down_until: &[f64], now: f64, initial: bool| {
        let mut per_zone = vec![0u32; zones as usize];
        for m in fleet.iter().filter(|m| m.terminated_at.is_none()) {
            per_zone[m.zone as usize] += 1;
        }
        let zone = (0..zones)
            .filter(|&z| zone_down_until[z as usize] <= now)
            .min_by_key(|&z| (per_zone[z as usize], z))?;
        fleet.push(Machine {
            launched: now,
            in_service_at: if initial { now } else { now + ec2.boot_s },
            zone,
            failed_at: None,
            terminated_at: None,
        });
        Some(())
    };
    let initial = ec2.instances.min(ed::MAX_INSTANCES);
    for _ in 0..initial {
        launch(&mut fleet, &zone_down_until, 0.0, true);
    }
    let mut target = initial;
    let mut peak = initial;
    // Discrete happenings, in time order: (time, kind, index). Kinds:
    // 0 = injected failure `index`, 1 = health checks notice, 2 = operator.
    let mut failures: Vec<(f64, u8, usize)> = ec2
        .failures
        .iter()
        .take(ed::MAX_EC2_ENTRIES)
        .enumerate()
        .map(|(i, f)| (f.at_s(), 0, i))
        .filter(|f| f.0 < window)
        .collect();
    let mut pending: Vec<(f64, u8, usize)> = Vec::new();
    let mut pager = Pager::default();
    let mut alarm = op
        .alarm_cpu_percent
        .map(|c| Alarm::new(c, op.alarm_datapoints));
    let (mut overload_pending, mut last_cpu) = (false, None::<f64>);
    let detection = ec2.health_check.detection_s();
    let mut idle = 0.0f64;
    let mut backlog = Backlog::new(f.redelivery);
    let mut slice = 0;
    let mut t = 0.0;
    crate::engine::order::sort_by_u64(&mut failures, |f| crate::engine::order::f64_key(f.0));
    pending.extend(failures);
    while t < window {
        let end = (t + METRIC_PERIOD).min(window);
        // Happenings up to the tick at `end`, in time order (an operator
        // acting at the tick's own time acts first, as scheduled earlier).
        while let Some(i) = (0..pending.len())
            .filter(|&i| pending[i].0 <= end)
            .min_by(|&a, &b| pending[a].0.total_cmp(&pending[b].0))
        {
            let (at, kind, index) = pending.swap_remove(i);
            match kind {
                0 => {
                    let hit: Vec<usize> = match ec2.failures[index] {
                        Failure::InstanceCrash { instance, .. } => {
                            let by_id = instance
                                .map(|id| id as usize)
                                .filter(|&id| fleet.get(id).is_some_and(Machine::alive));
                            let oldest = || {
                                (0..fleet.len())
                                    .find(|&i| fleet[i].alive() && fleet[i].in_service_at <= at)
                            };
                            by_id.or_else(oldest).into_iter().collect()
                        }
                        Failure::AzOutage {
                            zone, duration_s, ..
                        } => {
                            if let Some(z) = zone_down_until.get_mut(zone as usize) {
                                *z = z.max(at + duration_s);
                            }
                            (0..fleet.len())
                                .filter(|&i| fleet[i].zone == zone && fleet[i].alive())
                                .collect()
                        }
                    };
                    for i in hit {
                        fleet[i].failed_at = Some(at);
                        pending.push((at + detection, 1, i));
                    }
                }
                1 => {
                    if fleet[index].terminated_at.is_none() && op.on_call {
                        if let Some(acting) = pager.page(
                            SimTime::ZERO + SimDuration::from_secs_f64(at),
                            SimDuration::from_secs_f64(op.response_s),
                        ) {
                            pending.push((acting.as_micros() as f64 / 1e6, 2, 0));
                        }
                    }
                }
                _ => {
                    pager.resolved();
                    for m in fleet.iter_mut() {
                        if m.failed_at.is_some() && m.terminated_at.is_none() {
                            m.terminated_at = Some(at);
                        }
                    }
                    if std::mem::take(&mut overload_pending) {
                        if let Some(cpu) = last_cpu {
                            let serving = fleet
                                .iter()
                                .filter(|m| m.alive() && m.in_service_at <= at)
                                .count() as u32;
                            let want = needed_capacity(cpu, serving.max(1), op.target_cpu_percent)
                                .min(ed::MAX_INSTANCES);
                            target = target.max(want);
                        }
                    }
                    let live = fleet.iter().filter(|m| m.terminated_at.is_none()).count() as u32;
                    for _ in live..target {
                        if launch(&mut fleet, &zone_down_until, at, false).is_none() {
                            break;
                        }
                    }
                    peak = peak.max(target);
                }
            }
        }
        // The period's expected work against the capacity in service.
        let (busy, _, queued) = load_in(load, &mut slice, t, end);
        let serving: f64 = fleet.iter().map(|m| m.serving(t, end)).sum();
        let capacity = serving * f.slots;
        // A crashed instance keeps its share of the API traffic (answered
        // 502) until the health checks notice.
        let unnoticed: f64 = fleet
            .iter()
            .filter_map(|m| m.failed_at)
            .map(|f| ((f + detection).min(end) - f.max(t)).max(0.0))
            .sum();
        let reaching = if serving + unnoticed > 0.0 {
            serving / (serving + unnoticed)
        } else {
            0.0
        };
        let served = backlog.serve(
            t,
            end,
            (busy - queued).max(0.0) * reaching,
            queued,
            capacity,
        );
        idle += (capacity - served).max(0.0);
        let cpu = (capacity > 0.0).then(|| served / capacity * 100.0);
        last_cpu = cpu.or(last_cpu);
        if end - t >= METRIC_PERIOD - 1e-9
            && alarm.as_mut().is_some_and(|a| a.observe(cpu))
            && !overload_pending
        {
            overload_pending = true;
            if op.on_call {
                if let Some(acting) = pager.page(
                    SimTime::ZERO + SimDuration::from_secs_f64(end),
                    SimDuration::from_secs_f64(op.response_s),
                ) {
                    pending.push((acting.as_micros() as f64 / 1e6, 2, 0));
                }
            } else {
                overload_pending = false;
            }
        }
        t = end;
    }
    let mut inst = InstanceUsage::default();
    for m in &fleet {
        let until = m.terminated_at.unwrap_or(window).min(window);
        inst.launches += 1;
        inst.billable_seconds +=
            ec2_billable_seconds(SimDuration::from_secs_f64((until - m.launched).max(0.0)));
    }
    let mut u = Ec2Usage::default();
    u.instances.insert(ec2.instance_type.clone(), inst);
    (u, peak, idle)
}

/// Auto Scaling with target tracking, stepped minute by minute on the
/// expected load with the engine's own [`Tracker`]: scale-out after its
/// datapoints plus the boot time, gradual scale-in after the cooldown and
/// warm-up, queued (non-API) work carried over while the fleet is short.
/// Deterministic and O(minutes × cohorts): a month is 43,200 steps.
fn tracked_fleet(f: &FleetLoad, a: &AutoScalingConfig, noise: Noise) -> (Ec2Usage, u32, f64) {
    let (mut billed, mut launches, mut peak, mut idle) = (0u64, 0u64, 0u32, 0.0f64);
    for path in 0..NOISE_PATHS {
        let mut rng = rng_stream(noise.seed, STREAM_AGGREGATE_NOISE, path);
        let (b, l, p, i) = tracked_path(f, a, &mut |work| {
            let sd = libm::sqrt(work.max(0.0) * noise.variance_per_work_s);
            let z: f64 = rng.sample(StandardNormal);
            (work + sd * z).max(0.0)
        });
        billed += b;
        launches += l;
        peak = peak.max(p);
        idle += i;
    }
    let n = NOISE_PATHS;
    let mut u = Ec2Usage::default();
    u.instances.insert(
        f.ec2.instance_type.clone(),
        InstanceUsage {
            launches: (launches + n / 2) / n,
            billable_seconds: (billed + n / 2) / n,
        },
    );
    (u, peak, idle / n as f64)
}

/// One path of [`tracked_fleet`]: `noisy` draws a period's work around its
/// expectation. Returns (billable seconds, launches, peak, idle
/// worker-seconds).
fn tracked_path(
    f: &FleetLoad,
    a: &AutoScalingConfig,
    noisy: &mut impl FnMut(f64) -> f64,
) -> (u64, u64, u32, f64) {
    let (ec2, load, window) = (f.ec2, f.load, f.window);
    let Some(policy) = a.target_tracking.clone() else {
        return (0, 0, 0, 0.0);
    };
    let mut tracker = Tracker::new(policy);
    let mut bounds = Bounds {
        min: a.min,
        max: a.max.max(a.min),
        desired: ec2.instances.clamp(a.min, a.max.max(a.min)),
    };
    // Cohorts of instances: (launch time [s], count, initial).
    let mut cohorts: Vec<(f64, u32, bool)> = vec![(0.0, bounds.desired, true)];
    let mut billed = 0u64;
    let mut launches = u64::from(bounds.desired);
    let mut peak = bounds.desired;
    let (mut idle, mut last_activity) = (0.0f64, f64::NEG_INFINITY);
    let mut backlog = Backlog::new(f.redelivery);
    let mut next_scheduled = 0;
    let mut slice = 0;
    let mut t = 0.0;
    let terminate = |c: &mut Vec<(f64, u32, bool)>, mut n: u32, now: f64, billed: &mut u64| {
        // Newest first, as the group scales in.
        while n > 0 {
            let Some(last) = c.last_mut() else { break };
            let k = last.1.min(n);
            *billed +=
                u64::from(k) * ec2_billable_seconds(SimDuration::from_secs_f64(now - last.0));
            last.1 -= k;
            n -= k;
            if last.1 == 0 {
                c.pop();
            }
        }
    };
    while t < window {
        let end = (t + METRIC_PERIOD).min(window);
        // Expected busy workers and API requests in [t, end).
        let (busy, api, queued) = load_in(load, &mut slice, t, end);
        let in_service: u32 = cohorts
            .iter()
            .filter(|c| c.2 || c.0 + ec2.boot_s <= t)
            .map(|c| c.1)
            .sum();
        // Worker-seconds in service: an instance serves from the moment its
        // boot ends, usually inside a period.
        let capacity = cohorts
            .iter()
            .map(|c| {
                let from = if c.2 { 0.0 } else { c.0 + ec2.boot_s };
                f64::from(c.1) * (end - from.max(t)).max(0.0)
            })
            .sum::<f64>()
            * f.slots;
        // API work beyond the capacity is refused; queued work waits for
        // what capacity is left [worker-seconds].
        // The metric sees this period's random work, not its expectation.
        let drawn = noisy(busy);
        let k = if busy > 0.0 { drawn / busy } else { 0.0 };
        let served = backlog.serve(t, end, (busy - queued).max(0.0) * k, queued * k, capacity);
        idle += (capacity - served).max(0.0);
        let counted: u32 = cohorts
            .iter()
            .filter(|c| c.2 || c.0 + ec2.boot_s + a.warmup_s <= t)
            .map(|c| c.1)
            .sum();
        let warming = cohorts
            .iter()
            .any(|c| !c.2 && c.0 + ec2.boot_s + a.warmup_s > end);
        let cpu = (capacity > 0.0).then(|| served / capacity * 100.0);
        let datapoint = match tracker.policy().metric {
            ScalingMetric::Cpu => cpu.map(|c| (c, counted)).filter(|d| d.1 > 0),
            ScalingMetric::RequestsPerTarget => {
                (in_service > 0).then(|| (api / f64::from(in_service), in_service))
            }
        };
        while next_scheduled < a.scheduled.len() && a.scheduled[next_scheduled].at_s <= end {
            let s = &a.scheduled[next_scheduled];
            bounds.apply(s.min, s.max, s.desired);
            next_scheduled += 1;
        }
        let may_scale_in = !warming && end >= last_activity + a.scale_in_cooldown_s;
        if let Some(w) = tracker.observe(datapoint, bounds, may_scale_in) {
            bounds.desired = w;
            last_activity = end;
        }
        let alive: u32 = cohorts.iter().map(|c| c.1).sum();
        if bounds.desired > alive {
            let n = bounds.desired - alive;
            cohorts.push((end, n, false));
            launches += u64::from(n);
        } else if bounds.desired < alive {
            terminate(&mut cohorts, alive - bounds.desired, end, &mut billed);
        }
        peak = peak.max(bounds.desired);
        t = end;
    }
    let alive: u32 = cohorts.iter().map(|c| c.1).sum();
    terminate(&mut cohorts, alive, window, &mut billed);
    (billed, launches, peak, idle)
}

/// The load balancer's hours: one entry per started clock hour with its
/// API requests, connections, bytes and rule evaluations.
fn alb_usage(
    ec2: &Ec2Config,
    scenario: &Scenario,
    load: &[(f64, f64, f64, f64, f64)],
    window: f64,
) -> AlbUsage {
    let hours = SimDuration::from_secs_f64(window)
        .as_micros()
        .div_ceil(3_600_000_000)
        .max(1) as usize;
    let mut req = vec![0.0f64; hours];
    let mut conn_s = vec![0.0f64; hours];
    for &(a, len, _, n, busy) in load {
        // Spread the slice over the clock hours it touches.
        let (mut t, end) = (a, a + len);
        while t < end {
            let h = ((t / 3_600.0) as usize).min(hours - 1);
            let h_end = ((h + 1) as f64 * 3_600.0).min(end);
            let part = (h_end - t) / len;
            req[h] += n * part;
            conn_s[h] += busy * (h_end - t);
            if h_end <= t {
                break;
            }
            t = h_end;
        }
    }
    // Bytes of a request: the API sources' mean payload, plus the response.
    let api: Vec<_> = scenario
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Api)
        .collect();
    let req_bytes = api
        .iter()
        .map(|s| libm::ceil((s.payload_kb * 1_024.0).max(0.0)))
        .sum::<f64>()
        / api.len().max(1) as f64;
    let resp_bytes = libm::ceil((ec2.load_balancer.response_kb * 1_024.0).max(0.0));
    let rules = f64::from(ec2.load_balancer.rules.saturating_sub(ed::FREE_RULES));
    let round = |v: f64| libm::round(v.max(0.0)) as u64;
    AlbUsage {
        lambda_targets: false,
        hours: req
            .iter()
            .zip(&conn_s)
            .map(|(&n, &c)| AlbHour {
                hours: 1,
                new_connections: round(n),
                active_connection_minutes: round(c / 60.0),
                processed_bytes: round(n * (req_bytes + resp_bytes)),
                rule_evaluations: round(n * rules),
            })
            .collect(),
    }
}

/// A 30-day month of `scenario`'s traffic priced in aggregate: its window's
/// expected usage scaled to a month (as the simulator's projection does),
/// then billed.
pub fn month(
    scenario: &Scenario,
    ec2: &Ec2Config,
    pricing: &Pricing,
    opts: AggregateOptions,
) -> MonthEstimate {
    let e = estimate(scenario, ec2, opts);
    let pricer = Pricer::new(pricing);
    let window = SimDuration::from_secs_f64(e.window_s);
    let lambda = pricer.lambda_bill(
        &project_lambda(&e.lambda, window),
        &project_event_sources(&e.lambda_sources, window),
    );
    let ec2_bill = pricer.ec2_bill(
        &project_ec2(&e.ec2, window),
        &project_event_sources(&e.ec2_sources, window),
    );
    let per_month = if e.window_s > 0.0 {
        e.arrivals * MONTH_SECONDS as f64 / e.window_s
    } else {
        0.0
    };
    MonthEstimate {
        method: METHOD.to_owned(),
        requests_per_month: libm::round(per_month) as u64,
        lambda,
        ec2: ec2_bill,
    }
}

/// Expected arrivals of `scenario` in a 30-day month at rate scale 1
/// [events].
pub fn arrivals_per_month(scenario: &Scenario) -> f64 {
    let window = scenario.duration_s.max(0.0);
    if window <= 0.0 {
        return 0.0;
    }
    let n: f64 = scenario
        .sources
        .iter()
        .map(|s| {
            pieces(&s.pattern, window, 1.0)
                .iter()
                .map(|p| p.2)
                .sum::<f64>()
        })
        .sum();
    n * MONTH_SECONDS as f64 / window
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-12)
    }

    #[test]
    fn a_daily_cycle_integrates_to_its_mean_rate() {
        let p = Pattern::DailyCycle {
            low_per_s: 1.0,
            high_per_s: 3.0,
            peak_hour: 14.0,
            period_h: 24.0,
        };
        let pc = pieces(&p, 86_400.0, 1.0);
        assert_eq!(pc.len(), CYCLE_SLICES);
        let n: f64 = pc.iter().map(|x| x.2).sum();
        assert!(close(n, 2.0 * 86_400.0, 1e-9), "{n}");
        // The slice at the peak is the busiest.
        let busiest = pc.iter().max_by(|a, b| (a.2).total_cmp(&b.2)).unwrap();
        assert!((busiest.0 - 14.0 * 3_600.0).abs() <= 900.0, "{busiest:?}");
    }

    #[test]
    fn steps_schedules_and_traces_count_exactly() {
        let steps = Pattern::Steps {
            steps: vec![
                crate::engine::scenario::RateStep {
                    at_s: 0.0,
                    rate_per_s: 2.0,
                },
                crate::engine::scenario::RateStep {
                    at_s: 10.0,
                    rate_per_s: 5.0,
                },
            ],
            poisson: true,
        };
        let n: f64 = pieces(&steps, 20.0, 1.0).iter().map(|p| p.2).sum();
        assert!(close(n, 70.0, 1e-12));
        let every = Pattern::Every {
            interval_s: 10.0,
            start_s: 5.0,
        };
        assert_eq!(pieces(&every, 30.0, 1.0)[0].2, 3.0);
        assert_eq!(pieces(&every, 25.0, 2.0)[0].2, 4.0);
        let trace = Pattern::TraceCounts {
            counts_per_s: vec![1, 2, 3],
            csv: String::new(),
        };
        let n: f64 = pieces(&trace, 100.0, 1.0).iter().map(|p| p.2).sum();
        assert_eq!(n, 6.0);
    }

    #[test]
    fn billed_duration_models_rounding_and_timeouts() {
        // Fixed 100.2 ms bills 101 ms each.
        let b = billed(&Distribution::Fixed { ms: 100.2 }, 1.0, 3_000.0);
        assert_eq!(b.billed_ms, 101.0);
        // Exponential mean 100 ms: about 100.5 billed, no timeouts to speak of.
        let e = billed(&Distribution::Exponential { mean_ms: 100.0 }, 1.0, 10_000.0);
        assert!(close(e.billed_ms, 100.5, 1e-6), "{e:?}");
        // Uniform 1,140–1,260 s under a 900 s timeout: always the timeout.
        let u = billed(
            &Distribution::Uniform {
                min_ms: 1_140_000.0,
                max_ms: 1_260_000.0,
            },
            1.0,
            900_000.0,
        );
        assert_eq!((u.billed_ms, u.p_timeout), (900_000.0, 1.0));
        // Log-normal: the untruncated mean when the timeout is far away.
        let d = Distribution::LogNormal {
            median_ms: 50.0,
            p99_ms: 250.0,
        };
        let l = billed(&d, 1.0, 1e7);
        assert!(close(l.mean_ms, d.mean_ms(), 1e-9), "{l:?}");
        // ... and truncated below it when the timeout bites.
        let t = billed(&d, 1.0, 100.0);
        assert!(t.mean_ms < 100.0 && t.p_timeout > 0.05, "{t:?}");
    }

    #[test]
    fn provisioned_busy_is_capped_by_the_level() {
        assert!(close(poisson_min(2.0, 100), 2.0, 1e-9));
        assert!(close(poisson_min(1_700.0, 100), 100.0, 1e-6));
        assert_eq!(poisson_min(5.0, 0), 0.0);
        // E[min(N, 1)] = P(N ≥ 1) = 1 − e^(−a).
        assert!(close(poisson_min(0.5, 1), 1.0 - (-0.5f64).exp(), 1e-12));
    }

    #[test]
    fn a_larger_scale_costs_more_and_counts_more() {
        let s = Scenario::from_json(
            r#"{"version":1,"duration_s":3600,
            "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":50}}],
            "function":{"memory_mb":512,"duration":{"type":"fixed","ms":80}}}"#,
        )
        .unwrap();
        let ec2 = fleet_config(&s);
        let p = Pricing::default();
        let mut last: Option<MonthEstimate> = None;
        for k in [0.1, 1.0, 10.0, 100.0] {
            let m = month(
                &s,
                &ec2,
                &p,
                AggregateOptions {
                    rate_scale: k,
                    sizing: FleetSizing::AutoScaling,
                },
            );
            if let Some(prev) = &last {
                assert!(m.requests_per_month > prev.requests_per_month);
                assert!(m.lambda.total >= prev.lambda.total);
                assert!(m.ec2.as_ref().unwrap().total >= prev.ec2.as_ref().unwrap().total);
            }
            last = Some(m);
        }
        assert!(close(
            arrivals_per_month(&s),
            50.0 * MONTH_SECONDS as f64,
            1e-12
        ));
    }
}
