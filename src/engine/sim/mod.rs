//! The event loop: sources produce arrivals, each platform (the Lambda
//! function and, if the scenario has one, the EC2 fleet) is handed the SAME
//! arrivals and turns them into work, metrics fold the results.
//!
//! Time is passed in: the UI calls `advance_to(now + dt × speed)` each
//! frame, the command line runs to the end.
//!
//! Beside the loop: its [`Event`] ([`event`]), live actions and replay
//! ([`live_actions`]), usage and cost so far ([`cost`]), the run's
//! [`Report`] ([`report`]) and the progress check for step-by-step runs
//! ([`progress`]).
//!
//! ```
//! use fanout::engine::scenario::Scenario;
//! use fanout::engine::Simulation;
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

pub mod cost;
pub mod event;
pub mod live_actions;
pub mod progress;
pub mod report;

use super::action::LoggedAction;
use super::billing::accrual::CostMeter;
use super::defaults::SERIES_FIRST_BUCKET_S;
use super::ec2::view::Ec2Snapshot;
use super::ec2::{Ec2Ctx, Ec2Side};
use super::happening::{HappeningBatch, Happenings};
use super::lambda::{LambdaCtx, LambdaSide};
use super::metrics::{Counters, Series};
use super::queue::EventQueue;
use super::scenario::ec2::defaults::EC2_ASSUMPTIONS;
use super::scenario::{Scenario, ScenarioError, SourceKind};
use super::time::{SimDuration, SimTime};
use super::traffic::ArrivalGen;
use serde::Serialize;

pub use self::event::Event;
pub use self::live_actions::ReplayError;
use self::report::Report;
use super::lambda::LambdaSnapshot;

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
    queue: EventQueue<Event>,
    /// The arrival generator of each source.
    generators: Vec<ArrivalGen>,
    /// Next arrival of each source (`SimTime::MAX` once it is done).
    next_arrival: Vec<SimTime>,
    /// The earliest of `next_arrival` and its source (lowest index on a tie).
    next_source: (SimTime, u16),
    lambda: LambdaSide,
    /// Whether the Lambda side is fed the arrivals (`scenario.lambda`).
    lambda_on: bool,
    ec2: Option<Ec2Side>,
    happenings: Happenings,
    series: Series,
    /// The EC2 side's series, closed on the same boundaries.
    ec2_series: Series,
    next_boundary: SimTime,
    events_processed: u64,
    /// Cumulative cost per side, priced at the series boundaries.
    cost: CostMeter,
    /// Every live operation applied, in order.
    actions: Vec<LoggedAction>,
    /// Live traffic changes so far (each draws from a stream of its own).
    traffic_changes: u64,
    /// Per source: the factor on the scenario's pattern set by
    /// [`Action::SetRate`](super::action::Action::SetRate) (1 until then).
    rate_base: Vec<f64>,
    /// Per source: the factor set by
    /// [`Action::ScaleTraffic`](super::action::Action::ScaleTraffic) on top
    /// (1 until then).
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
    /// `engine::sim::progress`).
    #[cfg(test)]
    pub(crate) fn new_unvalidated(scenario: &Scenario) -> Simulation {
        Simulation::build(scenario)
    }

    fn build(scenario: &Scenario) -> Simulation {
        let mut queue = EventQueue::new();
        let mut generators = Vec::with_capacity(scenario.sources.len());
        let mut next_arrival = Vec::with_capacity(scenario.sources.len());
        for (i, source) in scenario.sources.iter().enumerate() {
            let mut generator = ArrivalGen::new(
                &source.pattern,
                scenario.seed,
                i as u64,
                scenario.duration_s,
            );
            next_arrival.push(generator.next_arrival().unwrap_or(SimTime::MAX));
            generators.push(generator);
        }
        let mut lambda = LambdaSide::new(scenario);
        if scenario.lambda {
            lambda.start(&mut queue);
        }
        let mut happenings = Happenings::default();
        let ec2 = scenario.ec2.as_ref().map(|config| {
            let mut side = Ec2Side::new(
                config,
                &scenario.sources,
                Some(&scenario.function),
                scenario.seed,
                scenario.duration_s,
            );
            side.start(&mut queue, &mut happenings);
            side
        });
        let series = Series::new(SimDuration::from_secs(SERIES_FIRST_BUCKET_S).as_micros());
        Simulation {
            end: SimTime::ZERO + SimDuration::from_secs_f64(scenario.duration_s),
            scenario: scenario.clone(),
            queue,
            generators,
            next_source: earliest(&next_arrival),
            next_arrival,
            lambda,
            lambda_on: scenario.lambda,
            ec2,
            happenings,
            next_boundary: series.next_boundary(),
            ec2_series: series.clone(),
            series,
            events_processed: 0,
            cost: CostMeter::new(&scenario.pricing),
            actions: Vec::new(),
            traffic_changes: 0,
            rate_base: vec![1.0; scenario.sources.len()],
            rate_scale: vec![1.0; scenario.sources.len()],
        }
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated time now.
    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// When the sources stop sending (the scenario's duration).
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// Events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Events waiting in the queue (for the progress check of
    /// `engine::sim::progress`; stale ones included).
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Whether anything is left to happen.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.next_source.0 == SimTime::MAX
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

    /// Processes the next event if it is at or before `deadline`: the
    /// queue's next event, or else the next arrival (the queue first on a
    /// tie).
    #[inline]
    fn step_until(&mut self, deadline: SimTime) -> Option<SimTime> {
        let (arrival, source) = self.next_source;
        match self.queue.peek_time() {
            Some(t) if t <= arrival && t <= deadline => {
                let (at, event) = self.queue.pop()?;
                self.begin(at);
                self.dispatch(at, event);
                Some(at)
            }
            _ if arrival != SimTime::MAX && arrival <= deadline => {
                self.queue.advance_to(arrival);
                self.begin(arrival);
                self.arrive(arrival, source);
                Some(arrival)
            }
            _ => None,
        }
    }

    /// Hands a queued event to its platform.
    #[inline]
    fn dispatch(&mut self, at: SimTime, event: Event) {
        match event {
            Event::Lambda(event) => {
                let mut ctx = LambdaCtx {
                    now: at,
                    queue: &mut self.queue,
                    happenings: &mut self.happenings,
                };
                self.lambda.on_event(event, &mut ctx);
            }
            Event::Ec2(event) => {
                if let Some(ec2) = self.ec2.as_mut() {
                    let mut ctx = Ec2Ctx {
                        now: at,
                        queue: &mut self.queue,
                        happenings: &mut self.happenings,
                    };
                    ec2.on_event(event, &mut ctx);
                }
            }
        }
    }

    /// Hands the arrival from `source` to every platform, then draws the
    /// source's next one.
    #[inline]
    fn arrive(&mut self, arrival: SimTime, source: u16) {
        // Every platform gets the very same arrival.
        if self.lambda_on {
            let mut ctx = LambdaCtx {
                now: arrival,
                queue: &mut self.queue,
                happenings: &mut self.happenings,
            };
            self.lambda.on_arrival(source, &mut ctx);
        }
        if let Some(ec2) = self.ec2.as_mut() {
            let mut ctx = Ec2Ctx {
                now: arrival,
                queue: &mut self.queue,
                happenings: &mut self.happenings,
            };
            ec2.on_arrival(source, &mut ctx);
        }
        let next = self.generators[source as usize]
            .next_arrival()
            .unwrap_or(SimTime::MAX);
        let next = next.max(arrival);
        self.next_arrival[source as usize] = next;
        self.next_source = if self.next_arrival.len() == 1 {
            (next, 0)
        } else {
            earliest(&self.next_arrival)
        };
    }

    /// Processes every event up to and including `t`, then moves the clock
    /// to `t` (never backwards).
    pub fn advance_to(&mut self, t: SimTime) {
        while self.step_until(t).is_some() {}
        self.queue.advance_to(t);
        let now = self.queue.now();
        self.close_buckets(now);
        self.lambda.ints.advance(now);
        if let Some(ec2) = self.ec2.as_mut() {
            ec2.advance(now);
        }
    }

    #[inline]
    fn begin(&mut self, at: SimTime) {
        self.events_processed += 1;
        if at >= self.next_boundary {
            self.close_buckets(at);
        }
    }

    /// Closes every series bucket that ended by `at`, and prices the
    /// cumulative usage at each boundary.
    #[inline]
    fn close_buckets(&mut self, at: SimTime) {
        while self.next_boundary <= at {
            let boundary = self.next_boundary;
            self.lambda.ints.advance(boundary);
            self.series
                .close_bucket(boundary, &self.lambda.ints, &self.lambda.counters);
            if let Some(ec2) = self.ec2.as_mut() {
                ec2.advance(boundary);
                self.ec2_series
                    .close_bucket(boundary, &ec2.ints, &ec2.counters);
                ec2.close_bucket(boundary);
            }
            // Cost from the cumulative usage at the boundary: nothing is
            // priced per event.
            let billable = self.lambda.billable_at(boundary);
            let ec2 = self
                .ec2
                .as_ref()
                .map(|ec2| (ec2.usage_at(boundary), ec2.event_source_usage()));
            self.cost.close_bucket(
                boundary,
                &billable.lambda_usage(self.scenario.function.architecture),
                &billable.event_source_usage(),
                ec2.as_ref().map(|(usage, sources)| (usage, sources)),
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
        Snapshot {
            at: now,
            lambda: self.lambda.snapshot(now),
            ec2: self.ec2.as_ref().map(|ec2| ec2.snapshot(now)),
        }
    }

    /// The counters of the Lambda side so far.
    pub fn counters(&self) -> &Counters {
        &self.lambda.counters
    }

    /// Everything measured so far.
    pub fn report(&self) -> Report {
        let mut report = Report::build(
            &self.scenario,
            self.now(),
            self.events_processed,
            &self.lambda,
            &self.series,
        );
        let mut cost = self.cost_report();
        cost.series = self.cost.points().to_vec();
        report.cost = Some(cost);
        if let Some(ec2) = &self.ec2 {
            let name = self.scenario.ec2.as_ref().map_or("", |c| c.name.as_str());
            report.ec2 = Some(ec2.report(name, self.now(), &self.ec2_series));
            report.assumptions.extend_from_slice(EC2_ASSUMPTIONS);
        }
        report
    }

    /// Kinds of the sources, by index.
    pub fn source_kinds(&self) -> Vec<SourceKind> {
        self.scenario.sources.iter().map(|s| s.kind).collect()
    }
}

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
        let batch = sim.drain_happenings();
        assert_eq!(batch.happenings.len(), 2, "{batch:?}");
        assert_eq!(batch.happenings[0].source, Some(0));
        assert_eq!(batch.happenings[0].env, Some(0));
    }
}
