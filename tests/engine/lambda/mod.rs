//! Scenario tests of the Lambda side: behaviour of single invocations and
//! environments, the scaling rate, the example scenarios and properties
//! over random scenarios.

mod behaviour;
mod examples;
mod gateway;
mod limits;
mod properties;
mod provisioned;
mod scaling;
mod sqs_mapping;

pub use crate::common::{example, secs, sim};
use fanout::engine::scenario::Scenario;
use fanout::engine::SimTime;
use fanout::engine::Simulation;
use fanout::engine::{Happening, HappeningKind};

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

/// The times [µs] of the happenings of `kind`, in order.
pub fn times_of(h: &[Happening], kind: HappeningKind) -> Vec<u64> {
    h.iter()
        .filter(|x| x.kind == kind)
        .map(|x| x.at.as_micros())
        .collect()
}
