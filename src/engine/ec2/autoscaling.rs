//! EC2 Auto Scaling: the group's bounds and desired capacity, and target
//! tracking on a 1-minute metric.
//!
//! Target tracking as AWS builds it: a high alarm (3 of 3 one-minute
//! datapoints above the target) scales out; a low alarm (15 of 15 below
//! 90 % of the target) scales in, so the group scales out faster than in.
//! The new capacity is the one that would bring the metric back to target,
//! `ceil(counted × value / target)`, where only instances past their
//! warm-up are counted. Scale-in removes at most 10 % of the group at a
//! time, and waits for warm-up and the cooldown (decided by the caller).
//!
//! ```
//! use fanout::engine::ec2::autoscaling::{Bounds, Tracker};
//! use fanout::engine::ec2::config::TargetTracking;
//! let mut t = Tracker::new(TargetTracking { target: 50.0, scale_out_datapoints: 1, ..TargetTracking::default() });
//! let b = Bounds { min: 1, max: 10, desired: 2 };
//! // Two instances at 100 % CPU against a 50 % target: four are needed.
//! assert_eq!(t.observe(Some((100.0, 2)), b, true), Some(4));
//! ```

use super::config::TargetTracking;
use super::defaults as d;
use serde::Serialize;

/// Minimum, maximum and desired capacity [instances].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
    pub desired: u32,
}

impl Bounds {
    /// `n` clamped to [min, max].
    pub fn clamp(&self, n: u32) -> u32 {
        n.clamp(self.min, self.max.max(self.min))
    }

    /// Applies a scheduled action's changes; desired is kept within the
    /// new bounds (as AWS does).
    pub fn apply(&mut self, min: Option<u32>, max: Option<u32>, desired: Option<u32>) {
        if let Some(m) = min {
            self.min = m;
        }
        if let Some(m) = max {
            self.max = m;
        }
        if self.max < self.min {
            self.max = self.min;
        }
        self.desired = self.clamp(desired.unwrap_or(self.desired));
    }
}

/// A target tracking policy's alarm state.
#[derive(Clone, Debug)]
pub struct Tracker {
    policy: TargetTracking,
    above: u32,
    below: u32,
}

impl Tracker {
    pub fn new(policy: TargetTracking) -> Tracker {
        Tracker {
            policy,
            above: 0,
            below: 0,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &TargetTracking {
        &self.policy
    }

    /// Takes one 1-minute datapoint: `(value, counted)` is the metric (CPU
    /// [%] or requests per target) averaged over `counted` warm instances,
    /// none when no instance could be counted (insufficient data). Returns
    /// the new desired capacity if the policy changes it. `may_scale_in` is
    /// false while instances warm up or during the cooldown.
    pub fn observe(
        &mut self,
        datapoint: Option<(f64, u32)>,
        b: Bounds,
        may_scale_in: bool,
    ) -> Option<u32> {
        let Some((value, counted)) = datapoint else {
            self.above = 0;
            self.below = 0;
            return None;
        };
        let target = self.policy.target;
        if value > target {
            self.above += 1;
            self.below = 0;
        } else if value < target * d::SCALE_IN_THRESHOLD_SHARE {
            self.below += 1;
            self.above = 0;
        } else {
            self.above = 0;
            self.below = 0;
        }
        let needed = needed_capacity(value, counted, target);
        if self.above >= self.policy.scale_out_datapoints {
            let want = b.clamp(needed);
            return (want > b.desired).then_some(want);
        }
        if self.below >= self.policy.scale_in_datapoints && may_scale_in {
            let step =
                libm::floor(f64::from(b.desired) * d::SCALE_IN_MAX_STEP_SHARE).max(1.0) as u32;
            let want = b.clamp(needed.max(b.desired.saturating_sub(step)));
            return (want < b.desired).then_some(want);
        }
        None
    }
}

/// Capacity that brings `value` measured over `counted` instances to
/// `target`: `ceil(counted × value / target)` [instances].
pub fn needed_capacity(value: f64, counted: u32, target: f64) -> u32 {
    if !(value.is_finite() && target > 0.0) {
        return counted;
    }
    // A hair below an integer is that integer (floating-point noise).
    let x = f64::from(counted) * value / target - 1e-9;
    libm::ceil(x.max(0.0)).min(f64::from(d::MAX_INSTANCES)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker(out: u32, inn: u32) -> Tracker {
        Tracker::new(TargetTracking {
            target: 50.0,
            scale_out_datapoints: out,
            scale_in_datapoints: inn,
            ..TargetTracking::default()
        })
    }

    #[test]
    fn capacity_formula() {
        assert_eq!(needed_capacity(100.0, 2, 50.0), 4);
        assert_eq!(needed_capacity(50.0, 3, 50.0), 3);
        assert_eq!(needed_capacity(51.0, 3, 50.0), 4);
        assert_eq!(needed_capacity(0.0, 3, 50.0), 0);
        assert_eq!(needed_capacity(f64::NAN, 3, 50.0), 3);
        assert_eq!(needed_capacity(1e12, 3, 50.0), d::MAX_INSTANCES);
    }

    #[test]
    fn scale_out_needs_consecutive_datapoints_and_respects_max() {
        let mut t = tracker(3, 15);
        let b = Bounds {
            min: 1,
            max: 5,
            desired: 2,
        };
        assert_eq!(t.observe(Some((90.0, 2)), b, true), None);
        assert_eq!(t.observe(Some((90.0, 2)), b, true), None);
        // A datapoint at target resets the count.
        assert_eq!(t.observe(Some((48.0, 2)), b, true), None);
        assert_eq!(t.observe(Some((90.0, 2)), b, true), None);
        assert_eq!(t.observe(Some((90.0, 2)), b, true), None);
        assert_eq!(
            t.observe(Some((300.0, 2)), b, true),
            Some(5),
            "12 needed, capped at max"
        );
    }

    #[test]
    fn scale_in_is_slower_gradual_and_waits() {
        let mut t = tracker(3, 15);
        let b = Bounds {
            min: 2,
            max: 100,
            desired: 40,
        };
        for _ in 0..14 {
            assert_eq!(t.observe(Some((10.0, 40)), b, true), None);
        }
        // Warm-up or cooldown in progress: no scale-in yet.
        assert_eq!(t.observe(Some((10.0, 40)), b, false), None);
        // 8 would do, but at most 10 % (4) go at a time.
        assert_eq!(t.observe(Some((10.0, 40)), b, true), Some(36));
        let small = Bounds {
            min: 2,
            max: 100,
            desired: 3,
        };
        assert_eq!(
            t.observe(Some((1.0, 3)), small, true),
            Some(2),
            "at least one, never below min"
        );
        let at_min = Bounds {
            min: 2,
            max: 100,
            desired: 2,
        };
        assert_eq!(t.observe(Some((1.0, 2)), at_min, true), None);
    }

    #[test]
    fn no_data_resets() {
        let mut t = tracker(2, 15);
        let b = Bounds {
            min: 1,
            max: 5,
            desired: 1,
        };
        assert_eq!(t.observe(Some((90.0, 1)), b, true), None);
        assert_eq!(t.observe(None, b, true), None);
        assert_eq!(t.observe(Some((90.0, 1)), b, true), None);
        assert_eq!(t.observe(Some((90.0, 1)), b, true), Some(2));
    }

    #[test]
    fn scheduled_changes_keep_desired_in_bounds() {
        let mut b = Bounds {
            min: 1,
            max: 10,
            desired: 4,
        };
        b.apply(Some(6), None, None);
        assert_eq!(
            b,
            Bounds {
                min: 6,
                max: 10,
                desired: 6
            }
        );
        b.apply(None, Some(3), Some(9));
        assert_eq!(
            b,
            Bounds {
                min: 6,
                max: 6,
                desired: 6
            }
        );
        b.apply(Some(0), Some(20), Some(15));
        assert_eq!(b.desired, 15);
    }
}
