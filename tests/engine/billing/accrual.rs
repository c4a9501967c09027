//! Cost accrual over a simulated run: the cumulative cost never decreases,
//! every point's itemized lines sum exactly to its total, and the series
//! stays bounded.

use crate::common::{example, quiet};
use fanout::engine::billing::accrual::CostMeter;
use fanout::engine::billing::pricing::Pricing;
use fanout::engine::billing::Money;
use fanout::engine::scenario::Scenario;
use fanout::engine::{SimDuration, SimTime};
use proptest::prelude::*;

fn scenario(rate: f64, memory_mb: u32, ms: f64, provisioned: u32, seed: u64) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{"version":1,"seed":{seed},"duration_s":600,
        "sources":[{{"kind":"api","pattern":{{"type":"steps","steps":[{{"at_s":0,"rate_per_s":{rate}}},{{"at_s":200,"rate_per_s":{}}},{{"at_s":400,"rate_per_s":0}}]}}}},
                   {{"kind":"s3","payload_kb":300,"pattern":{{"type":"poisson","rate_per_s":2}}}}],
        "function":{{"memory_mb":{memory_mb},"ephemeral_storage_mb":2048,"timeout_s":2,
            "duration":{{"type":"exponential","mean_ms":{ms}}},
            "provisioned":[{{"at_s":100,"level":{provisioned}}},{{"at_s":300,"level":0}}]}}}}"#,
        rate * 5.0
    ))
    .expect("valid")
}

/// Runs `s`, closing a cost bucket every `step` of simulated time.
fn accrue(s: &Scenario, pricing: &Pricing, step: SimDuration) -> CostMeter {
    let mut sim = quiet(s);
    let mut meter = CostMeter::new(pricing);
    let mut t = SimTime::ZERO;
    while t < sim.end() {
        t = (t + step).min(sim.end());
        sim.advance_to(t);
        meter.close_bucket(t, &sim.lambda_usage(), &sim.event_source_usage(), None);
    }
    meter
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn cost_never_decreases_over_simulated_time_and_lines_sum_exactly(
        rate in 1.0f64..40.0,
        memory_mb in 128u32..4_096,
        ms in 5.0f64..800.0,
        provisioned in 0u32..20,
        seed in 0u64..1_000,
        free_tier in any::<bool>(),
        step_s in 1u64..60,
    ) {
        let s = scenario(rate, memory_mb, ms, provisioned, seed);
        let pricing = Pricing { free_tier, ..Pricing::default() };
        let meter = accrue(&s, &pricing, SimDuration::from_secs(step_s));
        let pts = meter.points();
        prop_assert!(!pts.is_empty());
        for w in pts.windows(2) {
            let (a, b) = (&w[0].lambda, &w[1].lambda);
            prop_assert!(w[1].t_s > w[0].t_s);
            prop_assert!(b.total >= a.total, "{a:?} then {b:?}");
            for (x, y) in [
                (a.requests, b.requests),
                (a.duration, b.duration),
                (a.provisioned, b.provisioned),
                (a.ephemeral, b.ephemeral),
                (a.event_sources, b.event_sources),
            ] {
                prop_assert!(y >= x, "{a:?} then {b:?}");
            }
        }
        for p in pts {
            let l = &p.lambda;
            prop_assert_eq!(
                l.total,
                l.requests + l.duration + l.provisioned + l.ephemeral + l.event_sources
            );
        }
        prop_assert!(pts.last().unwrap().lambda.total > Money::ZERO || free_tier);
    }
}

#[test]
fn the_final_point_is_the_report_so_far() {
    let s = scenario(20.0, 1_024, 100.0, 5, 1);
    let pricing = Pricing::default();
    let mut sim = quiet(&s);
    sim.advance_to(sim.end());
    let meter = {
        let mut m = CostMeter::new(&pricing);
        m.close_bucket(
            sim.now(),
            &sim.lambda_usage(),
            &sim.event_source_usage(),
            None,
        );
        m
    };
    let report = meter.report(
        SimDuration::from_secs(600),
        Some((&sim.lambda_usage(), &sim.event_source_usage())),
        None,
    );
    let lambda = report.lambda.expect("deployed");
    assert_eq!(meter.points()[0].lambda.total, lambda.so_far);
    assert_eq!(lambda.so_far, lambda.bill.sum_of_lines());
    assert!(lambda.projected_month.method.contains("10 min window"));
    // A month is 4,320 of these windows: the projection is far above the
    // window's own bill.
    assert!(lambda.projected_month.bill.total > lambda.so_far);
}

#[test]
fn the_simulation_accrues_cost_per_side_at_its_series_boundaries() {
    let mut s = example("steady-api");
    s.duration_s = 300.0;
    s.pricing.free_tier = false;
    let mut sim = quiet(&s);
    sim.advance_to(sim.end());
    let pts = sim.cost_series();
    assert!(pts.len() >= 299, "{}", pts.len());
    for w in pts.windows(2) {
        assert!(w[1].lambda.total >= w[0].lambda.total);
        let (a, b) = (w[0].ec2.unwrap(), w[1].ec2.unwrap());
        assert!(b.total >= a.total);
        assert_eq!(
            b.total,
            b.instances + b.alb + b.sqs + b.ebs + b.event_sources + b.public_ipv4
        );
    }
    let report = sim.report();
    let cost = report.cost.clone().expect("the simulation sets it");
    assert_eq!(cost.series.len(), pts.len());
    let (l, e) = (cost.lambda.unwrap(), cost.ec2.unwrap());
    // The run ends on a boundary: the last point is the report's so-far.
    assert_eq!(pts.last().unwrap().lambda.total, l.so_far);
    assert_eq!(pts.last().unwrap().ec2.unwrap().total, e.so_far);
    assert_eq!(sim.cost_now().lambda.total, l.so_far);
    assert!(l.so_far > Money::ZERO && e.so_far > Money::ZERO);
    assert!(e.projected_month.method.contains("all month"));
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.contains("\"projected_month\""),
        "cost is in the JSON report"
    );
}

#[test]
fn a_scenario_names_its_pricing_problems() {
    let json = r#"{"version": 1, "duration_s": 60,
      "sources": [{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": 1}}],
      "function": {},
      "pricing": {"ec2_discount_percent": 120, "prices": {"ec2_hourly": {"q1.tiny": 1}}}}"#;
    let errs = Scenario::from_json(json).unwrap_err();
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "pricing.ec2_discount_percent",
            "pricing.prices.ec2_hourly.q1.tiny"
        ]
    );
    let unknown = json.replace("ec2_discount_percent", "discount");
    let errs = Scenario::from_json(&unknown).unwrap_err();
    assert!(errs[0].to_string().contains("discount"), "{}", errs[0]);
    // A scenario without the section prices at list prices, and round-trips
    // without writing it.
    let ok = Scenario::from_json(
        r#"{"version": 1, "duration_s": 60,
      "sources": [{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": 1}}],
      "function": {}}"#,
    )
    .unwrap();
    assert_eq!(ok.pricing, Pricing::default());
    assert!(!ok.to_json().contains("pricing"));
}
