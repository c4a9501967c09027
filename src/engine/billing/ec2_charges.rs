//! The bill of a self-managed EC2 deployment: instances, the Application
//! Load Balancer, EBS storage and its event sources.
//!
//! Rules (`docs/aws-facts.md`, late 2025):
//! - Instances: per second from launch (booting included) to termination,
//!   with a 60-second minimum per launch (applied by the producer with
//!   [`super::usage::ec2_billable_seconds`]), at the on-demand hourly rate;
//!   quantity × rate is computed from exact seconds and rounded once.
//! - Savings Plans / Spot: one user-set discount percentage off the
//!   on-demand rate (an assumption, not an AWS price), shown in the rate.
//! - ALB: every started hour is a full ALB-hour, plus LCU-hours: each hour's
//!   LCUs are the LARGEST of its four dimensions (new connections, active
//!   connections, processed bytes, rule evaluations) over their capacity.
//! - EBS gp3 (optional): GB-months = GB-seconds / 30-day month.
//! - Public IPv4 addresses: $0.005 per IP-hour, in use or idle (since
//!   1 Feb 2024); address-seconds / 3,600, no minimum (an assumption).

use super::bill::{Bill, Charge, Ledger, Quantity, Rate, Words};
use super::catalog::{Catalog, LcuDimensions, Provenance};
use super::events::{charge_price, event_source_charges};
use super::usage::{AlbHour, AlbUsage, Ec2Usage, EventSourceUsage, InstanceUsage, MONTH_SECONDS};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How to price EC2 usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ec2BillOptions {
    /// Savings Plan / Spot discount off on-demand instance prices
    /// [basis points, 1/100 %] (0–10,000).
    pub discount_basis_points: u32,
    /// Apply the SQS free tier.
    pub free_tier: bool,
}

impl Default for Ec2BillOptions {
    fn default() -> Self {
        Ec2BillOptions {
            discount_basis_points: 0,
            free_tier: true,
        }
    }
}

/// Why an EC2 bill cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BillError {
    #[error("unknown instance type `{name}`; the catalog has: {known}")]
    UnknownInstanceType { name: String, known: String },
}

/// The itemized EC2 bill of a deployment's usage plus its event sources.
pub fn ec2_bill(
    u: &Ec2Usage,
    sources: &EventSourceUsage,
    catalog: &Catalog,
    opts: Ec2BillOptions,
) -> Result<Bill, BillError> {
    let mut bill = Bill::new("Amazon EC2");
    ec2_charges(u, sources, catalog, opts, &mut bill)?;
    Ok(bill)
}

/// Puts the EC2 charges (see [`ec2_bill`]) into `ledger`: the same amounts
/// whether it keeps itemized lines or only sums. On an error the ledger
/// may hold some charges: discard it.
pub fn ec2_charges(
    u: &Ec2Usage,
    sources: &EventSourceUsage,
    catalog: &Catalog,
    opts: Ec2BillOptions,
    ledger: &mut impl Ledger,
) -> Result<(), BillError> {
    let discount = opts.discount_basis_points.min(10_000);
    for (name, usage) in &u.instances {
        instance_charge(name, usage, catalog, discount, ledger)?;
    }
    if let Some(alb) = &u.alb {
        charge_price(
            ledger,
            Charge::Alb,
            "Application Load Balancer",
            Quantity::whole(alb.total_hours()),
            "ALB-hours",
            &catalog.alb.hour,
        );
        charge_price(
            ledger,
            Charge::Alb,
            "Application Load Balancer capacity units",
            lcu_hours(alb, &catalog.alb.lcu),
            "LCU-hours",
            &catalog.alb.lcu_hour,
        );
    }
    charge_price(
        ledger,
        Charge::Ebs,
        "EBS gp3 storage",
        Quantity::ratio(u128::from(u.ebs_gb_seconds), u128::from(MONTH_SECONDS)),
        "GB-months",
        &catalog.ebs_gp3,
    );
    charge_price(
        ledger,
        Charge::PublicIpv4,
        "Public IPv4 addresses",
        Quantity::ratio(u128::from(u.public_ipv4_seconds), 3_600),
        "IP-hours",
        &catalog.public_ipv4,
    );
    charge_price(
        ledger,
        Charge::CpuCredits,
        "T3 Unlimited surplus CPU credits",
        Quantity::ratio(u128::from(u.surplus_vcpu_seconds), 3_600),
        "vCPU-hours",
        &catalog.t3_unlimited_surplus,
    );
    ledger.note(|| "EC2: billed per second from launch to termination (booting and idle included), 60-second minimum per launch.".to_owned());
    if discount > 0 {
        ledger.note(|| format!(
            "Discount {} off on-demand instance prices: a user setting standing for Savings Plans or Spot (assumption).",
            percent(discount)
        ));
    }
    if u.public_ipv4_seconds > 0 {
        ledger.note(|| "Public IPv4: every public address, in use or idle, since 1 Feb 2024; an internet-facing ALB has one per enabled Availability Zone for as long as it exists, an instance launched with a public IP one while it exists (counted per second: an assumption).".to_owned());
    }
    if u.surplus_vcpu_seconds > 0 {
        ledger.note(|| "T3 Unlimited: CPU above the baseline spends CPU credits (one credit = one vCPU at 100 % for one minute); credits spent beyond those earned and not paid back by later earnings are surplus credits, charged per vCPU-hour; no discount applies to them (an assumption).".to_owned());
    }
    if u.alb.is_some() {
        ledger.note(|| "ALB: a partial hour is a full hour; each hour's LCUs are its largest dimension (25 new connections/s, 3,000 active connections/min, 1 GB/h processed for EC2 targets or 0.4 GB/h for Lambda, 1,000 rule evaluations/s).".to_owned());
    }
    event_source_charges(sources, catalog, opts.free_tier, ledger);
    Ok(())
}

/// One instance type's time, at the discount (basis points) if any.
fn instance_charge(
    name: &str,
    usage: &InstanceUsage,
    catalog: &Catalog,
    discount: u32,
    ledger: &mut impl Ledger,
) -> Result<(), BillError> {
    let it = catalog
        .ec2
        .instance(name)
        .ok_or_else(|| BillError::UnknownInstanceType {
            name: name.to_owned(),
            known: catalog.ec2.names().join(", "),
        })?;
    let usd = if discount > 0 {
        it.price.usd.discounted(discount)
    } else {
        it.price.usd
    };
    ledger.charge(
        Charge::Instances,
        Quantity::ratio(u128::from(usage.billable_seconds), 3_600),
        usd,
        it.price.per,
        || {
            let mut rate = Rate::from(&it.price);
            let mut item = format!(
                "EC2 {name} ({} vCPU, {} GiB), Linux",
                it.vcpu, it.memory_gib
            );
            if discount > 0 {
                rate.usd = usd;
                rate.status = Provenance::Assumption;
                item.push_str(&format!(
                    ", {} off {}/h on-demand",
                    percent(discount),
                    it.price.usd
                ));
            } else {
                item.push_str(", on-demand");
            }
            if usage.launches > 0 {
                let s = if usage.launches == 1 { "" } else { "es" };
                item.push_str(&format!(", {} launch{s}", usage.launches));
            }
            Words {
                item,
                unit: "instance-hours",
                rate,
            }
        },
    );
    Ok(())
}

/// The hour's capacity of one LCU in each dimension, in the units of
/// [`AlbHour`]'s counts: new connections, connection-minutes, bytes, rule
/// evaluations.
fn capacities(d: &LcuDimensions, lambda_targets: bool) -> [u128; 4] {
    [
        u128::from(d.new_connections_per_second) * 3_600,
        u128::from(d.active_connections_per_minute) * 60,
        u128::from(if lambda_targets {
            d.processed_bytes_per_hour_lambda
        } else {
            d.processed_bytes_per_hour_ec2
        }),
        u128::from(d.rule_evaluations_per_second) * 3_600,
    ]
}

/// LCU-hours, exactly: each hour's LCUs are its largest dimension; the
/// quantity's scale is the least common multiple of the four capacities so
/// that every dimension's fraction is an integer over it.
pub fn lcu_hours(alb: &AlbUsage, d: &LcuDimensions) -> Quantity {
    let caps = capacities(d, alb.lambda_targets);
    let scale = caps
        .iter()
        .filter(|&&c| c > 0)
        .fold(1u128, |acc, &c| lcm(acc, c));
    let mut total = 0u128;
    for h in &alb.hours {
        let counts = hour_counts(h);
        let lcus = counts
            .iter()
            .zip(caps)
            .filter(|(_, cap)| *cap > 0)
            .map(|(&count, cap)| count.saturating_mul(scale / cap))
            .max()
            .unwrap_or(0);
        total = total.saturating_add(lcus.saturating_mul(u128::from(h.hours)));
    }
    Quantity::ratio(total, scale)
}

fn hour_counts(h: &AlbHour) -> [u128; 4] {
    [
        u128::from(h.new_connections),
        u128::from(h.active_connection_minutes),
        u128::from(h.processed_bytes),
        u128::from(h.rule_evaluations),
    ]
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: u128, b: u128) -> u128 {
    (a / gcd(a, b)).saturating_mul(b)
}

/// 3,000 basis points → "30 %"; 1,250 → "12.5 %".
fn percent(bp: u32) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 {
        format!("{whole} %")
    } else {
        format!("{whole}.{} %", format!("{frac:02}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::money::Money;
    use crate::engine::billing::usage::InstanceUsage;
    use crate::engine::time::SimDuration;
    use proptest::prelude::*;

    fn bill(u: &Ec2Usage, opts: Ec2BillOptions) -> Bill {
        let b = ec2_bill(u, &EventSourceUsage::default(), &Catalog::us_east_1(), opts).unwrap();
        assert_eq!(b.total, b.sum_of_lines());
        b
    }

    #[test]
    fn sixty_second_minimum_then_per_second() {
        // A 10 s launch bills 60 s: 60/3,600 h × $0.096 = $0.0016.
        let mut u = Ec2Usage::default();
        u.record_launch("m5.large", SimDuration::from_secs(10));
        assert_eq!(
            bill(&u, Ec2BillOptions::default()).total,
            Money::from_micros(1_600)
        );
        // Another launch of 61 s bills 61 s: 121 s × $0.096 / 3,600 = $0.003226667.
        u.record_launch("m5.large", SimDuration::from_secs(61));
        let b = bill(&u, Ec2BillOptions::default());
        assert_eq!(b.lines[0].quantity.to_decimal_string(false), "0.033611");
        assert_eq!(b.total, Money::from_micros(3_227));
        assert!(b.lines[0].item.ends_with("2 launches"));
    }

    #[test]
    fn a_month_of_two_instances_with_a_discount() {
        // 2 × m5.large for 720 h = 1,440 h × $0.096 = $138.24; 30 % off:
        // $0.0672/h → $96.768.
        let mut u = Ec2Usage::default();
        u.instances.insert(
            "m5.large".into(),
            InstanceUsage {
                launches: 2,
                billable_seconds: 2 * MONTH_SECONDS,
                ..InstanceUsage::default()
            },
        );
        assert_eq!(
            bill(&u, Ec2BillOptions::default()).total,
            Money::from_micros(138_240_000)
        );
        let b = bill(
            &u,
            Ec2BillOptions {
                discount_basis_points: 3_000,
                ..Ec2BillOptions::default()
            },
        );
        assert_eq!(b.total, Money::from_micros(96_768_000));
        assert!(b.lines[0].item.contains("30 % off $0.096/h on-demand"));
        assert_eq!(
            b.lines[0].rate.to_string(),
            "$0.0672 per instance-hour (assumption)"
        );
    }

    #[test]
    fn alb_partial_hours_and_the_largest_lcu_dimension() {
        let c = Catalog::us_east_1();
        // Hour 1: 36,000 new connections (10/s = 0.4 LCU), 90,000
        // connection-minutes (1,500 active/min = 0.5 LCU), 2 GB (2 LCU), rule
        // evaluations 360,000 (100/s = 0.1 LCU) → 2 LCU.
        // Hour 2 (partial, 10 minutes, billed whole): 900,000 new
        // connections (250/s over the hour = 10 LCU) → 10 LCU.
        let alb = AlbUsage {
            lambda_targets: false,
            hours: vec![
                AlbHour {
                    hours: 1,
                    new_connections: 36_000,
                    active_connection_minutes: 90_000,
                    processed_bytes: 2_000_000_000,
                    rule_evaluations: 360_000,
                },
                AlbHour {
                    hours: 1,
                    new_connections: 900_000,
                    ..AlbHour::default()
                },
            ],
        };
        assert_eq!(lcu_hours(&alb, &c.alb.lcu).to_decimal_string(false), "12");
        let u = Ec2Usage {
            alb: Some(alb.clone()),
            ..Ec2Usage::default()
        };
        let b = bill(&u, Ec2BillOptions::default());
        // 2 ALB-hours × $0.0225 = $0.045; 12 LCU-hours × $0.008 = $0.096.
        assert_eq!(b.lines[0].amount, Money::from_micros(45_000));
        assert_eq!(b.lines[1].amount, Money::from_micros(96_000));
        // The same bytes behind Lambda targets: 2 GB / 0.4 GB = 5 LCU.
        let lambda = AlbUsage {
            lambda_targets: true,
            hours: alb.hours[..1].to_vec(),
        };
        assert_eq!(lcu_hours(&lambda, &c.alb.lcu).to_decimal_string(false), "5");
    }

    #[test]
    fn ebs_per_gb_month() {
        // 8 GB for a 30-day month × $0.08 = $0.64; for half a month $0.32.
        let u = Ec2Usage {
            ebs_gb_seconds: 8 * MONTH_SECONDS / 2,
            ..Ec2Usage::default()
        };
        assert_eq!(
            bill(&u, Ec2BillOptions::default()).total,
            Money::from_micros(320_000)
        );
    }

    #[test]
    fn unknown_instance_type_is_an_error() {
        let mut u = Ec2Usage::default();
        u.record_launch("z9.huge", SimDuration::from_secs(10));
        let err = ec2_bill(
            &u,
            &EventSourceUsage::default(),
            &Catalog::us_east_1(),
            Ec2BillOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("z9.huge"));
        assert!(err.to_string().contains("m5.large"));
    }

    #[test]
    fn percent_labels() {
        assert_eq!(percent(3_000), "30 %");
        assert_eq!(percent(1_250), "12.5 %");
        assert_eq!(percent(5), "0.05 %");
    }

    fn arb_hour() -> impl Strategy<Value = AlbHour> {
        (
            1u64..1_000,
            0u64..1 << 40,
            0u64..1 << 40,
            0u64..1 << 50,
            0u64..1 << 40,
        )
            .prop_map(|(hours, n, a, b, r)| AlbHour {
                hours,
                new_connections: n,
                active_connection_minutes: a,
                processed_bytes: b,
                rule_evaluations: r,
            })
    }

    fn arb_usage() -> impl Strategy<Value = Ec2Usage> {
        (
            proptest::collection::vec((0usize..9, 0u64..1_000, 0u64..1 << 40), 0..4),
            proptest::option::of((any::<bool>(), proptest::collection::vec(arb_hour(), 0..5))),
            0u64..1 << 40,
        )
            .prop_map(|(inst, alb, ebs)| {
                let names = Catalog::us_east_1().ec2.names().join(" ");
                let names: Vec<&str> = names.split(' ').collect();
                let mut u = Ec2Usage {
                    ebs_gb_seconds: ebs,
                    alb: alb.map(|(lambda_targets, hours)| AlbUsage {
                        lambda_targets,
                        hours,
                    }),
                    ..Ec2Usage::default()
                };
                for (i, launches, secs) in inst {
                    u.merge(&Ec2Usage {
                        instances: [(
                            names[i].to_owned(),
                            InstanceUsage {
                                launches,
                                billable_seconds: secs,
                                ..InstanceUsage::default()
                            },
                        )]
                        .into(),
                        ..Ec2Usage::default()
                    });
                }
                u
            })
    }

    proptest! {
        #[test]
        fn lines_sum_and_cost_grows_with_usage(
            a in arb_usage(),
            b in arb_usage(),
            bp in 0u32..=10_000,
        ) {
            let c = Catalog::us_east_1();
            let none = EventSourceUsage::default();
            let opts = Ec2BillOptions { discount_basis_points: bp, free_tier: true };
            let before = ec2_bill(&a, &none, &c, opts).unwrap();
            prop_assert_eq!(before.total, before.sum_of_lines());
            let mut grown = a.clone();
            grown.merge(&b);
            let after = ec2_bill(&grown, &none, &c, opts).unwrap();
            prop_assert_eq!(after.total, after.sum_of_lines());
            prop_assert!(after.total >= before.total);
        }
    }
}
