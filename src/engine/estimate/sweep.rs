//! The break-even sweep: the monthly cost of the Lambda deployment and of
//! the EC2 deployment (a fixed fleet sized for the peak, and Auto Scaling)
//! across request volumes, priced with the aggregate mode, and the volumes
//! where the curves cross.
//!
//! ```
//! use fanout::engine::billing::pricing::Pricing;
//! use fanout::engine::estimate::fleet_config;
//! use fanout::engine::estimate::sweep::sweep;
//! use fanout::engine::scenario::Scenario;
//! let s = Scenario::from_json(r#"{"version":1,"duration_s":3600,
//!   "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":10}}],
//!   "function":{"memory_mb":3008,"duration":{"type":"fixed","ms":200}}}"#).unwrap();
//! let sw = sweep(&s, &fleet_config(&s), &Pricing::default(), 1e4, 1e9, 7).unwrap();
//! assert_eq!(sw.points.len(), 7);
//! assert!(sw.points[0].lambda < sw.points[0].ec2_fixed);
//! ```

use super::{arrivals_per_month, month, AggregateOptions, FleetSizing, MonthEstimate, METHOD};
use crate::engine::billing::pricing::Pricing;
use crate::engine::billing::Money;
use crate::engine::order::{f64_key, sort_by_u64};
use crate::engine::scenario::ec2::Ec2Config;
use crate::engine::scenario::Scenario;
use serde::Serialize;
use thiserror::Error;

/// Most points a sweep computes.
pub const MAX_POINTS: usize = 1_000;

/// One request volume and what each deployment costs at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SweepPoint {
    /// Requests (arrivals of every source) in a 30-day month \[requests\].
    pub requests_per_month: u64,
    /// The Lambda deployment [µ$ per month].
    pub lambda: Money,
    /// A fixed EC2 fleet sized for the peak [µ$ per month].
    pub ec2_fixed: Money,
    /// An EC2 fleet with Auto Scaling following the load [µ$ per month].
    pub ec2_autoscaling: Money,
}

/// Which EC2 deployment a break-even compares Lambda with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ec2Variant {
    /// Fixed fleet sized for the peak.
    FixedForPeak,
    /// Auto Scaling.
    AutoScaling,
}

impl Ec2Variant {
    /// Human name.
    pub fn label(self) -> &'static str {
        match self {
            Ec2Variant::FixedForPeak => "EC2 fixed fleet (sized for the peak)",
            Ec2Variant::AutoScaling => "EC2 with Auto Scaling",
        }
    }
}

/// A volume where Lambda and an EC2 deployment cost the same.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BreakEven {
    /// The EC2 deployment compared.
    pub ec2: Ec2Variant,
    /// The crossing, found by bisection on the cost functions between the
    /// two sweep points around it, to the request: the smallest whole
    /// volume at which the cheaper deployment below it is no longer
    /// cheaper. It does not depend on how many points the sweep has (as
    /// long as the points bracket the same crossing) [requests per month].
    pub requests_per_month: f64,
    /// Whether Lambda is the cheaper one BELOW this volume.
    pub lambda_cheaper_below: bool,
}

/// A whole sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep {
    /// The volumes, lowest first.
    pub points: Vec<SweepPoint>,
    /// Every crossing, by volume.
    pub break_evens: Vec<BreakEven>,
    /// How the figures were made.
    pub method: String,
}

/// Why a sweep cannot run.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum SweepError {
    /// The volumes are not a rising range of positive numbers.
    #[error("the sweep needs 0 < from < to (got from {from}, to {to})")]
    Range { from: f64, to: f64 },
    /// Too few or too many points.
    #[error("points must be between 2 and {MAX_POINTS} (got {0})")]
    Points(usize),
    /// Nothing arrives, so no rate can be scaled to a volume.
    #[error(
        "the scenario's sources send no requests, so its pattern cannot be scaled to a volume"
    )]
    NoTraffic,
}

/// `points` volumes from `from` to `to` requests per month, evenly spaced
/// on a log scale.
pub fn volumes(from: f64, to: f64, points: usize) -> Vec<f64> {
    let (lo, hi) = (libm::log(from), libm::log(to));
    (0..points)
        .map(|i| {
            if i + 1 == points {
                to
            } else {
                libm::exp(lo + (hi - lo) * i as f64 / (points - 1) as f64)
            }
        })
        .collect()
}

/// Prices `scenario`'s traffic pattern, scaled to each volume, both ways.
pub fn sweep(
    scenario: &Scenario,
    ec2: &Ec2Config,
    pricing: &Pricing,
    from: f64,
    to: f64,
    points: usize,
) -> Result<Sweep, SweepError> {
    let mut run = SweepRun::new(scenario, ec2, pricing, from, to, points)?;
    while run.step() {}
    Ok(run.finish())
}

/// A sweep computed one volume at a time, for a caller that spreads the
/// work over animation frames (the browser app); [`sweep`] runs it in one
/// go, so both give the same figures.
#[derive(Clone, Debug)]
pub struct SweepRun {
    scenario: Scenario,
    ec2: Ec2Config,
    pricing: Pricing,
    /// Arrivals per month at rate scale 1.
    base: f64,
    volumes: Vec<f64>,
    points: Vec<SweepPoint>,
}

impl SweepRun {
    /// Checks the range and the traffic; computes nothing yet.
    pub fn new(
        scenario: &Scenario,
        ec2: &Ec2Config,
        pricing: &Pricing,
        from: f64,
        to: f64,
        points: usize,
    ) -> Result<SweepRun, SweepError> {
        if !(from.is_finite() && to.is_finite() && from > 0.0 && to > from) {
            return Err(SweepError::Range { from, to });
        }
        if !(2..=MAX_POINTS).contains(&points) {
            return Err(SweepError::Points(points));
        }
        let base = arrivals_per_month(scenario);
        if base.is_nan() || base <= 0.0 {
            return Err(SweepError::NoTraffic);
        }
        Ok(SweepRun {
            scenario: scenario.clone(),
            ec2: ec2.clone(),
            pricing: pricing.clone(),
            base,
            volumes: volumes(from, to, points),
            points: Vec::with_capacity(points),
        })
    }

    /// Prices the next volume; returns whether any volume is left.
    pub fn step(&mut self) -> bool {
        if let Some(&v) = self.volumes.get(self.points.len()) {
            let v = (libm::round(v) as u64).max(1);
            let fixed = self.at(v, FleetSizing::FixedForPeak);
            let scaling = self.at(v, FleetSizing::AutoScaling);
            self.points.push(SweepPoint {
                requests_per_month: v,
                lambda: fixed.lambda.total,
                ec2_fixed: fixed.ec2.map_or(Money::ZERO, |b| b.total),
                ec2_autoscaling: scaling.ec2.map_or(Money::ZERO, |b| b.total),
            });
        }
        !self.is_done()
    }

    /// Volumes priced so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.points.len(), self.volumes.len())
    }

    /// Whether every volume is priced.
    pub fn is_done(&self) -> bool {
        self.points.len() >= self.volumes.len()
    }

    /// Both deployments' monthly bills at a WHOLE volume, so the grid
    /// points and the bisection of [`SweepRun::finish`] price exactly the
    /// same thing.
    fn at(&self, v: u64, sizing: FleetSizing) -> MonthEstimate {
        month(
            &self.scenario,
            &self.ec2,
            &self.pricing,
            AggregateOptions {
                rate_scale: v as f64 / self.base,
                sizing,
            },
        )
    }

    /// The sweep of the volumes priced so far (all of them once
    /// [`SweepRun::is_done`]), with its break-evens found by bisection.
    pub fn finish(self) -> Sweep {
        let diff_at = |variant: Ec2Variant, v: u64| {
            let sizing = match variant {
                Ec2Variant::FixedForPeak => FleetSizing::FixedForPeak,
                Ec2Variant::AutoScaling => FleetSizing::AutoScaling,
            };
            let m = self.at(v, sizing);
            m.lambda.total - m.ec2.map_or(Money::ZERO, |b| b.total)
        };
        let out = &self.points;
        let mut break_evens = crossings(
            out,
            Ec2Variant::FixedForPeak,
            |p| p.ec2_fixed,
            |v| diff_at(Ec2Variant::FixedForPeak, v),
        );
        break_evens.extend(crossings(
            out,
            Ec2Variant::AutoScaling,
            |p| p.ec2_autoscaling,
            |v| diff_at(Ec2Variant::AutoScaling, v),
        ));
        sort_by_u64(&mut break_evens, |b| f64_key(b.requests_per_month));
        Sweep {
            points: self.points,
            break_evens,
            method: format!(
                "{} Volumes scale every source's rate; the fixed fleet is sized for the busiest slice at the target utilization (at least one instance per Availability Zone); Auto Scaling follows each slice's load with no upper bound.",
                METHOD
            ),
        }
    }
}

/// Where Lambda − EC2 changes sign between two neighbouring points, then
/// narrowed down by bisection on `diff` (Lambda − EC2 at a whole volume)
/// until the bracket is one request wide.
fn crossings(
    points: &[SweepPoint],
    variant: Ec2Variant,
    ec2: impl Fn(&SweepPoint) -> Money,
    diff: impl Fn(u64) -> Money,
) -> Vec<BreakEven> {
    let d = |p: &SweepPoint| p.lambda - ec2(p);
    let mut out = Vec::new();
    for w in points.windows(2) {
        let (d0, d1) = (d(&w[0]), d(&w[1]));
        // A crossing: strictly opposite signs, or landing exactly on zero
        // from a non-zero side.
        let lambda_cheaper_below = d0 < Money::ZERO;
        let crossed = |m: Money| {
            if lambda_cheaper_below {
                m >= Money::ZERO
            } else {
                m <= Money::ZERO
            }
        };
        if d0 == Money::ZERO || !crossed(d1) {
            continue;
        }
        let v = bisect(w[0].requests_per_month, w[1].requests_per_month, |v| {
            crossed(diff(v))
        });
        out.push(BreakEven {
            ec2: variant,
            requests_per_month: v as f64,
            lambda_cheaper_below,
        });
    }
    out
}

/// The smallest volume in (lo, hi] where `crossed` holds, given that it
/// does not at `lo` and does at `hi`: halving the bracket on a log scale
/// while it spans more than a factor of 2, then arithmetically, down to
/// one request (about 40 evaluations from 10k to 1B).
fn bisect(mut lo: u64, mut hi: u64, crossed: impl Fn(u64) -> bool) -> u64 {
    while hi - lo > 1 {
        let geometric = libm::round(libm::sqrt(lo as f64 * hi as f64)) as u64;
        let mid = if hi / lo.max(1) >= 2 && geometric > lo && geometric < hi {
            geometric
        } else {
            lo + (hi - lo) / 2
        };
        if crossed(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::estimate::fleet_config;

    fn api() -> Scenario {
        Scenario::from_json(
            r#"{"version":1,"duration_s":3600,
            "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":10}}],
            "function":{"memory_mb":3008,"duration":{"type":"fixed","ms":200}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn volumes_are_log_spaced_and_end_on_the_bounds() {
        let v = volumes(1e4, 1e9, 6);
        assert_eq!(v.len(), 6);
        assert!((v[0] - 1e4).abs() < 1e-6 && v[5] == 1e9);
        for w in v.windows(2) {
            assert!((w[1] / w[0] - 10.0).abs() < 1e-9, "{v:?}");
        }
    }

    #[test]
    fn costs_rise_with_volume_and_the_curves_cross_once() {
        let s = api();
        let sw = sweep(&s, &fleet_config(&s), &Pricing::default(), 1e4, 1e10, 16).unwrap();
        for w in sw.points.windows(2) {
            assert!(w[1].lambda >= w[0].lambda, "{w:?}");
            assert!(w[1].ec2_fixed >= w[0].ec2_fixed, "{w:?}");
            assert!(w[1].ec2_autoscaling >= w[0].ec2_autoscaling, "{w:?}");
        }
        let fixed: Vec<_> = sw
            .break_evens
            .iter()
            .filter(|b| b.ec2 == Ec2Variant::FixedForPeak)
            .collect();
        assert_eq!(fixed.len(), 1, "{:?}", sw.break_evens);
        let b = fixed[0];
        assert!(b.lambda_cheaper_below);
        // The crossing lies between the two points around it.
        let i = sw
            .points
            .iter()
            .position(|p| p.lambda > p.ec2_fixed)
            .unwrap();
        assert!(b.requests_per_month > sw.points[i - 1].requests_per_month as f64);
        assert!(b.requests_per_month <= sw.points[i].requests_per_month as f64);
    }

    #[test]
    fn stepping_gives_the_same_sweep() {
        let s = api();
        let e = fleet_config(&s);
        let p = Pricing::default();
        let whole = sweep(&s, &e, &p, 1e4, 1e10, 9).unwrap();
        let mut run = SweepRun::new(&s, &e, &p, 1e4, 1e10, 9).unwrap();
        let mut steps = 0;
        while run.step() {
            steps += 1;
            assert_eq!(run.progress(), (steps, 9));
        }
        assert!(run.is_done());
        assert!(!run.step(), "nothing is left once done");
        assert_eq!(run.finish(), whole);
    }

    #[test]
    fn bad_ranges_are_refused() {
        let s = api();
        let e = fleet_config(&s);
        let p = Pricing::default();
        assert!(matches!(
            sweep(&s, &e, &p, 1e9, 1e4, 5),
            Err(SweepError::Range { .. })
        ));
        assert!(matches!(
            sweep(&s, &e, &p, 0.0, 1e4, 5),
            Err(SweepError::Range { .. })
        ));
        assert_eq!(sweep(&s, &e, &p, 1.0, 10.0, 1), Err(SweepError::Points(1)));
        let mut quiet = s.clone();
        quiet.sources.clear();
        assert_eq!(
            sweep(&quiet, &e, &p, 1.0, 10.0, 3),
            Err(SweepError::NoTraffic)
        );
    }

    #[test]
    fn bisection_finds_the_first_volume_past_the_crossing() {
        // A step at 12,345: every bracket around it finds it exactly.
        for (lo, hi) in [(1, 1_000_000), (12_344, 12_345), (10_000, 20_000)] {
            assert_eq!(bisect(lo, hi, |v| v >= 12_345), 12_345, "{lo}..{hi}");
        }
    }

    #[test]
    fn the_break_even_does_not_depend_on_the_number_of_points() {
        let s = api();
        let e = fleet_config(&s);
        let p = Pricing::default();
        let found: Vec<Vec<(Ec2Variant, f64)>> = [5, 8, 16, 33]
            .into_iter()
            .map(|n| {
                sweep(&s, &e, &p, 1e4, 1e10, n)
                    .unwrap()
                    .break_evens
                    .iter()
                    .map(|b| (b.ec2, b.requests_per_month))
                    .collect()
            })
            .collect();
        assert!(!found[0].is_empty());
        // The Auto Scaling curve is a staircase (whole instances) that can
        // cross Lambda's line again a step later; a coarse sweep may step
        // over such a pair of crossings, but every crossing it finds is
        // found at the same volume by a finer one, and so is the first.
        let first = |f: &[(Ec2Variant, f64)], v: Ec2Variant| f.iter().find(|b| b.0 == v).copied();
        for f in &found[1..] {
            for b in &found[0] {
                assert!(f.contains(b), "{b:?} not in {f:?}");
            }
            for v in [Ec2Variant::FixedForPeak, Ec2Variant::AutoScaling] {
                assert_eq!(first(f, v), first(&found[0], v));
            }
        }
        // And each is a crossing: Lambda is no cheaper at it, cheaper one
        // request below (or, past a staircase step, the other way round).
        for &(variant, v) in &found[0] {
            let m = |v: f64, sizing| {
                let base = arrivals_per_month(&s);
                let m = month(
                    &s,
                    &e,
                    &p,
                    AggregateOptions {
                        rate_scale: v / base,
                        sizing,
                    },
                );
                m.lambda.total - m.ec2.unwrap().total
            };
            let sizing = match variant {
                Ec2Variant::FixedForPeak => FleetSizing::FixedForPeak,
                Ec2Variant::AutoScaling => FleetSizing::AutoScaling,
            };
            assert!(m(v, sizing) >= Money::ZERO, "{variant:?} at {v}");
            assert!(m(v - 1.0, sizing) < Money::ZERO, "{variant:?} below {v}");
        }
    }
}
