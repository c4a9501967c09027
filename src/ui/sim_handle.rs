//! The app's owner of the running [`Simulation`]: advances it within the
//! frame budget, drains its happenings into particles and marks, samples
//! its numbers for the charts and meters, and hands the components
//! ready-to-draw views. Everything shown comes from the engine's snapshot,
//! counters, happenings and the bill; the only state kept here is about
//! drawing (cell slots, particles, when a cell was last seen busy).

use crate::engine::action::{Action, ActionError, LoggedAction};
use crate::engine::ec2::operator::OperatorWork;
use crate::engine::happening::{Happening, HappeningBatch, HappeningKind, Side};
use crate::engine::lambda::EnvState;
use crate::engine::metrics::LatencySummary;
use crate::engine::scenario::{Scenario, ScenarioError, SourceKind};
use crate::engine::sim::{Simulation, Snapshot};
use crate::engine::time::SimTime;
use crate::ui::charts::cost::{ec2_meter, lambda_meter, CostMeter};
use crate::ui::view_model::budget::Budget;
use crate::ui::view_model::history::{History, Sample, SideSample};
use crate::ui::view_model::lod::Slots;
use crate::ui::view_model::narration::{Caption, Facts, Narrator, Wall};
use crate::ui::view_model::particles::{
    sample_indices, Particle, Particles, Target, MAX_NEW_PER_FRAME,
};
use std::collections::VecDeque;
use std::rc::Rc;

/// How long a timeout mark stays on its cell [ms of wall time].
pub const MARK_MS: f64 = 1_600.0;
/// How often the metrics and cost meters refresh [ms of wall time].
const LIVE_EVERY_MS: f64 = 200.0;
/// Window over which request rates are measured [ms of wall time].
const RATE_WINDOW_MS: f64 = 1_500.0;

/// An event source as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceView {
    pub name: String,
    pub kind: SourceKind,
    /// Arrivals per simulated second, recently [req/s].
    pub rate_per_s: f64,
    /// Messages waiting in its SQS queue (SQS sources) \[messages\].
    pub queue_depth: Option<u64>,
}

/// What the stage draws in one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameView {
    /// The engine's snapshot.
    pub snapshot: Snapshot,
    /// Grid slot of each environment, in `snapshot.lambda.environments` order.
    pub slots: Vec<usize>,
    /// Slots in the grid.
    pub slot_count: usize,
    /// Share of the keep-alive left for each environment (1 unless idle).
    pub keep_alive_left: Vec<f32>,
    /// Recent timeouts: (grid slot, age as a share of [`MARK_MS`]).
    pub marks: Vec<(usize, f64)>,
    /// Particles in flight.
    pub particles: Vec<Particle>,
    /// Wall time of the frame \[ms\].
    pub now_ms: f64,
    pub sources: Vec<SourceView>,
    /// Whether more happened this frame than particles show.
    pub sampled: bool,
    /// The captions on the stage, with their age (0–1).
    pub captions: Vec<(Caption, f64)>,
    /// The longest running invocation against the 15-minute maximum.
    pub wall: Option<Wall>,
}

/// One side's live numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SideLive {
    /// Arrivals per simulated second, recently [req/s].
    pub req_per_s: f64,
    /// End-to-end latency so far.
    pub latency: LatencySummary,
    /// Requests or events that succeeded \[events\]: none, and the
    /// latency above is only of work that failed or timed out.
    pub succeeded: u64,
    pub cold_starts: u64,
    pub invocations: u64,
    /// Function errors \[invocations\].
    pub errors: u64,
    /// Invocations killed at the timeout \[invocations\].
    pub timeouts: u64,
    /// Throttled attempts (429 for API callers) \[attempts\].
    pub rejected: u64,
    /// Environments (Lambda) or instances (EC2) that exist now.
    pub units: u64,
    /// Busy environments or busy worker slots now.
    pub busy: u64,
    pub cost: CostMeter,
}

/// The live metrics panel's numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Live {
    /// When they were read.
    pub at: SimTime,
    pub lambda: SideLive,
    /// The EC2 side, when the scenario has one.
    pub ec2: Option<SideLive>,
    /// Work a human did on the EC2 side, when there is one.
    pub ec2_work: Option<OperatorWork>,
}

/// The running simulation and its drawing state.
pub struct SimHandle {
    scenario: Scenario,
    sim: Simulation,
    budget: Budget,
    slots: Slots,
    marks: Vec<(usize, f64)>,
    particles: Particles,
    history: History,
    rates: VecDeque<(f64, SimTime, Vec<u64>)>,
    source_rates: Vec<f64>,
    live: Rc<Live>,
    last_live_ms: f64,
    narrator: Narrator,
    facts: Facts,
    /// No particles (prefers-reduced-motion).
    pub reduced_motion: bool,
    /// The first happening of each kind that marks the run (the timeline).
    pub firsts: crate::common::moments::Firsts,
}

impl SimHandle {
    /// Starts `scenario` at time zero.
    pub fn new(scenario: &Scenario) -> Result<SimHandle, Vec<ScenarioError>> {
        let mut sim = Simulation::new(scenario)?;
        sim.set_record_happenings(true);
        let n = scenario.sources.len();
        Ok(SimHandle {
            scenario: scenario.clone(),
            sim,
            budget: Budget::default(),
            slots: Slots::default(),
            marks: Vec::new(),
            particles: Particles::default(),
            history: History::new(scenario.duration_s),
            rates: VecDeque::new(),
            source_rates: vec![0.0; n],
            live: Rc::new(Live::default()),
            last_live_ms: f64::NEG_INFINITY,
            narrator: Narrator::default(),
            facts: Facts::new(scenario),
            reduced_motion: false,
            firsts: Default::default(),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn now(&self) -> SimTime {
        self.sim.now()
    }

    /// When the sources stop: the run's end.
    pub fn end(&self) -> SimTime {
        self.sim.end()
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn live(&self) -> Rc<Live> {
        self.live.clone()
    }

    /// Advances towards `target` (never past the end) within the frame
    /// budget; returns whether it got there. `clock` reads wall time \[ms\].
    pub fn advance(&mut self, target: SimTime, clock: &mut impl FnMut() -> f64) -> bool {
        let target = target.min(self.sim.end());
        self.budget.advance(&mut self.sim, target, clock)
    }

    /// Processes the next event, if it is before the end.
    pub fn step(&mut self) {
        let before = self.sim.now();
        if before < self.sim.end() {
            // Step only to the next event; if it lies past the end, stop there.
            self.sim.step();
            if self.sim.now() > self.sim.end() {
                self.sim.advance_to(self.sim.end().max(before));
            }
        }
        self.last_live_ms = f64::NEG_INFINITY;
    }

    /// Reads what happened since the last frame and builds the frame's view.
    pub fn observe(&mut self, now_ms: f64) -> Rc<FrameView> {
        self.observe_as(now_ms, true)
    }

    /// [`observe`](Self::observe) after a silent seek: what happened on
    /// the way still counts (the run's moments, the marks of ended
    /// environments), but nothing of it is captioned, so the first
    /// caption after a jump names something that happens as it plays, not
    /// the last cold start of the minutes skipped.
    pub fn observe_skipped(&mut self, now_ms: f64) -> Rc<FrameView> {
        self.observe_as(now_ms, false)
    }

    fn observe_as(&mut self, now_ms: f64, narrate: bool) -> Rc<FrameView> {
        let batch = self.sim.drain_happenings();
        self.firsts.note(&batch.happenings);
        let snap = self.sim.snapshot();
        self.mark_ended_environments(&batch.happenings, now_ms);
        let ids: Vec<u64> = snap.lambda.environments.iter().map(|e| e.id).collect();
        // A timed-out cell's slot stays empty while its mark fades.
        let held: Vec<usize> = self.marks.iter().map(|(s, _)| *s).collect();
        let slots = self.slots.assign(&ids, &held);
        let slot_count = self.slots.len();
        self.marks.retain(|(s, _)| *s < slot_count);
        let keep_alive_left = self.keep_alive_left(&snap);
        let sampled = self.emit_particles(&batch, now_ms);
        let told: &[Happening] = if narrate { &batch.happenings } else { &[] };
        self.narrator.observe(told, &self.facts, &snap, now_ms);
        self.measure_rates(now_ms, snap.at);
        if now_ms - self.last_live_ms >= LIVE_EVERY_MS {
            self.last_live_ms = now_ms;
            self.live = Rc::new(self.read_live(&snap));
        }
        self.sample_history(&snap);
        Rc::new(FrameView {
            slots,
            slot_count,
            keep_alive_left,
            marks: self
                .marks
                .iter()
                .map(|(s, born)| (*s, (now_ms - born) / MARK_MS))
                .collect(),
            particles: self.particles.flying(now_ms),
            now_ms,
            sources: self.source_views(&snap),
            sampled,
            captions: self.narrator.shown(now_ms),
            wall: self
                .narrator
                .wall(&snap, self.scenario.function.timeout_s, now_ms),
            snapshot: snap,
        })
    }

    /// Marks the cells of environments that timed out or were killed
    /// (their slots looked up before they go); old marks fade out.
    fn mark_ended_environments(&mut self, happenings: &[Happening], now_ms: f64) {
        for h in happenings {
            let ended = matches!(h.kind, HappeningKind::TimedOut | HappeningKind::EnvKilled);
            if h.side == Side::Lambda && ended {
                if let Some(slot) = h.env.and_then(|e| self.slots.of(e)) {
                    if !self.marks.iter().any(|(s, _)| *s == slot) {
                        self.marks.push((slot, now_ms));
                    }
                }
            }
        }
        self.marks.retain(|(_, born)| now_ms - born < MARK_MS);
    }

    /// Keep-alive left per environment, 0–1: the engine says when each
    /// idle environment's last request ended.
    fn keep_alive_left(&self, snap: &Snapshot) -> Vec<f32> {
        let keep_alive_us = (self.scenario.function.keep_alive_s * 1e6).max(1.0);
        snap.lambda
            .environments
            .iter()
            .map(|e| match e.idle_since {
                Some(since) if e.state == EnvState::Idle && !e.provisioned => {
                    let idle_us = snap.at.since(since).as_micros() as f64;
                    (1.0 - idle_us / keep_alive_us).clamp(0.0, 1.0) as f32
                }
                _ => 1.0,
            })
            .collect()
    }

    /// Particles: an even sample of what was routed or throttled. Returns
    /// whether the particles drawn are a sample.
    fn emit_particles(&mut self, batch: &HappeningBatch, now_ms: f64) -> bool {
        let mut sampled = batch.left_out > 0;
        if self.reduced_motion {
            self.particles.clear();
            return sampled;
        }
        let candidates: Vec<Particle> = batch
            .happenings
            .iter()
            .filter_map(|h| particle(h, now_ms))
            .collect();
        sampled |= candidates.len() > MAX_NEW_PER_FRAME;
        let picked = sample_indices(candidates.len(), MAX_NEW_PER_FRAME);
        sampled |= self
            .particles
            .update(now_ms, picked.into_iter().map(|i| candidates[i]));
        sampled
    }

    /// Adds a chart sample when one is due, from the live numbers when
    /// they are of this instant.
    fn sample_history(&mut self, snap: &Snapshot) {
        let t_s = snap.at.as_secs_f64();
        if !self.history.due(t_s) {
            return;
        }
        let fresh = if self.live.at == snap.at {
            self.live.lambda
        } else {
            self.read_side(snap)
        };
        let ec2 = self
            .live
            .ec2
            .filter(|_| self.live.at == snap.at)
            .or_else(|| self.read_ec2(snap));
        self.history.push(Sample {
            t_s,
            lambda: SideSample {
                busy: snap.lambda.busy as f64,
                units: snap.lambda.total as f64,
                ..side_sample(&fresh)
            },
            ec2: ec2.map(|e| side_sample(&e)),
        });
    }

    /// The sources as drawn: name, kind, measured rate, queue depth.
    fn source_views(&self, snap: &Snapshot) -> Vec<SourceView> {
        self.scenario
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| SourceView {
                name: if s.name.is_empty() {
                    format!("source {}", i + 1)
                } else {
                    s.name.clone()
                },
                kind: s.kind,
                rate_per_s: self.source_rates.get(i).copied().unwrap_or(0.0),
                queue_depth: snap
                    .lambda
                    .queues
                    .iter()
                    .find(|q| q.source as usize == i)
                    .map(|q| q.visible + q.invisible),
            })
            .collect()
    }

    /// Arrival rates per source over the last [`RATE_WINDOW_MS`] of wall time.
    fn measure_rates(&mut self, now_ms: f64, at: SimTime) {
        let arrived: Vec<u64> = self
            .sim
            .lambda()
            .per_source
            .iter()
            .map(|c| c.arrived)
            .collect();
        while self.rates.len() > 1 && now_ms - self.rates[1].0 > RATE_WINDOW_MS {
            self.rates.pop_front();
        }
        if let Some((_, t0, a0)) = self.rates.front() {
            let dt = at.since(*t0).as_secs_f64();
            if dt > 0.0 {
                self.source_rates = arrived
                    .iter()
                    .zip(a0)
                    .map(|(a, b)| a.saturating_sub(*b) as f64 / dt)
                    .collect();
            }
        }
        if self.rates.back().is_none_or(|(_, t, _)| *t < at) {
            self.rates.push_back((now_ms, at, arrived));
        }
    }

    fn read_side(&self, snap: &Snapshot) -> SideLive {
        let c = &snap.lambda.counters;
        SideLive {
            req_per_s: self.source_rates.iter().sum(),
            latency: self.sim.lambda().latency.summary(),
            succeeded: c.succeeded,
            cold_starts: c.cold_starts,
            invocations: c.invocations,
            errors: c.errors,
            timeouts: c.timeouts,
            rejected: c.throttles,
            units: snap.lambda.total,
            busy: snap.lambda.busy,
            cost: lambda_meter(&self.sim),
        }
    }

    fn read_ec2(&self, snap: &Snapshot) -> Option<SideLive> {
        let e = snap.ec2.as_ref()?;
        let side = self.sim.ec2()?;
        let c = &e.counters;
        Some(SideLive {
            req_per_s: self.source_rates.iter().sum(),
            latency: side.latency.summary(),
            succeeded: c.succeeded,
            cold_starts: 0,
            invocations: c.invocations,
            errors: c.errors,
            timeouts: c.timeouts,
            rejected: e.fleet.http_503,
            units: e.instances.len() as u64,
            busy: e.instances.iter().map(|i| u64::from(i.in_flight)).sum(),
            cost: ec2_meter(&self.sim).unwrap_or_default(),
        })
    }

    fn read_live(&self, snap: &Snapshot) -> Live {
        Live {
            at: snap.at,
            lambda: self.read_side(snap),
            ec2: self.read_ec2(snap),
            ec2_work: snap.ec2.as_ref().map(|e| e.operator_work),
        }
    }

    /// Applies a live action to the running simulation (no restart);
    /// a refused one changes nothing and says why.
    pub fn apply(&mut self, action: Action) -> Result<(), ActionError> {
        self.sim.apply(action)?;
        self.last_live_ms = f64::NEG_INFINITY;
        Ok(())
    }

    /// The live actions applied to this run, in order.
    pub fn actions(&self) -> &[LoggedAction] {
        self.sim.actions()
    }

    /// Updates the settings shown (and used by a restart) after a live
    /// change the engine accepted, without touching the running simulation.
    pub fn set_shown_scenario(&mut self, s: Scenario) {
        self.facts = Facts::new(&s);
        self.scenario = s;
    }

    /// The itemized bills of the run so far (Lambda with its event
    /// sources; EC2 when there is a fleet), for export: the engine's own.
    pub fn bills(&self) -> Vec<crate::engine::billing::Bill> {
        let r = self.sim.cost_report();
        r.lambda.into_iter().chain(r.ec2).map(|c| c.bill).collect()
    }

    /// Forces the meters to refresh at the next frame (e.g. after a change
    /// of the free-tier switch).
    pub fn refresh(&mut self) {
        self.last_live_ms = f64::NEG_INFINITY;
    }
}

/// The particle of a happening, if it flies: a request routed to an
/// environment or an instance, or throttled.
fn particle(h: &Happening, now_ms: f64) -> Option<Particle> {
    let source = h.source?;
    let (target, cold) = match (h.side, h.kind) {
        (Side::Lambda, HappeningKind::RoutedWarm | HappeningKind::RoutedProvisioned) => {
            (Target::Env(h.env?), false)
        }
        (Side::Lambda, HappeningKind::ColdStart) => (Target::Env(h.env?), true),
        (Side::Lambda, HappeningKind::Throttled | HappeningKind::ThrottledRate) => {
            (Target::Bounce, false)
        }
        (Side::Ec2, HappeningKind::RoutedWarm) => (Target::Instance(h.env?), false),
        (Side::Ec2, HappeningKind::Throttled) => (Target::Reject, false),
        _ => return None,
    };
    Some(Particle {
        born_ms: now_ms,
        source,
        target,
        cold,
    })
}

/// A side's chart sample from its live numbers.
fn side_sample(side: &SideLive) -> SideSample {
    SideSample {
        busy: side.busy as f64,
        units: side.units as f64,
        p50_ms: side.latency.p50_ms,
        p99_ms: side.latency.p99_ms,
        rejected: side.rejected,
        failed: side.errors + side.timeouts,
        cost_usd: side.cost.so_far.as_usd_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::presets::PRESETS;

    #[test]
    fn frames_follow_the_engine() {
        let s = Scenario::from_json(PRESETS[1].json).unwrap();
        let mut h = SimHandle::new(&s).unwrap();
        let mut wall = 0.0;
        let mut last = h.observe(wall);
        assert_eq!(last.snapshot.at, SimTime::ZERO);
        for frame in 1..=60u64 {
            wall += 16.0;
            let w = wall;
            assert!(h.advance(SimTime::from_micros(frame * 1_000_000), &mut || w));
            last = h.observe(wall);
            let l = &last.snapshot.lambda;
            assert_eq!(last.slots.len(), l.environments.len());
            assert!(last.slots.iter().all(|s| *s < last.slot_count));
            assert_eq!(last.keep_alive_left.len(), l.environments.len());
        }
        assert!(last.snapshot.lambda.total > 0);
        assert!(!last.particles.is_empty(), "invocations are drawn");
        assert!(last.sources[0].rate_per_s > 100.0, "{:?}", last.sources);
        let live = h.live();
        assert!(live.lambda.invocations > 0);
        assert!(live.lambda.cost.so_far.as_micros() > 0);
        assert!(h.history().samples().len() > 1);
        h.reduced_motion = true;
        assert!(h.observe(wall + 16.0).particles.is_empty());
    }

    #[test]
    fn a_skip_is_not_captioned_but_its_moments_count() {
        let s = Scenario::from_json(PRESETS[1].json).unwrap();
        let run_to = |h: &mut SimHandle| {
            while !h.advance(SimTime::from_micros(30_000_000), &mut || 0.0) {}
        };
        let mut told = SimHandle::new(&s).unwrap();
        run_to(&mut told);
        assert!(
            !told.observe(0.0).captions.is_empty(),
            "a cold start is captioned"
        );
        let mut skipped = SimHandle::new(&s).unwrap();
        run_to(&mut skipped);
        let f = skipped.observe_skipped(0.0);
        assert!(f.captions.is_empty(), "{:?}", f.captions);
        assert_eq!(skipped.firsts, told.firsts, "the run's moments still count");
    }

    #[test]
    fn never_runs_past_the_end_and_steps_one_event() {
        let s = Scenario::from_json(PRESETS[3].json).unwrap();
        let mut h = SimHandle::new(&s).unwrap();
        h.step();
        assert!(h.now() > SimTime::ZERO, "the first event is the 02:00 rule");
        assert!(h.advance(SimTime::MAX, &mut || 0.0) || h.now() <= h.end());
        while !h.advance(SimTime::MAX, &mut || 0.0) {}
        assert_eq!(h.now(), h.end());
        let f = h.observe(0.0);
        assert!(
            f.snapshot.lambda.counters.timeouts >= 3,
            "the batch times out"
        );
    }
}
