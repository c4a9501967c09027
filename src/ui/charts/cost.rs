//! The cost meters read the engine: the cost so far is
//! [`Simulation::cost_now`] (the same pricing as the run's cost series,
//! [`Simulation::cost_series`]), the month is the report's labelled
//! projection ([`Simulation::cost_report`]). Nothing is priced here: prices,
//! tiers, the free tier and the projection rule are all the engine's, set
//! by the scenario's `pricing` section.

use crate::engine::billing::{Bill, Charge, Money, PicoUsd};
use crate::engine::sim::Simulation;

/// Which free tier a side's bill so far got, for the meter's wording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FreeTier {
    /// The scenario does not apply the monthly free tier.
    #[default]
    Off,
    /// Lambda's monthly free tier (and SQS's, on its event sources).
    Monthly,
    /// The SQS free tier, on a line of the EC2 side's bill (the queue its
    /// workers read).
    Sqs,
    /// None: nothing on the EC2 side has a free tier (EC2, EBS and the load
    /// balancer have none in this model, and no SQS line got it).
    Nothing,
}

impl FreeTier {
    /// What the meter says below the cost so far.
    pub fn label(self) -> &'static str {
        match self {
            FreeTier::Off => "so far, no free tier",
            FreeTier::Monthly => "so far, monthly free tier applied",
            FreeTier::Sqs => "so far, SQS free tier applied",
            FreeTier::Nothing => "so far",
        }
    }
}

/// Whether a line of `bill` is an SQS line priced by the free tier.
fn sqs_free_line(bill: &Bill) -> bool {
    bill.lines
        .iter()
        .any(|l| l.kind == Charge::Sqs && l.rate.usd == PicoUsd::ZERO)
}

/// What a cost meter shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CostMeter {
    /// The bill of the simulated window so far [µ$].
    pub so_far: Money,
    /// The report's projection of the window to a 30-day month [µ$].
    pub per_month: Money,
    /// The free tier applied to the simulated window so far (and to the
    /// projected month).
    pub free_tier: FreeTier,
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
        free_tier: if sim.scenario().pricing.free_tier {
            FreeTier::Monthly
        } else {
            FreeTier::Off
        },
    }
}

/// The EC2 side's meter: instances (launch to termination), the load
/// balancer and the queues the workers read; None without an EC2 fleet
/// (or with an instance type the catalog does not price).
/// Its only free tier is SQS's, said when a line of the bill so far got it.
pub fn ec2_meter(sim: &Simulation) -> Option<CostMeter> {
    let report = sim.cost_report().ec2?;
    Some(CostMeter {
        so_far: sim.cost_now().ec2?.total,
        per_month: report.projected_month.bill.total,
        free_tier: if sqs_free_line(&report.bill) {
            FreeTier::Sqs
        } else {
            FreeTier::Nothing
        },
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
        assert_eq!(b.free_tier, FreeTier::Off);
        // No SQS on the EC2 side: nothing there has a free tier.
        assert_eq!(e.free_tier, FreeTier::Nothing);
        assert_eq!(e.free_tier.label(), "so far");
    }

    #[test]
    fn the_scenarios_free_tier_is_applied_to_the_window() {
        let (mut on, mut off) = (sim(true), sim(false));
        let t = SimTime::from_micros(120_000_000);
        on.advance_to(t);
        off.advance_to(t);
        let (a, b) = (lambda_meter(&on), lambda_meter(&off));
        assert_eq!(a.free_tier, FreeTier::Monthly);
        // The EC2 side (API requests through a load balancer) has no free
        // tier even when the scenario applies it.
        assert_eq!(ec2_meter(&on).unwrap().free_tier, FreeTier::Nothing);
        // 12,000 requests of 0.2 GB-s: all inside the monthly free tier,
        // so only the API Gateway requests are charged.
        assert!(a.so_far < b.so_far, "{a:?} vs {b:?}");
        assert_eq!(a.so_far, on.cost_now().lambda.event_sources);
    }

    #[test]
    fn the_ec2_meter_names_the_sqs_free_tier_only_when_a_line_got_it() {
        let queue = |free_tier: bool| {
            let s = Scenario::from_json(&format!(
                r#"{{"version":1,"duration_s":600,
                "sources":[{{"kind":"sqs","pattern":{{"type":"constant","rate_per_s":50}}}}],
                "function":{{"memory_mb":512,"timeout_s":30,"duration":{{"type":"fixed","ms":100}}}},
                "ec2":{{"instance_type":"m7g.large","instances":2}},
                "pricing":{{"free_tier":{free_tier}}}}}"#
            ))
            .unwrap();
            let mut sim = Simulation::new(&s).unwrap();
            sim.advance_to(SimTime::from_micros(60_000_000));
            sim
        };
        let on = queue(true);
        let e = ec2_meter(&on).unwrap();
        assert_eq!(e.free_tier, FreeTier::Sqs, "{:?}", on.cost_report().ec2);
        assert_eq!(e.free_tier.label(), "so far, SQS free tier applied");
        let off = ec2_meter(&queue(false)).unwrap();
        assert_eq!(off.free_tier, FreeTier::Nothing);
        assert!(!off.free_tier.label().contains("free tier"));
        assert_eq!(
            lambda_meter(&queue(false)).free_tier.label(),
            "so far, no free tier"
        );
    }
}
