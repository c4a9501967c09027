//! Operations applied to a running simulation at its current simulated
//! time: fail an instance, take an Availability Zone down and bring it
//! back, change a source's traffic. Each is validated (a refused action
//! changes nothing), produces happenings for the stage, and is recorded in
//! the run's action log, so that the same scenario, seed and log replay to
//! a bit-identical run (`Simulation::replay`). Applying them is the
//! simulation's work (`engine::sim::live_actions`); this module is the
//! vocabulary both sides share, so the EC2 side can refuse an action
//! without depending on the event loop.
//!
//! ```
//! use fanout::engine::Action;
//! use fanout::engine::scenario::Scenario;
//! use fanout::engine::Simulation;
//! use fanout::engine::SimTime;
//! let s = Scenario::from_json(include_str!("../../static/scenarios/steady-api.json")).unwrap();
//! let mut sim = Simulation::new(&s).unwrap();
//! sim.advance_to(SimTime::from_micros(60_000_000));
//! sim.apply(Action::ScaleTraffic { source: None, factor: 2.0 }).unwrap();
//! let err = sim.apply(Action::SetRate { source: 0, rate_per_s: -1.0 }).unwrap_err();
//! assert!(err.to_string().starts_with("rate_per_s: -1 is below"), "{err}");
//! sim.advance_to(SimTime::from_micros(120_000_000));
//! let again = Simulation::replay(&s, sim.actions(), sim.now()).unwrap();
//! assert_eq!(again.report().lambda.counters, sim.report().lambda.counters);
//! ```

use super::defaults::{MAX_RATE_PER_S, MAX_TRAFFIC_FACTOR};
use super::time::SimTime;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An operation on a running simulation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// An EC2 instance crashes now: the one with this id, or (none) the
    /// oldest instance in service. What follows is the fleet's own doing:
    /// the load balancer's health checks notice it, Auto Scaling replaces
    /// it or, for a fixed fleet, the on-call operator is paged.
    FailInstance {
        #[serde(default)]
        instance: Option<u64>,
    },
    /// Availability Zone `zone` fails now, until [`Action::EndAzOutage`]:
    /// every instance in it crashes and nothing launches there.
    AzOutage { zone: u32 },
    /// Availability Zone `zone` recovers now.
    EndAzOutage { zone: u32 },
    /// From now on source `source` sends at this peak rate: its scenario
    /// pattern scaled so its highest rate is `rate_per_s` [requests/s]
    /// (times any [`Action::ScaleTraffic`] factor in force).
    SetRate { source: u16, rate_per_s: f64 },
    /// From now on the rates of `source` (none: every source), as the
    /// scenario or the last [`Action::SetRate`] set them, times `factor`
    /// (1 = unchanged). Replaces the previous factor; does not compound.
    ScaleTraffic { source: Option<u16>, factor: f64 },
}

/// An applied action and when.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggedAction {
    /// Simulated time it applied at [µs since start].
    pub at: SimTime,
    /// What.
    pub action: Action,
}

/// Why an action was refused. The message starts with the field at fault.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ActionError {
    /// Instance and zone actions need an EC2 side.
    #[error("{field}: this scenario has no EC2 fleet")]
    NoEc2 { field: &'static str },
    /// No such running instance.
    #[error("instance: {id} is not a running instance (running: {running})")]
    UnknownInstance { id: u64, running: String },
    /// Nothing in service to fail.
    #[error("instance: no instance is in service to fail")]
    NoInstanceInService,
    /// Zone index out of range.
    #[error("zone: {zone} is not a zone of this fleet (0 to {max})")]
    UnknownZone { zone: u32, max: u32 },
    /// The zone is down already.
    #[error("zone: zone {zone} is already down")]
    ZoneAlreadyDown { zone: u32 },
    /// The zone is not down.
    #[error("zone: zone {zone} is not down")]
    ZoneNotDown { zone: u32 },
    /// Source index out of range.
    #[error("source: {index} is not a source of this scenario (0 to {max})")]
    UnknownSource { index: u16, max: usize },
    /// A rate outside 0 – the engine maximum.
    #[error("rate_per_s: {value} is {why}")]
    Rate { value: f64, why: String },
    /// A scale factor outside its range.
    #[error("factor: {value} is {why}")]
    Factor { value: f64, why: String },
    /// The source's pattern cannot be changed this way.
    #[error("sources[{index}].pattern: {why}")]
    Pattern { index: u16, why: String },
    /// A replayed log whose times go backwards.
    #[error("actions[{index}].at: {at} is before the previous action ({previous})")]
    OutOfOrder {
        index: usize,
        at: SimTime,
        previous: SimTime,
    },
}

/// Checks a rate [requests/s] against 0 – [`MAX_RATE_PER_S`].
pub fn check_rate(value: f64) -> Result<(), ActionError> {
    let why = if !value.is_finite() {
        "not a finite number".to_owned()
    } else if value < 0.0 {
        "below the minimum of 0 requests/s".to_owned()
    } else if value > MAX_RATE_PER_S {
        format!("above the engine maximum of {MAX_RATE_PER_S} requests/s")
    } else {
        return Ok(());
    };
    Err(ActionError::Rate { value, why })
}

/// Checks a traffic scale factor against 0 – [`MAX_TRAFFIC_FACTOR`].
pub fn check_factor(value: f64) -> Result<(), ActionError> {
    let why = if !value.is_finite() {
        "not a finite number".to_owned()
    } else if value < 0.0 {
        "below the minimum of 0".to_owned()
    } else if value > MAX_TRAFFIC_FACTOR {
        format!("above the maximum of {MAX_TRAFFIC_FACTOR}")
    } else {
        return Ok(());
    };
    Err(ActionError::Factor { value, why })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_name_the_field() {
        assert!(check_rate(0.0).is_ok() && check_rate(MAX_RATE_PER_S).is_ok());
        let e = check_rate(MAX_RATE_PER_S * 2.0).unwrap_err().to_string();
        assert!(
            e.starts_with("rate_per_s: 200000 is above the engine maximum of 100000"),
            "{e}"
        );
        assert!(check_rate(f64::NAN).is_err());
        assert!(check_factor(1.0).is_ok());
        let e = check_factor(-0.5).unwrap_err().to_string();
        assert_eq!(e, "factor: -0.5 is below the minimum of 0");
    }

    #[test]
    fn actions_read_and_write_json() {
        let log = vec![
            LoggedAction {
                at: SimTime::from_micros(5),
                action: Action::FailInstance { instance: None },
            },
            LoggedAction {
                at: SimTime::from_micros(9),
                action: Action::ScaleTraffic {
                    source: Some(1),
                    factor: 0.5,
                },
            },
        ];
        let j = serde_json::to_string(&log).unwrap();
        assert!(j.contains(r#""type":"fail_instance""#), "{j}");
        let back: Vec<LoggedAction> = serde_json::from_str(&j).unwrap();
        assert_eq!(back, log);
    }
}
