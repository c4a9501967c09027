//! T3 instances in unlimited mode (the default for T3): CPU above the
//! baseline spends CPU credits, and surplus credits are billed at $0.05 per
//! vCPU-hour (EC2 On-Demand pricing, "T2/T3/T4g Unlimited Mode Pricing").
//! t3.micro: 2 vCPUs, baseline 10 % per vCPU = 12 credits per hour, no
//! launch credits in unlimited mode (EC2 User Guide, Burstable performance
//! instances).

use crate::common::{example, quiet, scenario};
use fanout::engine::billing::accrual::Pricer;
use fanout::engine::billing::pricing::Pricing;
use fanout::engine::billing::{Bill, Charge, Money};
use fanout::engine::scenario::Scenario;

/// A fixed fleet of 2 × `instance_type` for one hour, offered `rate` 100 ms
/// requests per second: 2 instances × 2 worker slots, so 24/s is 60 % CPU.
fn fleet(instance_type: &str, rate: f64) -> Scenario {
    scenario(&format!(
        r#"{{"version":1,"duration_s":3600,"seed":7,
        "sources":[{{"kind":"api","pattern":{{"type":"poisson","rate_per_s":{rate}}}}}],
        "function":{{"memory_mb":512,"duration":{{"type":"fixed","ms":100}}}},
        "ec2":{{"instance_type":"{instance_type}","instances":2}}}}"#
    ))
}

/// The EC2 bill after the run and the fleet's mean CPU \[fraction\].
fn run(s: &Scenario) -> (Bill, f64) {
    let mut sim = quiet(s);
    sim.advance_to(sim.end());
    let cpu = sim.report().ec2.expect("ec2").mean_cpu_percent / 100.0;
    let bill = Pricer::new(&Pricing::default())
        .ec2_bill(
            &sim.ec2_usage().unwrap(),
            &sim.ec2_event_source_usage().unwrap(),
        )
        .unwrap();
    (bill, cpu)
}

fn amount(b: &Bill, kind: Charge) -> Money {
    b.lines
        .iter()
        .filter(|l| l.kind == kind)
        .map(|l| l.amount)
        .fold(Money::ZERO, |a, m| a + m)
}

#[test]
fn two_t3_micro_at_60_percent_cpu_cost_about_5_8_times_the_hourly_price() {
    let (bill, cpu) = run(&fleet("t3.micro", 24.0));
    assert!((cpu - 0.60).abs() < 0.02, "mean CPU {cpu}");
    let line = bill
        .lines
        .iter()
        .find(|l| l.kind == Charge::CpuCredits)
        .expect("a surplus credit line");
    assert_eq!(line.item, "T3 Unlimited surplus CPU credits");
    // By hand, per instance over the hour: spent cpu × 2 vCPU × 60 min
    // credits, earned 12; surplus (cpu − 10 %) × 2 vCPU-hours. At exactly
    // 60 %: 72 − 12 = 60 credits = 1 vCPU-hour each, 2 in all, × $0.05 =
    // $0.10, beside 2 × $0.0104 = $0.0208 on demand: $0.1208 = 5.8 ×.
    let hand_vcpu_hours = 2.0 * (cpu - 0.10) * 2.0;
    let got: f64 = line.quantity.to_decimal_string(false).parse().unwrap();
    assert!(
        (got - hand_vcpu_hours).abs() < 0.001,
        "{got} vCPU-h against {hand_vcpu_hours} by hand"
    );
    assert!((got - 2.0).abs() < 0.08, "{got} vCPU-h");
    let on_demand = amount(&bill, Charge::Instances);
    assert_eq!(on_demand, Money::from_micros(20_800));
    let ratio = (on_demand + line.amount).as_usd_f64() / on_demand.as_usd_f64();
    assert!((ratio - 5.8).abs() < 0.25, "ratio {ratio}");
}

#[test]
fn below_the_baseline_or_on_a_fixed_performance_type_there_is_no_surplus() {
    // 2 % CPU on t3.micro: under its 10 % baseline, credits accrue.
    let (bill, cpu) = run(&fleet("t3.micro", 0.8));
    assert!(cpu < 0.05, "{cpu}");
    assert_eq!(amount(&bill, Charge::CpuCredits), Money::ZERO);
    // m5.large is not burstable: no credits at any CPU.
    let (bill, _) = run(&fleet("m5.large", 24.0));
    assert_eq!(amount(&bill, Charge::CpuCredits), Money::ZERO);
}

#[test]
fn the_snapshot_shows_each_t3_instance_credit_balance() {
    let s = fleet("t3.micro", 24.0);
    let mut sim = quiet(&s);
    sim.advance_to(fanout::engine::SimTime::from_micros(600_000_000));
    let snap = sim.snapshot().ec2.expect("ec2");
    assert_eq!(snap.instances.len(), 2);
    for i in &snap.instances {
        // 10 minutes at ~60 %: about (12 − 72) / 6 = −10 credits.
        let c = i.cpu_credits.expect("a T3 has a balance");
        assert!((-13.0..=-7.0).contains(&c), "{c}");
    }
    let m5 = quiet(&fleet("m5.large", 24.0)).snapshot().ec2.unwrap();
    assert!(m5.instances.iter().all(|i| i.cpu_credits.is_none()));
}

#[test]
fn the_example_scenario_bills_surplus_credits() {
    let s = example("t3-high-cpu");
    let mut sim = quiet(&s);
    sim.advance_to(sim.end());
    let bill = Pricer::new(&Pricing::default())
        .ec2_bill(
            &sim.ec2_usage().unwrap(),
            &sim.ec2_event_source_usage().unwrap(),
        )
        .unwrap();
    assert!(amount(&bill, Charge::CpuCredits) > amount(&bill, Charge::Instances));
}
