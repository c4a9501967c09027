//! Cost as the simulation runs: a cumulative, itemized cost time series per
//! side (for the UI's cost meter and charts) and the report's `cost`
//! section (the bill so far and a labelled monthly projection).
//!
//! The simulator never prices an invocation. At each series boundary it
//! hands the meter its CUMULATIVE usage totals (integers the sides keep
//! anyway) and the meter prices them with the very bills `fanout bill`
//! uses: a few dozen integer operations per bucket, nothing per event. The
//! points are cumulative, so downsampling keeps the later point of each pair
//! (the same pairs the engine's `Series` (engine metrics) merges),
//! and memory stays below [`MAX_SERIES_POINTS`](crate::engine::defaults::MAX_SERIES_POINTS) points.
//!
//! ```
//! use fanout::engine::billing::accrual::CostMeter;
//! use fanout::engine::billing::pricing::Pricing;
//! use fanout::engine::billing::{Architecture, EventSourceUsage, LambdaUsage};
//! use fanout::engine::SimTime;
//! let mut meter = CostMeter::new(&Pricing { free_tier: false, ..Pricing::default() });
//! let mut u = LambdaUsage::new(Architecture::X86_64, 1_024, 512);
//! u.on_demand.requests = 1_000_000;
//! u.on_demand.billed_ms = 100_000_000; // 100,000 GB-s
//! u.on_demand.billed_ms_with_init = u.on_demand.billed_ms;
//! meter.close_bucket(SimTime::from_micros(60_000_000), &u, &EventSourceUsage::default(), None);
//! let p = meter.points()[0];
//! assert_eq!(p.lambda.requests.to_string(), "$0.20");
//! assert_eq!(p.lambda.duration.to_string(), "$1.67");
//! assert_eq!(p.lambda.total, p.lambda.requests + p.lambda.duration);
//! ```

use super::bill::{Bill, Charge, Tally};
use super::catalog::Catalog;
use super::ec2_charges::{ec2_bill, ec2_charges, Ec2BillOptions};
use super::lambda_charges::{lambda_bill, lambda_charges, LambdaBillOptions};
use super::money::Money;
use super::pricing::Pricing;
use super::projection::{project_ec2, project_event_sources, project_lambda, projection_note};
use super::usage::{Ec2Usage, EventSourceUsage, LambdaUsage};
use crate::engine::metrics::halve_when_full;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// Cumulative cost of the Lambda deployment, by kind of charge [µ$].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LambdaCost {
    /// Requests (after the free tier) [µ$].
    pub requests: Money,
    /// On-demand duration, all tiers (after the free tier) [µ$].
    pub duration: Money,
    /// Provisioned concurrency: configured and the duration it served [µ$].
    pub provisioned: Money,
    /// Ephemeral storage above the included 512 MB [µ$].
    pub ephemeral: Money,
    /// API Gateway, S3 and SQS requests of the event sources [µ$].
    pub event_sources: Money,
    /// The exact sum of the five [µ$].
    pub total: Money,
}

/// Cumulative cost of the EC2 deployment, by kind of charge [µ$].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ec2Cost {
    /// Instance time, after the discount [µ$].
    pub instances: Money,
    /// Load balancer hours and LCU-hours [µ$].
    pub alb: Money,
    /// SQS requests (after the free tier) [µ$].
    pub sqs: Money,
    /// EBS storage [µ$].
    pub ebs: Money,
    /// API Gateway and S3 requests [µ$].
    pub event_sources: Money,
    /// Public IPv4 addresses: the load balancer's and the instances' [µ$].
    pub public_ipv4: Money,
    /// Surplus CPU credits of T3 instances in unlimited mode [µ$].
    pub cpu_credits: Money,
    /// The exact sum of the seven [µ$].
    pub total: Money,
}

/// One point of the cost series: what each side has cost from time zero to
/// `t_s`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CostPoint {
    /// End of the bucket [s since start].
    pub t_s: f64,
    /// The Lambda side so far.
    pub lambda: LambdaCost,
    /// The EC2 side so far (none in a scenario without a fleet, or when its
    /// instance type has no price).
    pub ec2: Option<Ec2Cost>,
}

impl LambdaCost {
    /// From the amounts of a [`Tally`] of Lambda charges.
    pub fn from_tally(t: &Tally) -> LambdaCost {
        LambdaCost {
            requests: t.get(Charge::LambdaRequests),
            duration: t.get(Charge::LambdaDuration),
            provisioned: t.get(Charge::Provisioned),
            ephemeral: t.get(Charge::Ephemeral),
            event_sources: t.get(Charge::OtherRequests) + t.get(Charge::Sqs),
            total: t.total,
        }
    }
}

impl Ec2Cost {
    /// From the amounts of a [`Tally`] of EC2 charges.
    pub fn from_tally(t: &Tally) -> Ec2Cost {
        Ec2Cost {
            instances: t.get(Charge::Instances),
            alb: t.get(Charge::Alb),
            sqs: t.get(Charge::Sqs),
            ebs: t.get(Charge::Ebs),
            event_sources: t.get(Charge::OtherRequests),
            public_ipv4: t.get(Charge::PublicIpv4),
            cpu_credits: t.get(Charge::CpuCredits),
            total: t.total,
        }
    }
}

/// Sums a bill's lines by kind, as a ledger that kept no lines would have.
fn tally(bill: &Bill) -> Tally {
    let mut t = Tally::default();
    for l in &bill.lines {
        t.by_kind[l.kind as usize] += l.amount;
    }
    t.total = bill.total;
    t
}

/// Sorts a Lambda bill's lines into [`LambdaCost`]; every line lands in
/// exactly one field, so the fields sum to the bill's total.
pub fn lambda_cost(bill: &Bill) -> LambdaCost {
    LambdaCost::from_tally(&tally(bill))
}

/// Sorts an EC2 bill's lines into [`Ec2Cost`]; every line lands in exactly
/// one field.
pub fn ec2_cost(bill: &Bill) -> Ec2Cost {
    Ec2Cost::from_tally(&tally(bill))
}

/// The prices and rules a run is billed with.
#[derive(Clone, Debug)]
pub struct Pricer {
    /// The catalog with the scenario's overrides.
    pub catalog: Catalog,
    /// Lambda switches (free tier, INIT rule).
    pub lambda: LambdaBillOptions,
    /// EC2 switches (discount, SQS free tier).
    pub ec2: Ec2BillOptions,
}

impl Pricer {
    /// From a scenario's `pricing` section.
    pub fn new(pricing: &Pricing) -> Pricer {
        Pricer {
            catalog: pricing.catalog(),
            lambda: pricing.lambda_options(),
            ec2: pricing.ec2_options(),
        }
    }

    /// The Lambda bill of `u` and its event sources.
    pub fn lambda_bill(&self, u: &LambdaUsage, sources: &EventSourceUsage) -> Bill {
        lambda_bill(u, sources, &self.catalog, self.lambda)
    }

    /// The EC2 bill, or none when an instance type has no price (the
    /// scenario's validation names it).
    pub fn ec2_bill(&self, u: &Ec2Usage, sources: &EventSourceUsage) -> Option<Bill> {
        ec2_bill(u, sources, &self.catalog, self.ec2).ok()
    }

    /// What [`Pricer::lambda_bill`] totals, by kind, without building the
    /// bill's lines (no strings: this runs at every series boundary).
    pub fn lambda_cost(&self, u: &LambdaUsage, sources: &EventSourceUsage) -> LambdaCost {
        let mut t = Tally::default();
        lambda_charges(u, sources, &self.catalog, self.lambda, &mut t);
        LambdaCost::from_tally(&t)
    }

    /// What [`Pricer::ec2_bill`] totals, by kind, without building its lines.
    pub fn ec2_cost(&self, u: &Ec2Usage, sources: &EventSourceUsage) -> Option<Ec2Cost> {
        let mut t = Tally::default();
        ec2_charges(u, sources, &self.catalog, self.ec2, &mut t).ok()?;
        Some(Ec2Cost::from_tally(&t))
    }
}

/// The cumulative cost series of a run.
#[derive(Clone, Debug)]
pub struct CostMeter {
    pricer: Pricer,
    points: Vec<CostPoint>,
}

impl CostMeter {
    /// An empty series priced with `pricing`.
    pub fn new(pricing: &Pricing) -> CostMeter {
        CostMeter {
            pricer: Pricer::new(pricing),
            points: Vec::new(),
        }
    }

    /// The prices and rules in use.
    pub fn pricer(&self) -> &Pricer {
        &self.pricer
    }

    /// What the usage totals so far cost (also usable between boundaries,
    /// e.g. for a cost meter drawn every frame).
    pub fn price(
        &self,
        t: SimTime,
        lambda: &LambdaUsage,
        lambda_sources: &EventSourceUsage,
        ec2: Option<(&Ec2Usage, &EventSourceUsage)>,
    ) -> CostPoint {
        CostPoint {
            t_s: t.as_micros() as f64 / 1e6,
            lambda: self.pricer.lambda_cost(lambda, lambda_sources),
            ec2: ec2.and_then(|(u, s)| self.pricer.ec2_cost(u, s)),
        }
    }

    /// Closes the bucket ending at `t` with the CUMULATIVE usage up to `t`.
    /// Called at the engine's series boundaries, so both series keep the
    /// same buckets; when full, every pair of points becomes its later one.
    pub fn close_bucket(
        &mut self,
        t: SimTime,
        lambda: &LambdaUsage,
        lambda_sources: &EventSourceUsage,
        ec2: Option<(&Ec2Usage, &EventSourceUsage)>,
    ) {
        let p = self.price(t, lambda, lambda_sources, ec2);
        self.points.push(p);
        // Cumulative values: a merged bucket's value is its later one.
        halve_when_full(&mut self.points, |_, later| *later);
    }

    /// The series so far, oldest first.
    pub fn points(&self) -> &[CostPoint] {
        &self.points
    }

    /// The `cost` section of a report for a run of length `window` (none
    /// for a side that is not deployed), with the series so far.
    pub fn report(
        &self,
        window: SimDuration,
        lambda: Option<(&LambdaUsage, &EventSourceUsage)>,
        ec2: Option<(&Ec2Usage, &EventSourceUsage)>,
    ) -> CostReport {
        let mut r = CostReport::build(&self.pricer, window, lambda, ec2);
        r.series = self.points.clone();
        r
    }
}

/// A month projected from a simulated window: the method and the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Projection {
    /// Says that this is a projection, not a bill, and how it was made.
    pub method: String,
    /// The itemized bill of the projected 30-day month.
    pub bill: Bill,
}

/// The cost of one side: so far and projected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SideCost {
    /// Total so far [µ$].
    pub so_far: Money,
    /// The itemized bill of the simulated window.
    pub bill: Bill,
    /// The month projected from the window.
    pub projected_month: Projection,
}

/// The `cost` section of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    /// The Lambda deployment, if deployed.
    pub lambda: Option<SideCost>,
    /// The EC2 deployment, if the scenario has one (and its type a price).
    pub ec2: Option<SideCost>,
    /// Cumulative cost over simulated time, itemized per side (bounded,
    /// downsampled like the other series).
    pub series: Vec<CostPoint>,
}

impl CostReport {
    /// Prices a window's cumulative usage and projects it to a month.
    pub fn build(
        pricer: &Pricer,
        window: SimDuration,
        lambda: Option<(&LambdaUsage, &EventSourceUsage)>,
        ec2: Option<(&Ec2Usage, &EventSourceUsage)>,
    ) -> CostReport {
        let method = projection_note(window);
        let lambda = lambda.map(|(u, s)| {
            let bill = pricer.lambda_bill(u, s);
            let month = pricer.lambda_bill(
                &project_lambda(u, window),
                &project_event_sources(s, window),
            );
            SideCost {
                so_far: bill.total,
                bill,
                projected_month: Projection {
                    method: method.clone(),
                    bill: month,
                },
            }
        });
        let ec2 = ec2.and_then(|(u, s)| {
            let bill = pricer.ec2_bill(u, s)?;
            let month = pricer.ec2_bill(&project_ec2(u, window), &project_event_sources(s, window))?;
            Some(SideCost {
                so_far: bill.total,
                bill,
                projected_month: Projection {
                    method: format!(
                        "{method} The load balancer is taken to run all month at the window's average hour."
                    ),
                    bill: month,
                },
            })
        });
        CostReport {
            lambda,
            ec2,
            series: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::{AlbHour, AlbUsage, Architecture};
    use crate::engine::defaults::MAX_SERIES_POINTS;

    fn usage(requests: u64, ms: u64) -> LambdaUsage {
        let mut u = LambdaUsage::new(Architecture::Arm64, 2_048, 1_024);
        u.on_demand.requests = requests;
        u.on_demand.billed_ms = ms;
        u.on_demand.billed_ms_with_init = ms + requests / 10;
        u.provisioned_env_seconds = requests / 100;
        u.provisioned_requests = requests / 50;
        u.provisioned_billed_ms = ms / 50;
        u
    }

    fn fleet(seconds: u64) -> Ec2Usage {
        let mut e = Ec2Usage::default();
        e.record_launch("c7g.large", SimDuration::from_secs(seconds));
        e.alb = Some(AlbUsage {
            lambda_targets: false,
            hours: vec![AlbHour {
                hours: 1 + seconds / 3_600,
                new_connections: seconds * 10,
                ..AlbHour::default()
            }],
        });
        e.ebs_gb_seconds = seconds * 8;
        e.record_public_ipv4(3, SimDuration::from_secs(seconds));
        e
    }

    fn sources(n: u64) -> EventSourceUsage {
        EventSourceUsage {
            api_http_requests: n,
            s3_put_requests: n / 3,
            sqs_standard_requests: n * 3,
            ..EventSourceUsage::default()
        }
    }

    #[test]
    fn every_kind_of_charge_is_itemized_and_sums_exactly() {
        let pricing = Pricing {
            free_tier: false,
            ..Pricing::default()
        };
        let m = CostMeter::new(&pricing);
        let p = m.price(
            SimTime::from_micros(1),
            &usage(5_000_000, 900_000_000),
            &sources(5_000_000),
            Some((&fleet(7_200), &sources(5_000_000))),
        );
        let l = p.lambda;
        for part in [
            l.requests,
            l.duration,
            l.provisioned,
            l.ephemeral,
            l.event_sources,
        ] {
            assert!(part > Money::ZERO, "{l:?}");
        }
        assert_eq!(
            l.total,
            l.requests + l.duration + l.provisioned + l.ephemeral + l.event_sources
        );
        let e = p.ec2.unwrap();
        for part in [
            e.instances,
            e.alb,
            e.sqs,
            e.ebs,
            e.event_sources,
            e.public_ipv4,
        ] {
            assert!(part > Money::ZERO, "{e:?}");
        }
        assert_eq!(
            e.total,
            e.instances + e.alb + e.sqs + e.ebs + e.event_sources + e.public_ipv4
        );
    }

    proptest::proptest! {
        /// The meter's string-free tally and the itemized bills agree to the
        /// micro-dollar, kind by kind, with every switch.
        #[test]
        fn the_tally_matches_the_itemized_bills(
            requests in 0u64..50_000_000,
            ms_each in 1u64..5_000,
            seconds in 0u64..10_000_000,
            free_tier in proptest::bool::ANY,
            init_billed in proptest::bool::ANY,
            discount in 0.0f64..80.0,
        ) {
            let pricing = Pricing {
                free_tier,
                init_billing: if init_billed {
                    crate::engine::billing::pricing::InitBilling::SinceAug2025
                } else {
                    crate::engine::billing::pricing::InitBilling::BeforeAug2025
                },
                ec2_discount_percent: discount,
                ..Pricing::default()
            };
            let m = CostMeter::new(&pricing);
            let (u, s, e) = (usage(requests, requests * ms_each), sources(requests), fleet(seconds));
            let p = m.price(SimTime::ZERO, &u, &s, Some((&e, &s)));
            let pr = m.pricer();
            proptest::prop_assert_eq!(p.lambda, lambda_cost(&pr.lambda_bill(&u, &s)));
            proptest::prop_assert_eq!(p.ec2, pr.ec2_bill(&e, &s).map(|b| ec2_cost(&b)));
        }
    }

    #[test]
    fn the_series_stays_bounded_and_keeps_the_latest_total() {
        let mut m = CostMeter::new(&Pricing::default());
        let n = 5 * MAX_SERIES_POINTS as u64;
        for i in 1..=n {
            m.close_bucket(
                SimTime::from_micros(i * 1_000_000),
                &usage(i * 10_000, i * 1_000_000),
                &sources(i * 100),
                None,
            );
        }
        let pts = m.points();
        assert!(pts.len() < MAX_SERIES_POINTS, "{}", pts.len());
        let last = pts.last().unwrap();
        let direct = m.price(
            SimTime::from_micros(n * 1_000_000),
            &usage(n * 10_000, n * 1_000_000),
            &sources(n * 100),
            None,
        );
        // Only whole pairs merge, so the newest point may be one bucket
        // behind; it is never ahead.
        assert!(last.lambda.total <= direct.lambda.total);
        assert!(last.t_s >= (n - 2) as f64);
        assert!(pts.windows(2).all(|w| w[0].t_s < w[1].t_s));
    }

    #[test]
    fn an_unpriced_instance_type_gives_no_ec2_cost() {
        let m = CostMeter::new(&Pricing::default());
        let mut e = Ec2Usage::default();
        e.record_launch("z9.mega", SimDuration::from_secs(60));
        let p = m.price(
            SimTime::ZERO,
            &usage(1, 1),
            &EventSourceUsage::default(),
            Some((&e, &EventSourceUsage::default())),
        );
        assert!(p.ec2.is_none());
    }

    #[test]
    fn the_report_labels_its_projection() {
        let m = CostMeter::new(&Pricing::default());
        let u = usage(100_000, 10_000_000);
        let r = m.report(
            SimDuration::from_hours(1),
            Some((&u, &sources(100_000))),
            Some((&fleet(3_600), &EventSourceUsage::default())),
        );
        let l = r.lambda.unwrap();
        assert_eq!(l.so_far, l.bill.total);
        assert!(l.projected_month.method.starts_with("PROJECTION"));
        let e = r.ec2.unwrap();
        assert!(e.projected_month.method.contains("all month"));
        // 720 hours of one c7g.large at $0.0725 = $52.20 of instance time.
        assert!(e.projected_month.bill.total >= Money::from_cents(5_220));
        assert!(l.projected_month.bill.total > l.bill.total);
    }
}
