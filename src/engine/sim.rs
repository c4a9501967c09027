//! The event loop: sources produce arrivals, each platform (the Lambda
//! function and, if the scenario has one, the EC2 fleet) is handed the SAME
//! arrivals and turns them into work, metrics fold the results.
//!
//! Time is passed in: the UI calls `advance_to(now + dt × speed)` each
//! frame, the command line runs to the end.
//!
//! ```
//! use fanout::engine::scenario::Scenario;
//! use fanout::engine::sim::Simulation;
//! let json = r#"{"version": 1, "seed": 7, "duration_s": 60,
//!   "sources": [{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": 20}}],
//!   "function": {"timeout_s": 5, "duration": {"type": "fixed", "ms": 120}}}"#;
//! let scenario = Scenario::from_json(json).unwrap();
//! let mut sim = Simulation::new(&scenario).unwrap();
//! sim.advance_to(sim.end());
//! let report = sim.report();
//! assert!(report.lambda.counters.arrived > 1_000);
//! assert!(report.lambda.accounting_balances);
//! ```

use super::action::{check_factor, check_rate, Action, ActionError, LoggedAction};
use super::billing::accrual::{CostMeter, CostPoint, CostReport};
use super::billing::usage::{Ec2Usage, EventSourceUsage, LambdaUsage};
use super::defaults::SERIES_FIRST_BUCKET_S;
use super::ec2::view::Ec2Snapshot;
use super::ec2::{Ec2Ctx, Ec2Event, Ec2Side};
use super::happening::{HappeningBatch, Happenings};
use super::happening::{HappeningKind, Side};
use super::lambda::{Ctx, EnvView, LambdaEvent, LambdaSide, QueueDepth};
use super::metrics::{Counters, Series};
use super::queue::EventQueue;
use super::report::Report;
use super::scenario::{Scenario, ScenarioError, SourceKind};
use super::time::{SimDuration, SimTime};
use super::traffic::{peak_rate, scaled, ArrivalGen};
use serde::Serialize;

/// Every queued event of a run: each platform's own events. Small and
/// `Copy` so the queue moves no heap data.
///
/// Arrivals are not queued: each source's next arrival waits beside the
/// queue and the loop takes whichever is earlier (the queue first on a tie,
/// so work finishing at an instant frees its environment for an arrival at
/// that instant). That saves a heap push and pop per request, and every
/// platform is handed the very same arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// An event of the Lambda side.
    Lambda(LambdaEvent),
    /// An event of the EC2 side.
    Ec2(Ec2Event),
}

impl From<Ec2Event> for Event {
    fn from(e: Ec2Event) -> Event {
        Event::Ec2(e)
    }
}

/// A picture of the Lambda side at one instant (for drawing).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LambdaSnapshot {
    /// Every environment, in id order.
    pub environments: Vec<EnvView>,
    /// Environments [environments].
    pub total: u64,
    /// Busy environments, initializing included [environments].
    pub busy: u64,
    /// Idle warm environments [environments].
    pub idle: u64,
    /// Environments in INIT [environments].
    pub initializing: u64,
    /// Concurrency counted against the limit (busy on-demand + provisioned) [executions].
    pub concurrency_in_use: u32,
    /// Concurrency limit (reserved, else account) [executions].
    pub concurrency_limit: u32,
    /// Scaling-rate tokens left (none when unlimited) [environments].
    pub scaling_tokens: Option<f64>,
    /// SQS queues.
    pub queues: Vec<QueueDepth>,
    /// Async events waiting for a retry [events].
    pub async_waiting: u64,
    /// Counters so far.
    pub counters: Counters,
}

/// What [`Simulation::snapshot`] returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// Simulated time [µs since start].
    pub at: SimTime,
    /// The Lambda side.
    pub lambda: LambdaSnapshot,
    /// The EC2 side, if the scenario has one.
    pub ec2: Option<Ec2Snapshot>,
}

/// A running simulation.
pub struct Simulation {
    scenario: Scenario,
    end: SimTime,
    q: EventQueue<Event>,
    gens: Vec<ArrivalGen>,
    /// Next arrival of each source (`SimTime::MAX` once it is done).
    next_arrival: Vec<SimTime>,
    /// The earliest of `next_arrival` and its source (lowest index on a tie).
    next_src: (SimTime, u16),
    lambda: LambdaSide,
    /// Whether the Lambda side is fed the arrivals (`scenario.lambda`).
    lambda_on: bool,
    ec2: Option<Ec2Side>,
    happenings: Happenings,
    series: Series,
    /// The EC2 side's series, closed on the same boundaries.
    ec2_series: Series,
    next_boundary: SimTime,
    events: u64,
    /// Cumulative cost per side, priced at the series boundaries.
    cost: CostMeter,
    /// Every live operation applied, in order.
    actions: Vec<LoggedAction>,
    /// Live traffic changes so far (each draws from a stream of its own).
    traffic_changes: u64,
    /// Per source: the factor on the scenario's pattern set by
    /// [`Action::SetRate`] (1 until then).
    rate_base: Vec<f64>,
    /// Per source: the factor set by [`Action::ScaleTraffic`] on top (1 until then).
    rate_scale: Vec<f64>,
}

impl Simulation {
    /// Validates `scenario` and sets up a run at time zero.
    pub fn new(scenario: &Scenario) -> Result<Simulation, Vec<ScenarioError>> {
        scenario.validate()?;
        Ok(Simulation::build(scenario))
    }

    /// A run of `scenario` WITHOUT validation, for tests that re-create a
    /// bug validation now prevents (e.g. the 0 s visibility-timeout loop in
    /// `engine::progress`).
    #[cfg(test)]
    pub(crate) fn new_unvalidated(scenario: &Scenario) -> Simulation {
        Simulation::build(scenario)
    }

    fn build(scenario: &Scenario) -> Simulation {
        let mut q = EventQueue::new();
        let mut gens = Vec::with_capacity(scenario.sources.len());
        let mut next_arrival = Vec::with_capacity(scenario.sources.len());
        for (i, s) in scenario.sources.iter().enumerate() {
            let mut g = ArrivalGen::new(&s.pattern, scenario.seed, i as u64, scenario.duration_s);
            next_arrival.push(g.next_arrival().unwrap_or(SimTime::MAX));
            gens.push(g);
        }
        let mut lambda = LambdaSide::new(scenario);
        if scenario.lambda {
            lambda.start(&mut q);
        }
        let mut happenings = Happenings::default();
        let ec2 = scenario.ec2.as_ref().map(|cfg| {
            let mut side = Ec2Side::new(
                cfg,
                &scenario.sources,
                Some(&scenario.function),
                scenario.seed,
                scenario.duration_s,
            );
            side.start(&mut q, &mut happenings);
            side
        });
        let series = Series::new(SimDuration::from_secs(SERIES_FIRST_BUCKET_S).as_micros());
        Simulation {
            end: SimTime::ZERO + SimDuration::from_secs_f64(scenario.duration_s),
            scenario: scenario.clone(),
            q,
            gens,
            next_src: earliest(&next_arrival),
            next_arrival,
            lambda,
            lambda_on: scenario.lambda,
            ec2,
            happenings,
            next_boundary: series.next_boundary(),
            ec2_series: series.clone(),
            series,
            events: 0,
            cost: CostMeter::new(&scenario.pricing),
            actions: Vec::new(),
            traffic_changes: 0,
            rate_base: vec![1.0; scenario.sources.len()],
            rate_scale: vec![1.0; scenario.sources.len()],
        }
    }

    /// Runs `scenario` again with the live operations of `log` applied at
    /// their times, up to `until`: the same scenario, seed and log give a
    /// bit-identical run. Errors: an invalid scenario (its problems), a log
    /// out of time order or an action refused (the first such).
    pub fn replay(
        scenario: &Scenario,
        log: &[LoggedAction],
        until: SimTime,
    ) -> Result<Simulation, ReplayError> {
        let mut sim = Simulation::new(scenario).map_err(ReplayError::Scenario)?;
        sim.set_record_happenings(false);
        let mut previous = SimTime::ZERO;
        for (index, a) in log.iter().enumerate() {
            if a.at < previous {
                return Err(ReplayError::Action(ActionError::OutOfOrder {
                    index,
                    at: a.at,
                    previous,
                }));
            }
            previous = a.at;
            sim.advance_to(a.at);
            sim.apply(a.action).map_err(ReplayError::Action)?;
        }
        sim.advance_to(until);
        Ok(sim)
    }

    /// Applies a live operation now (see [`Action`]) and records it in the
    /// action log. Events due at this very instant are processed first, so
    /// the result does not depend on how the run got here (frames, single
    /// steps or a replay). A refused action changes nothing.
    pub fn apply(&mut self, action: Action) -> Result<(), ActionError> {
        self.advance_to(self.now());
        let now = self.now();
        match action {
            Action::FailInstance { instance } => {
                let ec2 = self
                    .ec2
                    .as_mut()
                    .ok_or(ActionError::NoEc2 { field: "instance" })?;
                let mut ctx = Ec2Ctx {
                    now,
                    q: &mut self.q,
                    h: &mut self.happenings,
                };
                ec2.fail_instance(instance, &mut ctx)?;
            }
            Action::AzOutage { zone } | Action::EndAzOutage { zone } => {
                let ec2 = self
                    .ec2
                    .as_mut()
                    .ok_or(ActionError::NoEc2 { field: "zone" })?;
                let mut ctx = Ec2Ctx {
                    now,
                    q: &mut self.q,
                    h: &mut self.happenings,
                };
                if matches!(action, Action::AzOutage { .. }) {
                    ec2.zone_down(zone, &mut ctx)?;
                } else {
                    ec2.zone_up(zone, &mut ctx)?;
                }
            }
            Action::SetRate { source, rate_per_s } => {
                let base = &self.source_checked(source)?.pattern;
                check_rate(rate_per_s)?;
                let peak = peak_rate(base).ok_or_else(|| ActionError::Pattern {
                    index: source,
                    why: "has no rate to set (bursts or a recorded trace); scale it instead"
                        .to_owned(),
                })?;
                if peak <= 0.0 {
                    return Err(ActionError::Pattern {
                        index: source,
                        why: "sends nothing (a peak rate of 0), so it cannot be scaled to a rate"
                            .to_owned(),
                    });
                }
                let base = rate_per_s / peak;
                let scale = self.rate_scale[source as usize];
                if rate_per_s * scale > super::defaults::MAX_RATE_PER_S {
                    return Err(ActionError::Rate {
                        value: rate_per_s,
                        why: format!(
                            "too high with the traffic factor {scale} in force: the peak would be {} requests/s, above the engine maximum of {}",
                            libm::round(rate_per_s * scale),
                            super::defaults::MAX_RATE_PER_S
                        ),
                    });
                }
                self.scaled_pattern(source, base * scale)?;
                self.rate_base[source as usize] = base;
                self.set_traffic(source)?;
            }
            Action::ScaleTraffic { source, factor } => {
                check_factor(factor)?;
                let all: Vec<u16> = match source {
                    Some(s) => {
                        self.source_checked(s)?;
                        vec![s]
                    }
                    None => (0..self.scenario.sources.len() as u16).collect(),
                };
                // Check every source first: all or nothing.
                for &s in &all {
                    self.scaled_pattern(s, self.rate_base[s as usize] * factor)
                        .map_err(|e| match e {
                            ActionError::Factor { why, .. } => {
                                ActionError::Factor { value: factor, why }
                            }
                            e => e,
                        })?;
                }
                for s in all {
                    self.rate_scale[s as usize] = factor;
                    self.set_traffic(s)?;
                }
            }
        }
        self.actions.push(LoggedAction { at: now, action });
        Ok(())
    }

    /// The live operations applied so far, in order.
    pub fn actions(&self) -> &[LoggedAction] {
        &self.actions
    }

    fn source_checked(&self, source: u16) -> Result<&super::scenario::Source, ActionError> {
        self.scenario
            .sources
            .get(source as usize)
            .ok_or(ActionError::UnknownSource {
                index: source,
                max: self.scenario.sources.len().saturating_sub(1),
            })
    }

    /// The scenario's pattern of `source` scaled by `factor`, if it stays
    /// within the engine's rate limit.
    fn scaled_pattern(
        &self,
        source: u16,
        factor: f64,
    ) -> Result<super::scenario::Pattern, ActionError> {
        let base = &self.source_checked(source)?.pattern;
        let p = scaled(base, factor).ok_or_else(|| ActionError::Pattern {
            index: source,
            why: "is a recorded trace, whose instants cannot be rescaled".to_owned(),
        })?;
        if let Some(peak) = peak_rate(&p) {
            if peak > super::defaults::MAX_RATE_PER_S {
                return Err(ActionError::Factor {
                    value: factor,
                    why: format!(
                        "too large for source {source}: its peak would be {} requests/s, above the engine maximum of {}",
                        libm::round(peak),
                        super::defaults::MAX_RATE_PER_S
                    ),
                });
            }
        }
        Ok(p)
    }

    /// From now on `source` follows its scenario pattern × its rate factors.
    fn set_traffic(&mut self, source: u16) -> Result<(), ActionError> {
        let i = source as usize;
        let p = self.scaled_pattern(source, self.rate_base[i] * self.rate_scale[i])?;
        let now = self.now();
        self.traffic_changes += 1;
        let mut g = ArrivalGen::resumed(
            &p,
            self.scenario.seed,
            u64::from(source),
            self.traffic_changes,
            self.scenario.duration_s,
            now,
        );
        let next = g.next_arrival().unwrap_or(SimTime::MAX).max(now);
        self.gens[source as usize] = g;
        self.next_arrival[source as usize] = next;
        self.next_src = earliest(&self.next_arrival);
        self.happenings.push(
            now,
            Side::Lambda,
            HappeningKind::TrafficChanged,
            Some(u32::from(source)),
            None,
        );
        Ok(())
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated time now.
    pub fn now(&self) -> SimTime {
        self.q.now()
    }

    /// When the sources stop sending (the scenario's duration).
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// Events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.events
    }

    /// Events waiting in the queue (for the progress check of
    /// `engine::progress`; stale ones included).
    pub fn pending_events(&self) -> usize {
        self.q.len()
    }

    /// Whether anything is left to happen.
    pub fn is_idle(&self) -> bool {
        self.q.is_empty() && self.next_src.0 == SimTime::MAX
    }

    /// Turns the happening log on or off (off for headless runs).
    pub fn set_record_happenings(&mut self, on: bool) {
        self.happenings.enabled = on;
    }

    /// The Lambda side (for tests and the report).
    pub fn lambda(&self) -> &LambdaSide {
        &self.lambda
    }

    /// The EC2 side, if the scenario has one.
    pub fn ec2(&self) -> Option<&Ec2Side> {
        self.ec2.as_ref()
    }

    /// Processes the next event, if any; returns its time.
    pub fn step(&mut self) -> Option<SimTime> {
        self.step_until(SimTime::MAX)
    }

    /// Processes the next event if it is at or before `deadline`.
    #[inline]
    fn step_until(&mut self, deadline: SimTime) -> Option<SimTime> {
        let (arrival, source) = self.next_src;
        match self.q.peek_time() {
            Some(t) if t <= arrival && t <= deadline => {
                let (at, e) = self.q.pop()?;
                self.begin(at);
                match e {
                    Event::Lambda(e) => {
                        let mut ctx = Ctx {
                            now: at,
                            q: &mut self.q,
                            h: &mut self.happenings,
                        };
                        self.lambda.on_event(e, &mut ctx);
                    }
                    Event::Ec2(e) => {
                        if let Some(ec2) = self.ec2.as_mut() {
                            let mut ctx = Ec2Ctx {
                                now: at,
                                q: &mut self.q,
                                h: &mut self.happenings,
                            };
                            ec2.on_event(e, &mut ctx);
                        }
                    }
                }
                Some(at)
            }
            _ if arrival != SimTime::MAX && arrival <= deadline => {
                self.q.advance_to(arrival);
                self.begin(arrival);
                // Every platform gets the very same arrival.
                if self.lambda_on {
                    let mut ctx = Ctx {
                        now: arrival,
                        q: &mut self.q,
                        h: &mut self.happenings,
                    };
                    self.lambda.on_arrival(source, &mut ctx);
                }
                if let Some(ec2) = self.ec2.as_mut() {
                    let mut ctx = Ec2Ctx {
                        now: arrival,
                        q: &mut self.q,
                        h: &mut self.happenings,
                    };
                    ec2.on_arrival(source, &mut ctx);
                }
                let next = self.gens[source as usize]
                    .next_arrival()
                    .unwrap_or(SimTime::MAX);
                self.next_arrival[source as usize] = next.max(arrival);
                self.next_src = earliest(&self.next_arrival);
                Some(arrival)
            }
            _ => None,
        }
    }

    /// Processes every event up to and including `t`, then moves the clock
    /// to `t` (never backwards).
    pub fn advance_to(&mut self, t: SimTime) {
        while self.step_until(t).is_some() {}
        self.q.advance_to(t);
        let now = self.q.now();
        self.close_buckets(now);
        self.lambda.ints.advance(now);
        if let Some(ec2) = self.ec2.as_mut() {
            ec2.advance(now);
        }
    }

    #[inline]
    fn begin(&mut self, at: SimTime) {
        self.events += 1;
        if at >= self.next_boundary {
            self.close_buckets(at);
        }
    }

    #[inline]
    fn close_buckets(&mut self, at: SimTime) {
        while self.next_boundary <= at {
            let b = self.next_boundary;
            self.lambda.ints.advance(b);
            self.series
                .close_bucket(b, &self.lambda.ints, &self.lambda.counters);
            if let Some(ec2) = self.ec2.as_mut() {
                ec2.advance(b);
                self.ec2_series.close_bucket(b, &ec2.ints, &ec2.counters);
                ec2.close_bucket(b);
            }
            // Cost from the cumulative usage at the boundary: nothing is
            // priced per event.
            let billable = self.lambda.billable_at(b);
            let ec2 = self
                .ec2
                .as_ref()
                .map(|e| (e.usage_at(b), e.event_source_usage()));
            self.cost.close_bucket(
                b,
                &billable.lambda_usage(self.scenario.function.architecture),
                &billable.event_source_usage(),
                ec2.as_ref().map(|(u, s)| (u, s)),
            );
            self.next_boundary = self.series.next_boundary();
        }
    }

    /// What happened since the last call (bounded; the rest is counted).
    pub fn drain_happenings(&mut self) -> HappeningBatch {
        self.happenings.drain()
    }

    /// The state now, for drawing a frame.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now();
        let (total, busy, idle, initializing) = self.lambda.env_counts();
        Snapshot {
            at: now,
            lambda: LambdaSnapshot {
                environments: self.lambda.env_views(now),
                total,
                busy,
                idle,
                initializing,
                concurrency_in_use: self.lambda.concurrency_in_use(),
                concurrency_limit: self.lambda.limit(),
                scaling_tokens: self.lambda.scaling_tokens(now),
                queues: self.lambda.queue_depths(),
                async_waiting: self.lambda.async_waiting(),
                counters: self.lambda.counters,
            },
            ec2: self.ec2.as_ref().map(|e| e.snapshot(now)),
        }
    }

    /// The counters of the Lambda side so far.
    pub fn counters(&self) -> &Counters {
        &self.lambda.counters
    }

    /// Billable usage of the function so far, for the billing module (an
    /// enabled provisioned level is billed as if disabled now).
    pub fn lambda_usage(&self) -> LambdaUsage {
        self.lambda
            .billable_at(self.now())
            .lambda_usage(self.scenario.function.architecture)
    }

    /// Requests to the event sources so far, for the billing module.
    pub fn event_source_usage(&self) -> EventSourceUsage {
        self.lambda.billable_at(self.now()).event_source_usage()
    }

    /// Billable usage of the EC2 deployment so far (instances launch to
    /// now or termination, load-balancer hours and LCU inputs), if any.
    pub fn ec2_usage(&self) -> Option<Ec2Usage> {
        self.ec2.as_ref().map(|e| e.usage_at(self.now()))
    }

    /// Requests to the event sources in front of the EC2 deployment so far
    /// (its SQS queues, with empty long polls; S3 uploads), if any.
    pub fn ec2_event_source_usage(&self) -> Option<EventSourceUsage> {
        self.ec2.as_ref().map(|e| e.event_source_usage())
    }

    /// The cost series so far (cumulative, itemized per side), for the
    /// UI's cost meter and charts.
    pub fn cost_series(&self) -> &[CostPoint] {
        self.cost.points()
    }

    /// What the run has cost up to now, itemized per side (also between
    /// series boundaries, e.g. for a cost meter drawn every frame).
    pub fn cost_now(&self) -> CostPoint {
        let now = self.now();
        let ec2 = self.ec2_usage().zip(self.ec2_event_source_usage());
        self.cost.price(
            now,
            &self.lambda_usage(),
            &self.event_source_usage(),
            ec2.as_ref().map(|(u, s)| (u, s)),
        )
    }

    /// The report's `cost` section now, without the series: per deployed
    /// side the itemized bill so far and the month projected from the
    /// window (labelled as a projection, with its method). For the UI's
    /// cost meters; the series is [`Simulation::cost_series`].
    pub fn cost_report(&self) -> CostReport {
        let (lu, ls) = (self.lambda_usage(), self.event_source_usage());
        let ec2 = self.ec2_usage().zip(self.ec2_event_source_usage());
        CostReport::build(
            self.cost.pricer(),
            self.now().since_start(),
            self.lambda_on.then_some((&lu, &ls)),
            ec2.as_ref().map(|(u, s)| (u, s)),
        )
    }

    /// Everything measured so far.
    pub fn report(&self) -> Report {
        let mut r = Report::build(
            &self.scenario,
            self.now(),
            self.events,
            &self.lambda,
            &self.series,
        );
        let mut cost = self.cost_report();
        cost.series = self.cost.points().to_vec();
        r.cost = Some(cost);
        if let Some(e) = &self.ec2 {
            let name = self.scenario.ec2.as_ref().map_or("", |c| c.name.as_str());
            r.ec2 = Some(e.report(name, self.now(), &self.ec2_series));
            r.assumptions
                .extend_from_slice(super::ec2::defaults::EC2_ASSUMPTIONS);
        }
        r
    }

    /// Kinds of the sources, by index.
    pub fn source_kinds(&self) -> Vec<SourceKind> {
        self.scenario.sources.iter().map(|s| s.kind).collect()
    }
}

/// Why [`Simulation::replay`] failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplayError {
    /// The scenario is invalid.
    Scenario(Vec<ScenarioError>),
    /// An action of the log was refused or out of order.
    Action(ActionError),
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::Scenario(errs) => {
                let all: Vec<String> = errs.iter().map(ToString::to_string).collect();
                write!(f, "{}", all.join("; "))
            }
            ReplayError::Action(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// The earliest pending arrival and its source (lowest index on a tie).
#[inline]
fn earliest(next: &[SimTime]) -> (SimTime, u16) {
    let mut best = (SimTime::MAX, 0u16);
    for (i, &t) in next.iter().enumerate() {
        if t < best.0 {
            best = (t, i as u16);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(json: &str) -> Scenario {
        Scenario::from_json(json).unwrap()
    }

    #[test]
    fn event_is_small() {
        assert!(
            std::mem::size_of::<Event>() <= 16,
            "{}",
            std::mem::size_of::<Event>()
        );
    }

    #[test]
    fn advance_in_frames_equals_one_run() {
        let s = scenario(
            r#"{"version":1,"seed":3,"duration_s":120,
            "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":30}}],
            "function":{"timeout_s":3,"duration":{"type":"exponential","mean_ms":200},"keep_alive_s":20}}"#,
        );
        let mut a = Simulation::new(&s).unwrap();
        a.advance_to(a.end());
        let mut b = Simulation::new(&s).unwrap();
        let mut t = SimTime::ZERO;
        while t < b.end() {
            t += SimDuration::from_millis(16);
            b.advance_to(t.min(b.end()));
            let snap = b.snapshot();
            assert_eq!(snap.lambda.total, snap.lambda.environments.len() as u64);
            assert!(snap.lambda.counters.balances());
            let _ = b.drain_happenings();
        }
        let (ra, rb) = (a.report(), b.report());
        assert_eq!(ra.lambda.counters, rb.lambda.counters);
        assert_eq!(
            serde_json::to_string(&ra).unwrap(),
            serde_json::to_string(&rb).unwrap()
        );
    }

    #[test]
    fn step_processes_one_event() {
        let s = scenario(
            r#"{"version":1,"duration_s":10,
            "sources":[{"kind":"api","pattern":{"type":"bursts","bursts":[{"at_s":1,"count":1}]}}],
            "function":{"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":50}}}"#,
        );
        let mut sim = Simulation::new(&s).unwrap();
        assert_eq!(sim.step(), Some(SimTime::from_micros(1_000_000)));
        assert_eq!(sim.snapshot().lambda.initializing, 1);
        assert_eq!(sim.step(), Some(SimTime::from_micros(1_050_000)));
        assert_eq!(sim.snapshot().lambda.busy, 1);
        assert_eq!(sim.step(), Some(SimTime::from_micros(1_150_000)));
        assert_eq!(sim.snapshot().lambda.idle, 1);
        let h = sim.drain_happenings();
        assert_eq!(h.happenings.len(), 2, "{h:?}");
        assert_eq!(h.happenings[0].source, Some(0));
        assert_eq!(h.happenings[0].env, Some(0));
    }
}
