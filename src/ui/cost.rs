//! The cost meters' adapter: hands the simulation's billable usage to the
//! billing module's bill functions and keeps only the totals. No pricing
//! logic lives here: prices, tiers, free tier and the projection rule are
//! all `engine::billing`'s.

use crate::engine::billing::projection::{project_ec2, project_event_sources, project_lambda};
use crate::engine::billing::{
    ec2_bill, lambda_bill, Catalog, Ec2BillOptions, LambdaBillOptions, Money,
};
use crate::engine::sim::Simulation;

/// What a cost meter shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CostMeter {
    /// The bill of the simulated window so far [µ$].
    pub so_far: Money,
    /// The window's usage projected to a 30-day month, then priced [µ$].
    pub per_month: Money,
}

/// The Lambda side's meter: the function plus its event sources (API
/// Gateway, S3, SQS requests), priced with `free_tier` as chosen.
pub fn lambda_meter(sim: &Simulation, catalog: &Catalog, free_tier: bool) -> CostMeter {
    let usage = sim.lambda_usage();
    let sources = sim.event_source_usage();
    // The scenario's pricing rules (INIT billing), the free tier as chosen.
    let opts = LambdaBillOptions {
        free_tier,
        ..sim.scenario().pricing.lambda_options()
    };
    let so_far = lambda_bill(&usage, &sources, catalog, opts).total;
    let window = sim.now().since_start();
    let per_month = if window.is_zero() {
        Money::ZERO
    } else {
        lambda_bill(
            &project_lambda(&usage, window),
            &project_event_sources(&sources, window),
            catalog,
            opts,
        )
        .total
    };
    CostMeter { so_far, per_month }
}

/// The EC2 side's meter: instances (launch to termination), the load
/// balancer and the queues the workers read; None without an EC2 fleet
/// (or with an instance type the catalog does not price).
pub fn ec2_meter(sim: &Simulation, catalog: &Catalog, free_tier: bool) -> Option<CostMeter> {
    let usage = sim.ec2_usage()?;
    let sources = sim.ec2_event_source_usage()?;
    // The scenario's pricing rules (EC2 discount), the free tier as chosen.
    let opts = Ec2BillOptions {
        free_tier,
        ..sim.scenario().pricing.ec2_options()
    };
    let so_far = ec2_bill(&usage, &sources, catalog, opts).ok()?.total;
    let window = sim.now().since_start();
    let per_month = if window.is_zero() {
        Money::ZERO
    } else {
        ec2_bill(
            &project_ec2(&usage, window),
            &project_event_sources(&sources, window),
            catalog,
            opts,
        )
        .ok()?
        .total
    };
    Some(CostMeter { so_far, per_month })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Scenario;
    use crate::engine::time::SimTime;

    #[test]
    fn meter_grows_with_usage_and_projects_a_month() {
        let s = Scenario::from_json(
            r#"{"version":1,"duration_s":600,
            "sources":[{"kind":"api","pattern":{"type":"constant","rate_per_s":100}}],
            "function":{"memory_mb":1024,"timeout_s":5,"duration":{"type":"fixed","ms":200}}}"#,
        )
        .unwrap();
        let mut sim = Simulation::new(&s).unwrap();
        let catalog = Catalog::us_east_1();
        assert_eq!(lambda_meter(&sim, &catalog, false), CostMeter::default());
        sim.advance_to(SimTime::from_micros(60_000_000));
        let a = lambda_meter(&sim, &catalog, false);
        sim.advance_to(SimTime::from_micros(120_000_000));
        let b = lambda_meter(&sim, &catalog, false);
        assert!(a.so_far > Money::ZERO && b.so_far > a.so_far);
        // A month is ~21,600 windows of 2 minutes.
        assert!(b.per_month > b.so_far.clone_scaled(10_000));
        let free = lambda_meter(&sim, &catalog, true);
        assert!(
            free.so_far < b.so_far,
            "the free tier covers the first requests"
        );
    }

    trait Scaled {
        fn clone_scaled(self, k: i64) -> Money;
    }
    impl Scaled for Money {
        fn clone_scaled(self, k: i64) -> Money {
            Money::from_micros(self.as_micros() * k)
        }
    }
}
