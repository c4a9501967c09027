//! Public IPv4 addresses ($0.005 per IP-hour since 1 Feb 2024, Amazon VPC
//! pricing) on the EC2 bill, and a monthly projection that does not depend
//! on the window's length for a steady fleet.

use crate::common::{example, quiet, scenario};
use fanout::engine::billing::accrual::Pricer;
use fanout::engine::billing::pricing::Pricing;
use fanout::engine::billing::projection::{project_ec2, project_event_sources};
use fanout::engine::billing::{Charge, Money};
use fanout::engine::scenario::Scenario;
use fanout::engine::{SimDuration, SimTime};

/// A fixed fleet of 2 behind an ALB, for one hour.
fn fleet(zones: u32, public_ip: bool) -> Scenario {
    scenario(&format!(
        r#"{{"version":1,"duration_s":3600,
        "sources":[{{"kind":"api","pattern":{{"type":"poisson","rate_per_s":5}}}}],
        "function":{{"memory_mb":512,"duration":{{"type":"fixed","ms":20}}}},
        "ec2":{{"instance_type":"m7g.large","instances":2,"zones":{zones},"public_ip":{public_ip}}}}}"#
    ))
}

/// The public IPv4 line of the EC2 bill after one simulated hour.
fn ipv4_line(s: &Scenario) -> (String, Money) {
    let mut sim = quiet(s);
    sim.advance_to(sim.end());
    let pricer = Pricer::new(&Pricing::default());
    let bill = pricer
        .ec2_bill(
            &sim.ec2_usage().unwrap(),
            &sim.ec2_event_source_usage().unwrap(),
        )
        .unwrap();
    let line = bill
        .lines
        .iter()
        .find(|l| l.kind == Charge::PublicIpv4)
        .expect("a public IPv4 line");
    (line.quantity.to_decimal_string(false), line.amount)
}

#[test]
fn an_internet_facing_alb_pays_one_address_per_zone() {
    // Three zones for one hour: 3 IP-hours × $0.005 = $0.015.
    assert_eq!(
        ipv4_line(&fleet(3, false)),
        ("3".to_owned(), Money::from_micros(15_000))
    );
    // An ALB enables at least two zones: a one-zone fleet still pays 2.
    assert_eq!(
        ipv4_line(&fleet(1, false)),
        ("2".to_owned(), Money::from_micros(10_000))
    );
}

#[test]
fn instances_with_a_public_ip_pay_one_each_while_they_exist() {
    // 3 ALB addresses + 2 instances, one hour: 5 IP-hours = $0.025.
    assert_eq!(
        ipv4_line(&fleet(3, true)),
        ("5".to_owned(), Money::from_micros(25_000))
    );
}

#[test]
fn the_month_has_the_alb_addresses_all_month_on_the_cost_meter() {
    // Three zones, 720 h: 2,160 IP-hours × $0.005 = $10.80 a month, on the
    // cost meter's own field.
    let s = fleet(3, false);
    let mut sim = quiet(&s);
    sim.advance_to(SimTime::ZERO + SimDuration::from_mins(10));
    let cost = sim.report().cost.expect("a cost section");
    let ec2 = cost.ec2.expect("a fleet");
    let month = &ec2.projected_month.bill;
    let line = month
        .lines
        .iter()
        .find(|l| l.kind == Charge::PublicIpv4)
        .unwrap();
    assert_eq!(line.amount, Money::from_micros(10_800_000));
    let p = cost.series.last().unwrap().ec2.unwrap();
    // 10 minutes × 3 addresses = 0.5 IP-hours = $0.0025.
    assert_eq!(p.public_ipv4, Money::from_micros(2_500));
}

/// The EC2 side's projected month after a window of `secs` [$].
fn projected_ec2(s: &Scenario, secs: u64) -> f64 {
    let mut sim = quiet(s);
    sim.advance_to(SimTime::ZERO + SimDuration::from_secs(secs));
    let window = SimDuration::from_secs(secs);
    let pricer = Pricer::new(&Pricing::default());
    let bill = pricer
        .ec2_bill(
            &project_ec2(&sim.ec2_usage().unwrap(), window),
            &project_event_sources(&sim.ec2_event_source_usage().unwrap(), window),
        )
        .unwrap();
    bill.total.as_micros() as f64 / 1e6
}

fn within(a: f64, b: f64, share: f64) -> bool {
    (a - b).abs() <= share * a.max(b)
}

#[test]
fn a_short_window_projects_the_same_month_as_a_longer_one() {
    // steady-api: 3 instances from the start. A 30 s window used to project
    // 2 × their time (each launch's 60 s minimum scaled 86,400 times):
    // $414 against $239 at 2 minutes. (At 10 minutes Auto Scaling has added
    // a 4th instance, which a 2-minute window cannot see.)
    let s = example("steady-api");
    let (a, b) = (projected_ec2(&s, 30), projected_ec2(&s, 120));
    assert!(within(a, b, 0.01), "30 s {a} vs 2 min {b}");
    // quiet-night: a fleet that does not change; 30 s, 2 and 10 minutes.
    let q = example("quiet-night");
    let (a, b, c) = (
        projected_ec2(&q, 30),
        projected_ec2(&q, 120),
        projected_ec2(&q, 600),
    );
    assert!(within(a, b, 0.02) && within(b, c, 0.02), "{a} {b} {c}");
}
