//! A month priced in aggregate: the window's expected usage scaled to a
//! 30-day month, as the simulator's projection does, then billed.

use super::arrivals::pieces;
use super::window::estimate;
use super::{AggregateOptions, MonthEstimate, METHOD};
use crate::engine::billing::accrual::Pricer;
use crate::engine::billing::pricing::Pricing;
use crate::engine::billing::projection::{project_ec2, project_event_sources, project_lambda};
use crate::engine::billing::usage::MONTH_SECONDS;
use crate::engine::scenario::ec2::Ec2Config;
use crate::engine::scenario::Scenario;
use crate::engine::time::SimDuration;

/// The scenario's `ec2` section, or the defaults when it has none (the
/// sweep still compares Lambda with a default fleet).
pub fn fleet_config(scenario: &Scenario) -> Ec2Config {
    scenario.ec2.clone().unwrap_or_default()
}

/// A 30-day month of `scenario`'s traffic priced in aggregate: its window's
/// expected usage scaled to a month (as the simulator's projection does),
/// then billed.
pub fn month(
    scenario: &Scenario,
    ec2: &Ec2Config,
    pricing: &Pricing,
    opts: AggregateOptions,
) -> MonthEstimate {
    let e = estimate(scenario, ec2, opts);
    let pricer = Pricer::new(pricing);
    let window = SimDuration::from_secs_f64(e.window_s);
    let lambda = pricer.lambda_bill(
        &project_lambda(&e.lambda, window),
        &project_event_sources(&e.lambda_sources, window),
    );
    let ec2_bill = pricer.ec2_bill(
        &project_ec2(&e.ec2, window),
        &project_event_sources(&e.ec2_sources, window),
    );
    let per_month = if e.window_s > 0.0 {
        e.arrivals * MONTH_SECONDS as f64 / e.window_s
    } else {
        0.0
    };
    MonthEstimate {
        method: METHOD.to_owned(),
        requests_per_month: libm::round(per_month) as u64,
        lambda,
        ec2: ec2_bill,
    }
}

/// Expected arrivals of `scenario` in a 30-day month at rate scale 1
/// \[events\].
pub fn arrivals_per_month(scenario: &Scenario) -> f64 {
    let window = scenario.duration_s.max(0.0);
    if window <= 0.0 {
        return 0.0;
    }
    let n: f64 = scenario
        .sources
        .iter()
        .map(|s| {
            pieces(&s.pattern, window, 1.0)
                .iter()
                .map(|p| p.2)
                .sum::<f64>()
        })
        .sum();
    n * MONTH_SECONDS as f64 / window
}
