//! The cost meters read the engine: the cost so far is
//! [`Simulation::cost_now`] (the same pricing as the run's cost series,
//! [`Simulation::cost_series`]), the month is the report's labelled
//! projection ([`Simulation::cost_report`]). Nothing is priced here: prices,
//! tiers, the free tier and the projection rule are all the engine's, set
//! by the scenario's `pricing` section.

use crate::engine::billing::Money;
use crate::engine::sim::Simulation;

/// What a cost meter shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CostMeter {
    /// The bill of the simulated window so far [µ$].
    pub so_far: Money,
    /// The report's projection of the window to a 30-day month [µ$].
    pub per_month: Money,
    /// Whether the monthly free tier is applied (to the simulated window
    /// so far, and to the projected month).
    pub free_tier: bool,
}

/// The Lambda side's meter: the function plus its event sources (API
/// Gateway, S3, SQS requests).
pub fn lambda_meter(sim: &Simulation) -> CostMeter {
    CostMeter {
        so_far: sim.cost_now().lambda.total,
        per_month: sim
            .cost_report()
            .lambda
            .map_or(Money::ZERO, |c| c.projected_month.bill.total),
        free_tier: sim.scenario().pricing.free_tier,
    }
}

/// The EC2 side's meter: instances (launch to termination), the load
/// balancer and the queues the workers read; None without an EC2 fleet
/// (or with an instance type the catalog does not price).
pub fn ec2_meter(sim: &Simulation) -> Option<CostMeter> {
    Some(CostMeter {
        so_far: sim.cost_now().ec2?.total,
        per_month: sim.cost_report().ec2?.projected_month.bill.total,
        free_tier: sim.scenario().pricing.free_tier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Scenario;
    use crate::engine::time::SimTime;

    fn sim(free_tier: bool) -> Simulation {
        let s = Scenario::from_json(&format!(
            r#"{{"version":1,"duration_s":600,
            "sources":[{{"kind":"api","pattern":{{"type":"constant","rate_per_s":100}}}}],
            "function":{{"memory_mb":1024,"timeout_s":5,"duration":{{"type":"fixed","ms":200}}}},
            "ec2":{{"instance_type":"m7g.large","instances":2}},
            "pricing":{{"free_tier":{free_tier}}}}}"#
        ))
        .unwrap();
        Simulation::new(&s).unwrap()
    }

    #[test]
    fn the_meters_show_the_engines_figures() {
        let mut s = sim(false);
        assert_eq!(lambda_meter(&s).so_far, Money::ZERO);
        s.advance_to(SimTime::from_micros(60_000_000));
        let a = lambda_meter(&s);
        s.advance_to(SimTime::from_micros(120_000_000));
        let b = lambda_meter(&s);
        assert!(a.so_far > Money::ZERO && b.so_far > a.so_far);
        // Exactly the engine's numbers: the cost now and the report's
        // projection.
        let report = s.report().cost.unwrap();
        assert_eq!(b.so_far, s.cost_now().lambda.total);
        assert_eq!(b.so_far, report.lambda.as_ref().unwrap().so_far);
        assert_eq!(
            b.per_month,
            report.lambda.unwrap().projected_month.bill.total
        );
        let e = ec2_meter(&s).unwrap();
        assert_eq!(e.so_far, report.ec2.as_ref().unwrap().so_far);
        assert_eq!(e.per_month, report.ec2.unwrap().projected_month.bill.total);
        assert!(e.per_month > e.so_far);
        assert!(!b.free_tier && !e.free_tier);
    }

    #[test]
    fn the_scenarios_free_tier_is_applied_to_the_window() {
        let (mut on, mut off) = (sim(true), sim(false));
        let t = SimTime::from_micros(120_000_000);
        on.advance_to(t);
        off.advance_to(t);
        let (a, b) = (lambda_meter(&on), lambda_meter(&off));
        assert!(a.free_tier);
        // 12,000 requests of 0.2 GB-s: all inside the monthly free tier,
        // so only the API Gateway requests are charged.
        assert!(a.so_far < b.so_far, "{a:?} vs {b:?}");
        assert_eq!(a.so_far, on.cost_now().lambda.event_sources);
    }
}
