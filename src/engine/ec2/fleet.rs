//! Instances and their states, and the time-integrated counts of instances
//! by state (for the report's "instances by state over time").
//!
//! An instance is billed from launch to termination whatever it does; it
//! serves requests only while in service (or finishing them while draining).

use crate::engine::metrics::{halve_when_full, width_weighted};
use crate::engine::scenario::ec2::defaults;
use crate::engine::time::SimTime;
use serde::Serialize;
use std::collections::VecDeque;

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    /// Launched, booting: billed, not serving.
    Booting,
    /// Registered with the load balancer and pulling from queues.
    InService,
    /// Deregistered: finishes what it has, takes nothing new.
    Draining,
    /// Out of service while the OS is patched and rebooted.
    Patching,
    /// Crashed or unreachable: billed, serves nothing, until terminated.
    Failed,
    /// Gone (kept only in counts).
    Terminated,
}

/// Number of states.
pub const STATES: usize = 6;

impl InstanceState {
    /// All states, in index order.
    pub const ALL: [InstanceState; STATES] = [
        InstanceState::Booting,
        InstanceState::InService,
        InstanceState::Draining,
        InstanceState::Patching,
        InstanceState::Failed,
        InstanceState::Terminated,
    ];

    /// Index into per-state tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether work may run on it (new work only when in service).
    pub fn runs_work(self) -> bool {
        matches!(self, InstanceState::InService | InstanceState::Draining)
    }
}

/// What a draining instance does once it is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterDrain {
    /// Terminate it (scale-in, a replacement).
    Terminate,
    /// Patch it, then put it back in service.
    Patch,
}

/// A request waiting in an instance's local queue [16 bytes].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    /// Source index.
    pub source: u16,
    /// When it arrived at the load balancer.
    pub arrived: SimTime,
}

/// One EC2 instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Unique id, in launch order (never reused in a run).
    pub id: u64,
    /// Availability Zone index.
    pub zone: u32,
    pub state: InstanceState,
    /// Bumped when the table slot is reused, so stale events are ignored.
    pub gen: u32,
    /// When it was launched (billing starts).
    pub launched: SimTime,
    /// When it last entered service.
    pub in_service_since: SimTime,
    /// Whether it was in service at the start of the run (no warm-up).
    pub initial: bool,
    /// Worker slots running a request or message \[requests\].
    pub busy: u32,
    /// Requests waiting for a slot (load-balancer traffic only).
    pub local: VecDeque<Queued>,
    /// Whether the load balancer sends it traffic (in service, or failed
    /// but not yet detected by the health checks).
    pub registered: bool,
    /// What happens when draining ends.
    pub after_drain: AfterDrain,
    /// When it failed (if it did).
    pub failed_at: SimTime,
    /// Whether its failure was detected by a health check.
    pub failure_detected: bool,
    /// Busy slots integrated over time [slot·µs], for the 1-minute CPU metric.
    pub busy_int: u128,
    /// When `busy_int` was last brought up to date.
    pub busy_last: SimTime,
    /// `busy_int` at the last metric datapoint.
    pub busy_mark: u128,
    /// CPU credits earned per µs by a burstable instance, 0 otherwise
    /// [credit units/µs]: baseline per vCPU \[basis points\] × worker slots.
    /// A credit unit is one busy worker slot for 1 µs × 10,000.
    pub credit_earn: u64,
    /// CPU credit balance [credit units]; below zero: surplus credits spent
    /// in unlimited mode, paid back by later earnings first.
    pub credits: i128,
}

impl Instance {
    /// A new instance in `state` at `now`.
    pub fn new(id: u64, zone: u32, state: InstanceState, now: SimTime) -> Instance {
        Instance {
            id,
            zone,
            state,
            gen: 0,
            launched: now,
            in_service_since: now,
            initial: false,
            busy: 0,
            local: VecDeque::new(),
            registered: false,
            after_drain: AfterDrain::Terminate,
            failed_at: SimTime::ZERO,
            failure_detected: false,
            busy_int: 0,
            busy_last: now,
            busy_mark: 0,
            credit_earn: 0,
            credits: 0,
        }
    }

    /// The credit balance at `now` [credit units], from the last update:
    /// earned at the baseline, spent by the busy slots, capped at 24 hours
    /// of earnings (the balance moves linearly between updates, so the
    /// cap applies at the end).
    pub fn credits_at(&self, now: SimTime) -> i128 {
        if self.credit_earn == 0 {
            return 0;
        }
        let dt = i128::from(now.since(self.busy_last).as_micros());
        let earn = i128::from(self.credit_earn);
        let cap = earn * i128::from(defaults::CREDIT_ACCRUAL_HOURS) * 3_600_000_000;
        let net = earn - i128::from(self.busy) * i128::from(CREDIT_SCALE);
        (self.credits + net * dt).min(cap)
    }

    /// Brings the busy integral up to `now` (call before changing `busy`).
    #[inline]
    pub fn integrate(&mut self, now: SimTime) {
        let dt = now.since(self.busy_last).as_micros();
        if dt > 0 {
            if self.credit_earn > 0 {
                self.credits = self.credits_at(now);
            }
            self.busy_int += u128::from(self.busy) * u128::from(dt);
            self.busy_last = now;
        }
    }

    /// Busy slot-µs since the last datapoint, and moves the mark.
    pub fn take_busy_since_mark(&mut self, now: SimTime) -> u128 {
        self.integrate(now);
        let d = self.busy_int - self.busy_mark;
        self.busy_mark = self.busy_int;
        d
    }

    /// Requests held (running + queued) \[requests\].
    pub fn outstanding(&self) -> u64 {
        u64::from(self.busy) + self.local.len() as u64
    }
}

/// Credit units per busy worker slot per µs (basis points of a slot).
pub const CREDIT_SCALE: u64 = 10_000;

/// Instance counts by state and running worker slots, integrated over
/// time. Only advanced when an instance changes state (rare); busy slots
/// are integrated by the side's main gauges, which change per request.
#[derive(Clone, Debug, Default)]
pub struct FleetInts {
    last: u64,
    /// Instances in each state now.
    pub now: [u64; STATES],
    /// Most instances in each state at once.
    pub max: [u64; STATES],
    /// Integral of each state's count [instance·µs].
    pub sums: [u128; STATES],
    /// Slots of running (in service or draining) instances now \[slots\].
    pub slots_now: u64,
    /// Integral of running slots [slot·µs].
    pub slots_sum: u128,
}

impl FleetInts {
    /// Accumulates to `t` (call before changing a count).
    #[inline]
    pub fn advance(&mut self, t: SimTime) {
        let t = t.as_micros();
        let dt = t.saturating_sub(self.last);
        if dt > 0 {
            for s in 0..STATES {
                self.sums[s] += u128::from(self.now[s]) * u128::from(dt);
            }
            self.slots_sum += u128::from(self.slots_now) * u128::from(dt);
            self.last = t;
        }
    }

    /// One instance moves from `from` (none = new) to `to`.
    pub fn moved(&mut self, from: Option<InstanceState>, to: InstanceState) {
        if let Some(f) = from {
            self.now[f.index()] = self.now[f.index()].saturating_sub(1);
        }
        let i = to.index();
        self.now[i] += 1;
        self.max[i] = self.max[i].max(self.now[i]);
    }

    /// Time average of the count in `s` \[instances\].
    pub fn mean(&self, s: InstanceState) -> f64 {
        if self.last == 0 {
            0.0
        } else {
            self.sums[s.index()] as f64 / self.last as f64
        }
    }

    /// Time-average CPU utilisation of running instances [0–1], given the
    /// integral of busy slots over the same span [slot·µs].
    pub fn mean_cpu(&self, busy_sum: u128) -> f64 {
        if self.slots_sum == 0 {
            0.0
        } else {
            busy_sum as f64 / self.slots_sum as f64
        }
    }

    /// Instances that exist (not terminated) now.
    pub fn alive(&self) -> u64 {
        self.now.iter().take(STATES - 1).sum()
    }
}

/// One bucket of the fleet series: mean instances per state and CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FleetPoint {
    /// Bucket start [s since start].
    pub t_s: f64,
    /// Bucket width \[s\].
    pub width_s: f64,
    /// Mean booting instances \[instances\].
    pub booting: f64,
    /// Mean instances in service \[instances\].
    pub in_service: f64,
    /// Mean draining instances \[instances\].
    pub draining: f64,
    /// Mean instances being patched \[instances\].
    pub patching: f64,
    /// Mean failed instances (billed, serving nothing) \[instances\].
    pub failed: f64,
    /// Mean CPU utilisation of running instances [%].
    pub cpu_percent: f64,
    /// Desired capacity at the end of the bucket \[instances\].
    pub desired: u32,
}

impl FleetPoint {
    fn merge(a: &FleetPoint, b: &FleetPoint) -> FleetPoint {
        let avg = |x: f64, y: f64| width_weighted(x, a.width_s, y, b.width_s);
        FleetPoint {
            t_s: a.t_s,
            width_s: a.width_s + b.width_s,
            booting: avg(a.booting, b.booting),
            in_service: avg(a.in_service, b.in_service),
            draining: avg(a.draining, b.draining),
            patching: avg(a.patching, b.patching),
            failed: avg(a.failed, b.failed),
            // CPU weighted by time, an approximation when the running slots
            // differ between the two buckets.
            cpu_percent: avg(a.cpu_percent, b.cpu_percent),
            desired: b.desired,
        }
    }
}

/// A bounded series of [`FleetPoint`]s; closed on the same boundaries as
/// the engine's main series, and halved the same way when full.
#[derive(Clone, Debug, Default)]
pub struct FleetSeries {
    points: Vec<FleetPoint>,
    start_us: u64,
    start_sums: [u128; STATES],
    start_busy: u128,
    start_slots: u128,
}

impl FleetSeries {
    /// Closes the bucket ending at `t` (the integrals advanced to `t`).
    pub fn close_bucket(&mut self, t: SimTime, ints: &FleetInts, busy_sum: u128, desired: u32) {
        let t = t.as_micros();
        let width = t.saturating_sub(self.start_us);
        let mean = |s: usize| {
            if width == 0 {
                0.0
            } else {
                (ints.sums[s] - self.start_sums[s]) as f64 / width as f64
            }
        };
        let slots = ints.slots_sum - self.start_slots;
        let busy = busy_sum.saturating_sub(self.start_busy);
        self.points.push(FleetPoint {
            t_s: self.start_us as f64 / 1e6,
            width_s: width as f64 / 1e6,
            booting: mean(0),
            in_service: mean(1),
            draining: mean(2),
            patching: mean(3),
            failed: mean(4),
            cpu_percent: if slots == 0 {
                0.0
            } else {
                busy as f64 / slots as f64 * 100.0
            },
            desired,
        });
        self.start_us = t;
        self.start_sums = ints.sums;
        self.start_busy = busy_sum;
        self.start_slots = ints.slots_sum;
        halve_when_full(&mut self.points, FleetPoint::merge);
    }

    pub fn points(&self) -> &[FleetPoint] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::defaults::MAX_SERIES_POINTS;
    use crate::engine::time::SimDuration;

    fn at(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn only_in_service_and_draining_run_work() {
        use InstanceState::*;
        let runs: Vec<InstanceState> = InstanceState::ALL
            .into_iter()
            .filter(|s| s.runs_work())
            .collect();
        assert_eq!(runs, vec![InService, Draining]);
        for (i, s) in InstanceState::ALL.iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }

    #[test]
    fn busy_integral_gives_the_metric() {
        let mut i = Instance::new(0, 0, InstanceState::InService, SimTime::ZERO);
        i.busy = 2;
        i.integrate(at(30));
        i.busy = 0;
        assert_eq!(i.take_busy_since_mark(at(60)), 2 * 30_000_000);
        assert_eq!(i.take_busy_since_mark(at(120)), 0);
    }

    #[test]
    fn fleet_ints_and_series() {
        let mut f = FleetInts::default();
        f.moved(None, InstanceState::Booting);
        f.moved(None, InstanceState::InService);
        f.slots_now = 2;
        f.advance(at(10));
        f.moved(Some(InstanceState::Booting), InstanceState::InService);
        f.slots_now = 4;
        f.advance(at(20));
        assert!((f.mean(InstanceState::Booting) - 0.5).abs() < 1e-12);
        assert!((f.mean(InstanceState::InService) - 1.5).abs() < 1e-12);
        // One busy slot for 20 s over 2 then 4 slots.
        assert!((f.mean_cpu(20_000_000) - 20.0 / 60.0).abs() < 1e-12);
        assert_eq!(f.alive(), 2);
        assert_eq!(f.max[InstanceState::InService.index()], 2);
        let mut s = FleetSeries::default();
        s.close_bucket(at(20), &f, 20_000_000, 2);
        assert_eq!(s.points().len(), 1);
        assert!((s.points()[0].in_service - 1.5).abs() < 1e-12);
        for k in 0..MAX_SERIES_POINTS as u64 {
            f.advance(at(21 + k));
            s.close_bucket(at(21 + k), &f, 20_000_000, 2);
        }
        assert!(s.points().len() < MAX_SERIES_POINTS);
    }
}
