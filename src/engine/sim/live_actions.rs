//! Live actions on a running simulation ([`Simulation::apply`]: fail an
//! instance, take a zone down and back, change a source's traffic) and
//! the replay of an action log ([`Simulation::replay`]). The actions
//! themselves, their errors and range checks are in `engine::action`.

use super::{earliest, Simulation};
use crate::engine::action::{check_factor, check_rate, Action, ActionError, LoggedAction};
use crate::engine::defaults::MAX_RATE_PER_S;
use crate::engine::ec2::Ec2Ctx;
use crate::engine::happening::{HappeningKind, Side};
use crate::engine::scenario::{Pattern, Scenario, ScenarioError, Source};
use crate::engine::time::SimTime;
use crate::engine::traffic::{peak_rate, scaled, ArrivalGen};

impl Simulation {
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
        for (index, logged) in log.iter().enumerate() {
            if logged.at < previous {
                return Err(ReplayError::Action(ActionError::OutOfOrder {
                    index,
                    at: logged.at,
                    previous,
                }));
            }
            previous = logged.at;
            sim.advance_to(logged.at);
            sim.apply(logged.action).map_err(ReplayError::Action)?;
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
            Action::FailInstance { instance } => self.fail_instance(instance, now)?,
            Action::AzOutage { zone } => self.set_zone(zone, false, now)?,
            Action::EndAzOutage { zone } => self.set_zone(zone, true, now)?,
            Action::SetRate { source, rate_per_s } => self.set_rate(source, rate_per_s)?,
            Action::ScaleTraffic { source, factor } => self.scale_traffic(source, factor)?,
        }
        self.actions.push(LoggedAction { at: now, action });
        Ok(())
    }

    /// The live operations applied so far, in order.
    pub fn actions(&self) -> &[LoggedAction] {
        &self.actions
    }

    /// [`Action::FailInstance`].
    fn fail_instance(&mut self, instance: Option<u64>, now: SimTime) -> Result<(), ActionError> {
        let ec2 = self
            .ec2
            .as_mut()
            .ok_or(ActionError::NoEc2 { field: "instance" })?;
        let mut ctx = Ec2Ctx {
            now,
            queue: &mut self.queue,
            happenings: &mut self.happenings,
        };
        ec2.fail_instance(instance, &mut ctx)?;
        Ok(())
    }

    /// [`Action::AzOutage`] (`up` false) or [`Action::EndAzOutage`].
    fn set_zone(&mut self, zone: u32, up: bool, now: SimTime) -> Result<(), ActionError> {
        let ec2 = self
            .ec2
            .as_mut()
            .ok_or(ActionError::NoEc2 { field: "zone" })?;
        let mut ctx = Ec2Ctx {
            now,
            queue: &mut self.queue,
            happenings: &mut self.happenings,
        };
        if up {
            ec2.zone_up(zone, &mut ctx)?;
        } else {
            ec2.zone_down(zone, &mut ctx)?;
        }
        Ok(())
    }

    /// [`Action::SetRate`].
    fn set_rate(&mut self, source: u16, rate_per_s: f64) -> Result<(), ActionError> {
        let pattern = &self.source_checked(source)?.pattern;
        check_rate(rate_per_s)?;
        let peak = peak_rate(pattern).ok_or_else(|| ActionError::Pattern {
            index: source,
            why: "has no rate to set (bursts or a recorded trace); scale it instead".to_owned(),
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
        if rate_per_s * scale > MAX_RATE_PER_S {
            return Err(ActionError::Rate {
                value: rate_per_s,
                why: format!(
                    "too high with the traffic factor {scale} in force: the peak would be {} requests/s, above the engine maximum of {}",
                    libm::round(rate_per_s * scale),
                    MAX_RATE_PER_S
                ),
            });
        }
        self.scaled_pattern(source, base * scale)?;
        self.rate_base[source as usize] = base;
        self.set_traffic(source)
    }

    /// [`Action::ScaleTraffic`]: every source checked first, all or nothing.
    fn scale_traffic(&mut self, source: Option<u16>, factor: f64) -> Result<(), ActionError> {
        check_factor(factor)?;
        let all: Vec<u16> = match source {
            Some(source) => {
                self.source_checked(source)?;
                vec![source]
            }
            None => (0..self.scenario.sources.len() as u16).collect(),
        };
        // Check every source first: all or nothing.
        for &source in &all {
            self.scaled_pattern(source, self.rate_base[source as usize] * factor)
                .map_err(|error| match error {
                    ActionError::Factor { why, .. } => ActionError::Factor { value: factor, why },
                    error => error,
                })?;
        }
        for source in all {
            self.rate_scale[source as usize] = factor;
            self.set_traffic(source)?;
        }
        Ok(())
    }

    fn source_checked(&self, source: u16) -> Result<&Source, ActionError> {
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
    fn scaled_pattern(&self, source: u16, factor: f64) -> Result<Pattern, ActionError> {
        let base = &self.source_checked(source)?.pattern;
        let pattern = scaled(base, factor).ok_or_else(|| ActionError::Pattern {
            index: source,
            why: "is a recorded trace, whose instants cannot be rescaled".to_owned(),
        })?;
        if let Some(peak) = peak_rate(&pattern) {
            if peak > MAX_RATE_PER_S {
                return Err(ActionError::Factor {
                    value: factor,
                    why: format!(
                        "too large for source {source}: its peak would be {} requests/s, above the engine maximum of {}",
                        libm::round(peak),
                        MAX_RATE_PER_S
                    ),
                });
            }
        }
        Ok(pattern)
    }

    /// From now on `source` follows its scenario pattern × its rate factors.
    fn set_traffic(&mut self, source: u16) -> Result<(), ActionError> {
        let i = source as usize;
        let pattern = self.scaled_pattern(source, self.rate_base[i] * self.rate_scale[i])?;
        let now = self.now();
        self.traffic_changes += 1;
        let mut generator = ArrivalGen::resumed(
            &pattern,
            self.scenario.seed,
            u64::from(source),
            self.traffic_changes,
            self.scenario.duration_s,
            now,
        );
        let next = generator.next_arrival().unwrap_or(SimTime::MAX).max(now);
        self.generators[i] = generator;
        self.next_arrival[i] = next;
        self.next_source = earliest(&self.next_arrival);
        self.happenings.push(
            now,
            Side::Lambda,
            HappeningKind::TrafficChanged,
            Some(u32::from(source)),
            None,
        );
        Ok(())
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
            ReplayError::Scenario(errors) => {
                let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "{}", all.join("; "))
            }
            ReplayError::Action(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for ReplayError {}
