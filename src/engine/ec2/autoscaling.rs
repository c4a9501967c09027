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
//! use fanout::engine::scenario::ec2::TargetTracking;
//! let mut t = Tracker::new(TargetTracking { target: 50.0, scale_out_datapoints: 1, ..TargetTracking::default() });
//! let b = Bounds { min: 1, max: 10, desired: 2 };
//! // Two instances at 100 % CPU against a 50 % target: four are needed.
//! assert_eq!(t.observe(Some((100.0, 2)), b, true), Some(4));
//! ```

use super::fleet::InstanceState;
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::scenario::ec2::defaults;
use crate::engine::scenario::ec2::{
    AutoScalingConfig, ScalingMetric, ScheduledAction, TargetTracking,
};
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// Minimum, maximum and desired capacity \[instances\].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
    pub desired: u32,
}

impl Bounds {
    /// `n` clamped to [min, max].
    pub fn clamp(&self, capacity: u32) -> u32 {
        capacity.clamp(self.min, self.max.max(self.min))
    }

    /// Applies a scheduled action's changes; desired is kept within the
    /// new bounds (as AWS does).
    pub fn apply(&mut self, min: Option<u32>, max: Option<u32>, desired: Option<u32>) {
        if let Some(value) = min {
            self.min = value;
        }
        if let Some(value) = max {
            self.max = value;
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
    /// A tracker of `policy`, with no datapoint yet.
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
        } else if value < target * defaults::SCALE_IN_THRESHOLD_SHARE {
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
            let step = libm::floor(f64::from(b.desired) * defaults::SCALE_IN_MAX_STEP_SHARE)
                .max(1.0) as u32;
            let want = b.clamp(needed.max(b.desired.saturating_sub(step)));
            return (want < b.desired).then_some(want);
        }
        None
    }
}

/// Capacity that brings `value` measured over `counted` instances to
/// `target`: `ceil(counted × value / target)` \[instances\].
pub fn needed_capacity(value: f64, counted: u32, target: f64) -> u32 {
    if !(value.is_finite() && target > 0.0) {
        return counted;
    }
    // A hair below an integer is that integer (floating-point noise).
    let x = f64::from(counted) * value / target - 1e-9;
    libm::ceil(x.max(0.0)).min(f64::from(defaults::MAX_INSTANCES)) as u32
}

/// An Auto Scaling group's settings and state.
pub(super) struct ScalingGroup {
    pub(super) bounds: Bounds,
    pub(super) tracker: Option<Tracker>,
    /// Instance warm-up: a new instance's metrics are not counted before.
    pub(super) warmup: SimDuration,
    /// Scale-in cooldown after the last scaling activity.
    pub(super) cooldown: SimDuration,
    /// Health-check grace period after launch.
    pub(super) grace: SimDuration,
    pub(super) scheduled: Vec<ScheduledAction>,
    /// The last scaling activity (target tracking or a scheduled action).
    pub(super) last_activity: SimTime,
}

/// The metrics of one 1-minute period.
struct PeriodMetrics {
    /// Mean CPU of the instances past their warm-up [%]; none if none is.
    cpu: Option<f64>,
    /// Instances the CPU is measured over [instances].
    counted: u32,
    /// Whether an instance is booting or warming up (no scale-in then).
    warming: bool,
    /// Requests per registered target in the period; none without targets.
    requests_per_target: Option<f64>,
    /// Registered targets [instances].
    targets: u32,
}

impl ScalingGroup {
    /// The group of a validated config; the fleet starts at `instances`
    /// clamped to its bounds.
    pub(super) fn new(cfg: &AutoScalingConfig, instances: u32) -> ScalingGroup {
        let secs = SimDuration::from_secs_f64;
        let mut scheduled = cfg.scheduled.clone();
        scheduled.truncate(defaults::MAX_EC2_ENTRIES);
        ScalingGroup {
            bounds: Bounds {
                min: cfg.min,
                max: cfg.max.max(cfg.min),
                desired: instances.clamp(cfg.min, cfg.max.max(cfg.min)),
            },
            tracker: cfg.target_tracking.clone().map(Tracker::new),
            warmup: secs(cfg.warmup_s),
            cooldown: secs(cfg.scale_in_cooldown_s),
            grace: secs(cfg.health_check_grace_s),
            scheduled,
            last_activity: SimTime::ZERO,
        }
    }
}

impl Ec2Side {
    /// Min, max and desired capacity (a fixed fleet: its size for all three).
    pub fn bounds(&self) -> Bounds {
        match &self.scaling_group {
            Some(group) => group.bounds,
            None => Bounds {
                min: self.fixed_target,
                max: self.fixed_target,
                desired: self.fixed_target,
            },
        }
    }

    /// Whether Auto Scaling manages the fleet.
    pub fn auto_scaling(&self) -> bool {
        self.scaling_group.is_some()
    }

    /// A 1-minute metric period ends: the period's CPU and requests per
    /// target feed target tracking, or the overload alarm of a fixed fleet.
    pub(super) fn on_tick<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let period = SimDuration::from_secs(defaults::METRIC_PERIOD_S);
        if let Some(alb) = self.alb.as_mut() {
            alb.advance(now);
        }
        let metrics = self.period_metrics(now, period);
        self.last_cpu = metrics.cpu.or(self.last_cpu);
        self.requests_in_period = 0;
        for queue in self.queues.iter().flatten() {
            if let Some(sent) = queue.oldest_sent() {
                self.fc.oldest_message_age_max_us = self
                    .fc
                    .oldest_message_age_max_us
                    .max(now.since(sent).as_micros());
            }
        }
        if self.scaling_group.is_some() {
            if self.track_target(&metrics, now) {
                self.note_desired();
                self.reconcile(ctx);
            }
        } else {
            self.check_overload_alarm(metrics.cpu, ctx);
        }
        if now + period <= self.end {
            ctx.at(now + period, Ec2Event::Tick);
        }
    }

    /// The metrics of the period that ends at `now`: CPU over the instances
    /// past their warm-up, and requests per target. Takes each instance's
    /// busy time since the last tick.
    fn period_metrics(&mut self, now: SimTime, period: SimDuration) -> PeriodMetrics {
        let period_start = SimTime::ZERO + now.since_start().saturating_sub(period);
        let warmup = self
            .scaling_group
            .as_ref()
            .map_or(SimDuration::ZERO, |group| group.warmup);
        let (mut busy, mut counted, mut warming) = (0u128, 0u32, false);
        for inst in self.instances.iter_mut() {
            if inst.state == InstanceState::Terminated {
                continue;
            }
            let busy_since_mark = inst.take_busy_since_mark(now);
            // Warm-up runs from the group's InService, which is launch
            // here (the boot is the application starting, inside it).
            let warm = inst.initial || inst.launched + warmup <= period_start;
            match inst.state {
                InstanceState::InService if warm => {
                    busy += busy_since_mark;
                    counted += 1;
                }
                InstanceState::InService if !inst.initial && inst.launched + warmup > now => {
                    warming = true
                }
                InstanceState::Booting => warming = true,
                _ => {}
            }
        }
        let cpu = (counted > 0).then(|| {
            busy as f64
                / (f64::from(counted) * f64::from(self.worker_slots) * period.as_micros() as f64)
                * 100.0
        });
        let targets = self.targets.len() as u32;
        PeriodMetrics {
            cpu,
            counted,
            warming,
            requests_per_target: (targets > 0)
                .then(|| self.requests_in_period as f64 / f64::from(targets)),
            targets,
        }
    }

    /// Target tracking takes the period's datapoint; true when it changed
    /// the desired capacity.
    fn track_target(&mut self, metrics: &PeriodMetrics, now: SimTime) -> bool {
        let Some(group) = self.scaling_group.as_mut() else {
            return false;
        };
        let Some(tracker) = group.tracker.as_mut() else {
            return false;
        };
        let datapoint = match tracker.policy().metric {
            ScalingMetric::Cpu => metrics.cpu.map(|cpu| (cpu, metrics.counted)),
            ScalingMetric::RequestsPerTarget => metrics
                .requests_per_target
                .map(|requests| (requests, metrics.targets)),
        };
        let may_scale_in = !metrics.warming && now >= group.last_activity + group.cooldown;
        let Some(want) = tracker.observe(datapoint, group.bounds, may_scale_in) else {
            return false;
        };
        if want > group.bounds.desired {
            self.fc.scale_outs += 1;
        } else {
            self.fc.scale_ins += 1;
        }
        group.bounds.desired = want;
        group.last_activity = now;
        true
    }

    /// Records the group's desired capacity in the fleet counters.
    pub(super) fn note_desired(&mut self) {
        if let Some(group) = &self.scaling_group {
            let bounds = group.bounds;
            self.fc.max_desired = self.fc.max_desired.max(u64::from(bounds.desired));
            if bounds.desired > bounds.max {
                self.fc.desired_over_max = self
                    .fc
                    .desired_over_max
                    .max(u64::from(bounds.desired - bounds.max));
            }
        }
    }

    /// Scheduled action `index` applies its new bounds.
    pub(super) fn on_scheduled<E: From<Ec2Event>>(&mut self, index: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(group) = self.scaling_group.as_mut() else {
            return;
        };
        let Some(action) = group.scheduled.get(index as usize).copied() else {
            return;
        };
        group.bounds.apply(action.min, action.max, action.desired);
        group.last_activity = ctx.now;
        self.fc.scheduled_actions += 1;
        self.note_desired();
        self.reconcile(ctx);
    }
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
        assert_eq!(needed_capacity(1e12, 3, 50.0), defaults::MAX_INSTANCES);
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
