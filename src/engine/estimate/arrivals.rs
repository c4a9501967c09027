//! Arrivals of an estimate: each source's pattern as pieces of constant
//! rate by exact integration (a daily cycle's sinusoid in 96 slices per
//! period, traces in 60 s bins, schedules and bursts by count), the slice
//! boundaries they share, and the expected load of a period.

use crate::engine::order::{f64_key, sort_by_u64};
use crate::engine::scenario::ec2::Ec2Config;
use crate::engine::scenario::{Pattern, Scenario};

/// Slices per period of a daily cycle.
pub(super) const CYCLE_SLICES: usize = 96;
/// Bin width for replayed traces [s].
const TRACE_BIN_S: f64 = 60.0;

/// One slice's EC2 load: (start [s], length [s], busy workers, API
/// arrivals, busy workers serving API requests).
pub(super) type SliceLoad = (f64, f64, f64, f64, f64);

/// One source's traffic: pieces of constant rate (start, end, arrivals).
pub(super) type Pieces = Vec<(f64, f64, f64)>;

pub(super) fn pieces(p: &Pattern, window: f64, k: f64) -> Pieces {
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
pub(super) fn arrivals_in(p: &Pieces, cursor: &mut usize, a: f64, b: f64) -> f64 {
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
pub(super) fn load_in(load: &[SliceLoad], slice: &mut usize, t: f64, end: f64) -> (f64, f64, f64) {
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

/// Slice boundaries of the window: every piece edge, every provisioned
/// change, every scheduled action, sorted and without duplicates.
pub(super) fn slice_edges(
    traffic: &[Pieces],
    scenario: &Scenario,
    ec2: &Ec2Config,
    window: f64,
) -> Vec<f64> {
    let mut edges: Vec<f64> = vec![0.0, window];
    for p in traffic {
        for &(a, b, _) in p {
            edges.push(a);
            edges.push(b);
        }
    }
    for s in &scenario.function.provisioned {
        edges.push(s.at_s.clamp(0.0, window));
    }
    if let Some(a) = &ec2.auto_scaling {
        for s in &a.scheduled {
            edges.push(s.at_s.clamp(0.0, window));
        }
    }
    sort_by_u64(&mut edges, |&e| f64_key(e));
    edges.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    edges
}
