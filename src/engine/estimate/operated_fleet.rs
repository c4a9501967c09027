//! A fixed fleet as the engine operates it, stepped minute by minute on
//! the expected load: injected failures, the health checks, the on-call
//! operator who replaces failed instances and resizes an overloaded fleet.

use super::arrivals::load_in;
use super::fleet::{Backlog, FleetLoad, METRIC_PERIOD};
use crate::engine::billing::usage::{ec2_billable_seconds, Ec2Usage, InstanceUsage};
use crate::engine::ec2::autoscaling::needed_capacity;
use crate::engine::ec2::operator::{Alarm, Pager};
use crate::engine::order::{f64_key, sort_by_u64};
use crate::engine::scenario::ec2::defaults as ed;
use crate::engine::scenario::ec2::{Ec2Config, Failure};
use crate::engine::time::{SimDuration, SimTime};

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

/// A discrete happening of the operated fleet, in time order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Happening {
    /// Injected failure of this index.
    Failure(usize),
    /// The health checks notice that this instance failed.
    Noticed(usize),
    /// The operator acts.
    OperatorActs,
}

/// The state of [`operated_fleet`] as it is stepped.
struct OperatedFleet<'a> {
    ec2: &'a Ec2Config,
    zones: u32,
    /// Until when each zone is down [s].
    zone_down_until: Vec<f64>,
    fleet: Vec<Machine>,
    /// Happenings not yet handled: (time [s], what).
    pending: Vec<(f64, Happening)>,
    pager: Pager,
    alarm: Option<Alarm>,
    /// The overload alarm paged and the operator has not yet resized.
    overload_pending: bool,
    /// CPU of the last period with capacity [%].
    last_cpu: Option<f64>,
    /// Health-check detection time [s].
    detection: f64,
    /// Instances the operator keeps running.
    target: u32,
    peak: u32,
    /// Idle worker-seconds.
    idle: f64,
    backlog: Backlog,
    /// Cursor into the load's slices.
    slice: usize,
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
pub(super) fn operated_fleet(f: &FleetLoad) -> (Ec2Usage, u32, f64) {
    let mut state = OperatedFleet::new(f);
    let mut t = 0.0;
    while t < f.window {
        let end = (t + METRIC_PERIOD).min(f.window);
        state.happenings_until(end);
        state.period(f, t, end);
        t = end;
    }
    state.usage(f.window)
}

impl<'a> OperatedFleet<'a> {
    /// The initial fleet, with the injected failures pending.
    fn new(f: &FleetLoad<'a>) -> OperatedFleet<'a> {
        let ec2 = f.ec2;
        let zones = ec2.zones.clamp(1, ed::ZONES_MAX);
        let op = &ec2.operator;
        let mut state = OperatedFleet {
            ec2,
            zones,
            zone_down_until: vec![f64::NEG_INFINITY; zones as usize],
            fleet: Vec::new(),
            pending: Vec::new(),
            pager: Pager::default(),
            alarm: op
                .alarm_cpu_percent
                .map(|c| Alarm::new(c, op.alarm_datapoints)),
            overload_pending: false,
            last_cpu: None,
            detection: ec2.health_check.detection_s(),
            target: 0,
            peak: 0,
            idle: 0.0,
            backlog: Backlog::new(f.redelivery),
            slice: 0,
        };
        let initial = ec2.instances.min(ed::MAX_INSTANCES);
        for _ in 0..initial {
            state.launch(0.0, true);
        }
        state.target = initial;
        state.peak = initial;
        let window = f.window;
        let mut failures: Vec<(f64, Happening)> = ec2
            .failures
            .iter()
            .take(ed::MAX_EC2_ENTRIES)
            .enumerate()
            .map(|(i, f)| (f.at_s(), Happening::Failure(i)))
            .filter(|h| h.0 < window)
            .collect();
        sort_by_u64(&mut failures, |f| f64_key(f.0));
        state.pending.extend(failures);
        state
    }

    /// Launches an instance in the zone with the fewest (among those up);
    /// none when every zone is down.
    fn launch(&mut self, now: f64, initial: bool) -> Option<()> {
        let mut per_zone = vec![0u32; self.zones as usize];
        for m in self.fleet.iter().filter(|m| m.terminated_at.is_none()) {
            per_zone[m.zone as usize] += 1;
        }
        let zone = (0..self.zones)
            .filter(|&z| self.zone_down_until[z as usize] <= now)
            .min_by_key(|&z| (per_zone[z as usize], z))?;
        self.fleet.push(Machine {
            launched: now,
            in_service_at: if initial { now } else { now + self.ec2.boot_s },
            zone,
            failed_at: None,
            terminated_at: None,
        });
        Some(())
    }

    /// Happenings up to the tick at `end`, in time order (an operator
    /// acting at the tick's own time acts first, as scheduled earlier).
    fn happenings_until(&mut self, end: f64) {
        while let Some(i) = (0..self.pending.len())
            .filter(|&i| self.pending[i].0 <= end)
            .min_by(|&a, &b| self.pending[a].0.total_cmp(&self.pending[b].0))
        {
            let (at, what) = self.pending.swap_remove(i);
            match what {
                Happening::Failure(index) => self.failure(at, index),
                Happening::Noticed(index) => self.noticed(at, index),
                Happening::OperatorActs => self.operator_acts(at),
            }
        }
    }

    /// Injected failure `index` at `at`: a crash or a zone outage.
    fn failure(&mut self, at: f64, index: usize) {
        let fleet = &self.fleet;
        let hit: Vec<usize> = match self.ec2.failures[index] {
            Failure::InstanceCrash { instance, .. } => {
                let by_id = instance
                    .map(|id| id as usize)
                    .filter(|&id| fleet.get(id).is_some_and(Machine::alive));
                let oldest =
                    || (0..fleet.len()).find(|&i| fleet[i].alive() && fleet[i].in_service_at <= at);
                by_id.or_else(oldest).into_iter().collect()
            }
            Failure::AzOutage {
                zone, duration_s, ..
            } => {
                if let Some(z) = self.zone_down_until.get_mut(zone as usize) {
                    *z = z.max(at + duration_s);
                }
                (0..fleet.len())
                    .filter(|&i| fleet[i].zone == zone && fleet[i].alive())
                    .collect()
            }
        };
        for i in hit {
            self.fleet[i].failed_at = Some(at);
            self.pending
                .push((at + self.detection, Happening::Noticed(i)));
        }
    }

    /// The health checks notice instance `index` failed: page the operator.
    fn noticed(&mut self, at: f64, index: usize) {
        if self.fleet[index].terminated_at.is_none() && self.ec2.operator.on_call {
            self.page(at);
        }
    }

    /// Pages the operator at `at`; a new incident schedules their action.
    fn page(&mut self, at: f64) {
        if let Some(acting) = self.pager.page(
            SimTime::ZERO + SimDuration::from_secs_f64(at),
            SimDuration::from_secs_f64(self.ec2.operator.response_s),
        ) {
            self.pending
                .push((acting.as_micros() as f64 / 1e6, Happening::OperatorActs));
        }
    }

    /// The operator terminates every failed instance, resizes the fleet if
    /// the overload alarm paged, and launches up to the target.
    fn operator_acts(&mut self, at: f64) {
        self.pager.resolved();
        for m in self.fleet.iter_mut() {
            if m.failed_at.is_some() && m.terminated_at.is_none() {
                m.terminated_at = Some(at);
            }
        }
        if std::mem::take(&mut self.overload_pending) {
            if let Some(cpu) = self.last_cpu {
                let serving = self
                    .fleet
                    .iter()
                    .filter(|m| m.alive() && m.in_service_at <= at)
                    .count() as u32;
                let want =
                    needed_capacity(cpu, serving.max(1), self.ec2.operator.target_cpu_percent)
                        .min(ed::MAX_INSTANCES);
                self.target = self.target.max(want);
            }
        }
        let live = self
            .fleet
            .iter()
            .filter(|m| m.terminated_at.is_none())
            .count() as u32;
        for _ in live..self.target {
            if self.launch(at, false).is_none() {
                break;
            }
        }
        self.peak = self.peak.max(self.target);
    }

    /// The period [t, end): its expected work against the capacity in
    /// service, and the overload alarm on its CPU.
    fn period(&mut self, f: &FleetLoad, t: f64, end: f64) {
        let detection = self.detection;
        let (busy, _, queued) = load_in(f.load, &mut self.slice, t, end);
        let serving: f64 = self.fleet.iter().map(|m| m.serving(t, end)).sum();
        let capacity = serving * f.slots;
        // A crashed instance keeps its share of the API traffic (answered
        // 502) until the health checks notice.
        let unnoticed: f64 = self
            .fleet
            .iter()
            .filter_map(|m| m.failed_at)
            .map(|f| ((f + detection).min(end) - f.max(t)).max(0.0))
            .sum();
        let reaching = if serving + unnoticed > 0.0 {
            serving / (serving + unnoticed)
        } else {
            0.0
        };
        let served = self.backlog.serve(
            t,
            end,
            (busy - queued).max(0.0) * reaching,
            queued,
            capacity,
        );
        self.idle += (capacity - served).max(0.0);
        let cpu = (capacity > 0.0).then(|| served / capacity * 100.0);
        self.last_cpu = cpu.or(self.last_cpu);
        if end - t >= METRIC_PERIOD - 1e-9
            && self.alarm.as_mut().is_some_and(|a| a.observe(cpu))
            && !self.overload_pending
        {
            self.overload_pending = true;
            if self.ec2.operator.on_call {
                self.page(end);
            } else {
                self.overload_pending = false;
            }
        }
    }

    /// Instance-seconds as billed, the peak and the idle worker-seconds.
    fn usage(self, window: f64) -> (Ec2Usage, u32, f64) {
        let mut inst = InstanceUsage::default();
        for m in &self.fleet {
            let until = m.terminated_at.unwrap_or(window).min(window);
            inst.launches += 1;
            inst.billable_seconds +=
                ec2_billable_seconds(SimDuration::from_secs_f64((until - m.launched).max(0.0)));
        }
        let mut u = Ec2Usage::default();
        u.instances.insert(self.ec2.instance_type.clone(), inst);
        (u, self.peak, self.idle)
    }
}
