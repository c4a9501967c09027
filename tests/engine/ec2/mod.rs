//! Scenario tests of the EC2 side: M/M/c against Erlang C, Little's law on
//! both sides, Auto Scaling, failures, patching, live actions, properties,
//! examples and bad input.

mod bad_input;
mod examples;
mod fleet_properties;
mod live;
mod mmc;
mod operations;
mod scaling;

pub use crate::common::{example, fanout, quiet, quiet_sim, scenario, secs, temp};
use fanout::engine::ec2::view::{Ec2Report, Ec2Snapshot};
use fanout::engine::scenario::Scenario;
use fanout::engine::Simulation;
use fanout::engine::{SimDuration, SimTime};

pub fn ec2_snap(s: &Simulation) -> Ec2Snapshot {
    s.snapshot().ec2.expect("scenario has an ec2 section")
}

pub fn ec2_report(s: &Simulation) -> Ec2Report {
    s.report().ec2.expect("scenario has an ec2 section")
}

/// An API source at a constant or Poisson rate, as JSON.
pub fn api(rate: f64, poisson: bool) -> String {
    let kind = if poisson { "poisson" } else { "constant" };
    format!(r#"{{"kind": "api", "pattern": {{"type": "{kind}", "rate_per_s": {rate}}}}}"#)
}

/// A scenario with both deployments: `sources` and `ec2` are JSON.
pub fn both(duration_s: f64, seed: u64, sources: &str, function: &str, ec2: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": {seed}, "duration_s": {duration_s}, "sources": [{sources}],
            "function": {function}, "ec2": {ec2}}}"#
    )
}

/// A scenario with only the EC2 deployment (`"lambda": false`; the
/// function block is only the workload model, here a fixed 100 ms unless
/// `ec2` gives its own duration).
pub fn ec2_only(duration_s: f64, seed: u64, sources: &str, ec2: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": {seed}, "duration_s": {duration_s}, "sources": [{sources}],
            "lambda": false, "function": {{"timeout_s": 900}}, "ec2": {ec2}}}"#
    )
}
