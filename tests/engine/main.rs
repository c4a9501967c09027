//! Scenario tests of the Lambda engine (one integration-test binary).

mod behaviour;
mod examples;
mod properties;
mod scaling;

use fanout::engine::happening::{Happening, HappeningKind};
use fanout::engine::scenario::Scenario;
use fanout::engine::sim::Simulation;
use fanout::engine::time::{SimDuration, SimTime};

/// A scenario from JSON, with a function block merged over sane defaults.
pub fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap_or_else(|e| panic!("test scenario invalid: {e:?}"))
}

pub fn sim(json: &str) -> Simulation {
    Simulation::new(&scenario(json)).expect("valid")
}

pub fn secs(s: f64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs_f64(s)
}

/// Runs to `t` and returns the happenings of that stretch.
pub fn run_to(sim: &mut Simulation, t: f64) -> Vec<Happening> {
    sim.advance_to(secs(t));
    let b = sim.drain_happenings();
    assert_eq!(b.left_out, 0, "test drains often enough to see everything");
    b.happenings
}

pub fn count(h: &[Happening], kind: HappeningKind) -> usize {
    h.iter().filter(|x| x.kind == kind).count()
}
