//! Auto Scaling with target tracking, stepped minute by minute on the
//! expected load with the engine's own tracker, on seeded paths of the
//! metric's noise, averaged.

use super::arrivals::load_in;
use super::fleet::{Backlog, FleetLoad, Noise, METRIC_PERIOD};
use crate::engine::billing::usage::{ec2_billable_seconds, Ec2Usage, InstanceUsage};
use crate::engine::dist::rng_stream;
use crate::engine::ec2::autoscaling::{Bounds, Tracker};
use crate::engine::scenario::ec2::{AutoScalingConfig, ScalingMetric};
use crate::engine::time::SimDuration;
use rand::RngExt;
use rand_distr::StandardNormal;

/// Paths of the Auto Scaling fleet, each with its own draw of the metric's
/// noise, averaged [paths].
const NOISE_PATHS: u64 = 16;
/// The random stream of that noise (beside the engine's arrival and
/// service streams).
const STREAM_AGGREGATE_NOISE: u64 = 4;

/// Auto Scaling with target tracking, stepped minute by minute on the
/// expected load with the engine's own [`Tracker`]: scale-out after its
/// datapoints plus the boot time, gradual scale-in after the cooldown and
/// warm-up, queued (non-API) work carried over while the fleet is short.
/// Deterministic and O(minutes × cohorts): a month is 43,200 steps.
pub(super) fn tracked_fleet(
    f: &FleetLoad,
    a: &AutoScalingConfig,
    noise: Noise,
) -> (Ec2Usage, u32, f64) {
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
            ..InstanceUsage::default()
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
    let mut cohorts: Vec<Cohort> = vec![(0.0, bounds.desired, true)];
    let mut billed = 0u64;
    let mut launches = u64::from(bounds.desired);
    let mut peak = bounds.desired;
    let (mut idle, mut last_activity) = (0.0f64, f64::NEG_INFINITY);
    let mut backlog = Backlog::new(f.redelivery);
    let mut next_scheduled = 0;
    let mut slice = 0;
    let mut t = 0.0;
    while t < window {
        let end = (t + METRIC_PERIOD).min(window);
        // Expected busy workers and API requests in [t, end).
        let (busy, api, queued) = load_in(load, &mut slice, t, end);
        let (in_service, serving_s) = in_service(&cohorts, ec2.boot_s, t, end);
        let capacity = serving_s * f.slots;
        // API work beyond the capacity is refused; queued work waits for
        // what capacity is left [worker-seconds].
        // The metric sees this period's random work, not its expectation.
        let drawn = noisy(busy);
        let k = if busy > 0.0 { drawn / busy } else { 0.0 };
        let served = backlog.serve(t, end, (busy - queued).max(0.0) * k, queued * k, capacity);
        idle += (capacity - served).max(0.0);
        let (counted, warming) = warmed_up(&cohorts, (ec2.boot_s, a.warmup_s), t, end);
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

/// Cohorts of instances: (launch time [s], count, initial).
type Cohort = (f64, u32, bool);

/// Terminates `n` instances at `now`, newest first as the group scales in,
/// adding their billable seconds to `billed`.
fn terminate(cohorts: &mut Vec<Cohort>, mut n: u32, now: f64, billed: &mut u64) {
    while n > 0 {
        let Some(last) = cohorts.last_mut() else {
            break;
        };
        let k = last.1.min(n);
        *billed += u64::from(k) * ec2_billable_seconds(SimDuration::from_secs_f64(now - last.0));
        last.1 -= k;
        n -= k;
        if last.1 == 0 {
            cohorts.pop();
        }
    }
}

/// Instances in service at `t`, and the instance-seconds in service in
/// [t, end): an instance serves from the moment its boot ends, usually
/// inside a period.
fn in_service(cohorts: &[Cohort], boot_s: f64, t: f64, end: f64) -> (u32, f64) {
    let count: u32 = cohorts
        .iter()
        .filter(|c| c.2 || c.0 + boot_s <= t)
        .map(|c| c.1)
        .sum();
    let seconds = cohorts
        .iter()
        .map(|c| {
            let from = if c.2 { 0.0 } else { c.0 + boot_s };
            f64::from(c.1) * (end - from.max(t)).max(0.0)
        })
        .sum::<f64>();
    (count, seconds)
}

/// Instances the metric counts at `t` (booted and warmed up: the later of
/// `(boot_s, warmup_s)` after launch, as warm-up starts at launch), and
/// whether any is still booting or warming up at `end`.
fn warmed_up(cohorts: &[Cohort], (boot_s, warmup_s): (f64, f64), t: f64, end: f64) -> (u32, bool) {
    let counted: u32 = cohorts
        .iter()
        .filter(|c| c.2 || c.0 + boot_s.max(warmup_s) <= t)
        .map(|c| c.1)
        .sum();
    let warming = cohorts
        .iter()
        .any(|c| !c.2 && c.0 + boot_s.max(warmup_s) > end);
    (counted, warming)
}
