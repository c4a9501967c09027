//! The Lambda bill of one function over a month (or a window).
//!
//! Rules (`docs/aws-facts.md`, Lambda pricing page, late 2025):
//! - Requests at one price; provisioned-served requests likewise.
//! - Duration in GB-s = memory MB / 1,024 × billed seconds, each invocation
//!   already rounded UP to 1 ms by the producer (a timed-out invocation is
//!   billed to its timeout, also by the producer).
//! - On-demand duration is priced in three monthly tiers per architecture.
//!   The tiers are applied to the BILLABLE GB-s (after the free tier), which
//!   keeps the bill monotone in usage; the 400,000 free GB-s are too few
//!   beside the 6 B tier bound for the choice to matter otherwise.
//! - Free tier (a switch): 1 M requests and 400,000 GB-s per month, only for
//!   on-demand usage while NO provisioned concurrency is enabled; usage
//!   served while it is enabled (provisioned or spillover) gets none.
//! - Provisioned concurrency: configured GB-s (level × enabled time, each
//!   span rounded up to 5 minutes by the producer) at the configured rate,
//!   plus the duration it served at the provisioned-duration rate.
//! - Ephemeral storage above the included 512 MB is billed per GB-s of
//!   billed duration (on-demand and provisioned-served; not for configured
//!   idle time, our reading of the pricing page).
//! - INIT billing (a switch): since 1 Aug 2025 the INIT phase of on-demand
//!   invocations is billed as duration; before, it was not. Provisioned
//!   environments' INIT is never billed as duration.

use super::bill::{Bill, Charge, Ledger, Quantity, Rate, Words};
use super::catalog::{Catalog, LambdaPrices};
use super::events::charge_price;
use super::money::PicoUsd;
use super::usage::{EventSourceUsage, LambdaUsage};
use super::{events, Architecture};
use serde::{Deserialize, Serialize};

/// MB-ms in one GB-s: GB = MB / 1,024 and s = ms / 1,000.
pub(crate) const MB_MS_PER_GB_S: u128 = 1_024_000;

/// How to price Lambda usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LambdaBillOptions {
    /// Apply the monthly free tier (Lambda and SQS).
    pub free_tier: bool,
    /// Bill the INIT phase of on-demand invocations (the rule since
    /// 1 Aug 2025); `false` for the earlier rule.
    pub init_billed: bool,
}

impl Default for LambdaBillOptions {
    fn default() -> Self {
        LambdaBillOptions {
            free_tier: true,
            init_billed: true,
        }
    }
}

/// The itemized Lambda bill of one function's usage plus its event sources.
pub fn lambda_bill(
    u: &LambdaUsage,
    sources: &EventSourceUsage,
    catalog: &Catalog,
    opts: LambdaBillOptions,
) -> Bill {
    let mut bill = Bill::new("AWS Lambda");
    lambda_charges(u, sources, catalog, opts, &mut bill);
    bill
}

/// Puts the Lambda charges (see [`lambda_bill`]) into `ledger`: the same
/// amounts whether it keeps itemized lines or only sums.
pub fn lambda_charges(
    u: &LambdaUsage,
    sources: &EventSourceUsage,
    catalog: &Catalog,
    opts: LambdaBillOptions,
    ledger: &mut impl Ledger,
) {
    let p = &catalog.lambda;
    request_charges(u, p, opts, ledger);
    let (od_ms, spill_ms) = duration_charges(u, p, opts, ledger);
    provisioned_charges(u, p, ledger);
    ephemeral_charges(u, p, u128::from(od_ms) + u128::from(spill_ms), ledger);
    notes(u, p, opts, ledger);
    events::event_source_charges(sources, catalog, opts.free_tier, ledger);
}

/// Requests: the free tier, then the rest at the request price.
fn request_charges(
    u: &LambdaUsage,
    p: &LambdaPrices,
    opts: LambdaBillOptions,
    ledger: &mut impl Ledger,
) {
    // Requests.
    let total_requests = u128::from(u.on_demand.requests)
        + u128::from(u.on_demand_while_provisioned.requests)
        + u128::from(u.provisioned_requests);
    let free_requests = if opts.free_tier {
        u128::from(u.on_demand.requests.min(p.free_tier.requests))
    } else {
        0
    };
    ledger.charge(
        Charge::LambdaRequests,
        Quantity::ratio(free_requests, 1),
        PicoUsd::ZERO,
        1,
        || Words {
            item: "Lambda requests, free tier".into(),
            unit: "requests",
            rate: Rate::free("requests"),
        },
    );
    charge_price(
        ledger,
        Charge::LambdaRequests,
        "Lambda requests",
        Quantity::ratio(total_requests - free_requests, 1),
        "requests",
        &p.requests,
    );
}

/// On-demand duration: the free tier, then the tiers. Returns the billed
/// on-demand milliseconds (outside, and while, provisioned concurrency is
/// configured).
fn duration_charges(
    u: &LambdaUsage,
    p: &LambdaPrices,
    opts: LambdaBillOptions,
    ledger: &mut impl Ledger,
) -> (u64, u64) {
    let arch = u.architecture;
    let mem = u128::from(u.memory_mb);
    // On-demand duration: free tier, then the tiers.
    let od_ms = u.on_demand.billed_ms_for(opts.init_billed);
    let spill_ms = u
        .on_demand_while_provisioned
        .billed_ms_for(opts.init_billed);
    let od = mem * u128::from(od_ms);
    let spill = mem * u128::from(spill_ms);
    let free = if opts.free_tier {
        od.min(u128::from(p.free_tier.gb_seconds) * MB_MS_PER_GB_S)
    } else {
        0
    };
    ledger.charge(
        Charge::LambdaDuration,
        Quantity::ratio(free, MB_MS_PER_GB_S),
        PicoUsd::ZERO,
        1,
        || Words {
            item: format!("Lambda duration {arch}, free tier"),
            unit: "GB-s",
            rate: Rate::free("GB-s"),
        },
    );
    let billable = od + spill - free;
    let mut lower = 0u128;
    let mut lower_gb_s = 0u64;
    for tier in p.duration.get(arch) {
        let upper = tier
            .up_to_gb_s
            .map_or(u128::MAX, |g| u128::from(g) * MB_MS_PER_GB_S);
        let label = || match tier.up_to_gb_s {
            Some(g) if lower_gb_s == 0 => format!("first {}", billions(g)),
            Some(g) => format!("next {}", billions(g - lower_gb_s)),
            None => format!("over {}", billions(lower_gb_s)),
        };
        ledger.charge(
            Charge::LambdaDuration,
            Quantity::ratio(billable.min(upper).saturating_sub(lower), MB_MS_PER_GB_S),
            tier.price.usd,
            tier.price.per,
            || Words {
                item: format!("Lambda duration {arch}, {} GB-s", label()),
                unit: "GB-s",
                rate: (&tier.price).into(),
            },
        );
        lower = upper;
        lower_gb_s = tier.up_to_gb_s.unwrap_or(u64::MAX);
    }
    (od_ms, spill_ms)
}

/// Provisioned concurrency: configured, and the duration it served.
fn provisioned_charges(u: &LambdaUsage, p: &LambdaPrices, ledger: &mut impl Ledger) {
    let arch = u.architecture;
    let mem = u128::from(u.memory_mb);
    // Provisioned concurrency.
    let configured = p.provisioned_configured.get(arch);
    ledger.charge(
        Charge::Provisioned,
        Quantity::ratio(mem * u128::from(u.provisioned_env_seconds), 1_024),
        configured.usd,
        configured.per,
        || Words {
            item: format!("Provisioned concurrency {arch}, configured"),
            unit: "GB-s",
            rate: configured.into(),
        },
    );
    let served = p.provisioned_duration.get(arch);
    ledger.charge(
        Charge::Provisioned,
        Quantity::ratio(mem * u128::from(u.provisioned_billed_ms), MB_MS_PER_GB_S),
        served.usd,
        served.per,
        || Words {
            item: format!("Provisioned concurrency {arch}, duration"),
            unit: "GB-s",
            rate: served.into(),
        },
    );
}

/// Ephemeral storage above the included size, over all billed duration
/// (`on_demand_ms` is the on-demand part) [ms].
fn ephemeral_charges(
    u: &LambdaUsage,
    p: &LambdaPrices,
    on_demand_ms: u128,
    ledger: &mut impl Ledger,
) {
    // Ephemeral storage above the included size, over all billed duration.
    let extra_mb = u128::from(
        u.ephemeral_storage_mb
            .saturating_sub(p.included_ephemeral_storage_mb),
    );
    let all_ms = on_demand_ms + u128::from(u.provisioned_billed_ms);
    ledger.charge(
        Charge::Ephemeral,
        Quantity::ratio(extra_mb * all_ms, MB_MS_PER_GB_S),
        p.ephemeral_storage.usd,
        p.ephemeral_storage.per,
        || Words {
            item: format!(
                "Ephemeral storage above {} MB",
                p.included_ephemeral_storage_mb
            ),
            unit: "GB-s",
            rate: (&p.ephemeral_storage).into(),
        },
    );
}

/// The bill's notes: sizes, the INIT rule, the free tier, provisioned spans.
fn notes(u: &LambdaUsage, p: &LambdaPrices, opts: LambdaBillOptions, ledger: &mut impl Ledger) {
    let arch = u.architecture;
    ledger.note(|| format!(
        "Lambda: {arch}, {} MB memory, {} MB ephemeral storage; each invocation's duration rounded up to 1 ms, GB = MB / 1,024; timed-out invocations billed to the timeout.",
        super::money::group_thousands(&u.memory_mb.to_string()),
        super::money::group_thousands(&u.ephemeral_storage_mb.to_string()),
    ));
    ledger.note(|| {
        if opts.init_billed {
            "INIT phase of on-demand invocations billed as duration (rule since 1 Aug 2025)."
        } else {
            "INIT phase not billed (rule before 1 Aug 2025)."
        }
        .to_owned()
    });
    ledger.note(|| if opts.free_tier {
        format!(
            "Free tier: {} requests and {} GB-s per month, only for on-demand usage while no provisioned concurrency is enabled; duration tiers apply to the GB-s after it.",
            super::money::group_thousands(&p.free_tier.requests.to_string()),
            super::money::group_thousands(&p.free_tier.gb_seconds.to_string()),
        )
    } else {
        "Free tier off.".to_owned()
    });
    if u.provisioned_enabled() {
        ledger.note(|| "Provisioned concurrency: billed from enable to disable, each span rounded up to 5 minutes, used or not.".to_owned());
    }
}

/// 6,000,000,000 → "6B"; 11,250,000,000 → "11.25B".
fn billions(gb_s: u64) -> String {
    let whole = gb_s / 1_000_000_000;
    let frac = format!("{:09}", gb_s % 1_000_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{whole}B")
    } else {
        format!("{whole}.{frac}B")
    }
}

/// The architecture's tier bounds, for callers that explain the tiers.
pub fn tier_bounds(catalog: &Catalog, arch: Architecture) -> Vec<Option<u64>> {
    catalog
        .lambda
        .duration
        .get(arch)
        .iter()
        .map(|t| t.up_to_gb_s)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::money::Money;
    use crate::engine::billing::usage::InvocationTotals;
    use crate::engine::time::SimDuration;
    use proptest::prelude::*;

    const OFF: LambdaBillOptions = LambdaBillOptions {
        free_tier: false,
        init_billed: true,
    };
    const ON: LambdaBillOptions = LambdaBillOptions {
        free_tier: true,
        init_billed: true,
    };

    fn on_demand(arch: Architecture, mb: u32, requests: u64, ms_each: u64) -> LambdaUsage {
        let mut u = LambdaUsage::new(arch, mb, 512);
        u.on_demand = InvocationTotals {
            requests,
            billed_ms: requests * ms_each,
            billed_ms_with_init: requests * ms_each,
        };
        u
    }

    fn bill(u: &LambdaUsage, opts: LambdaBillOptions) -> Bill {
        let b = lambda_bill(u, &EventSourceUsage::default(), &Catalog::us_east_1(), opts);
        assert_eq!(b.total, b.sum_of_lines());
        b
    }

    fn line(b: &Bill, item: &str) -> (String, Money) {
        let l = b
            .lines
            .iter()
            .find(|l| l.item.contains(item))
            .unwrap_or_else(|| panic!("no line {item} in {:#?}", b.lines));
        (l.quantity.to_decimal_string(false), l.amount)
    }

    #[test]
    fn aws_pricing_page_example_512_mb_3m_one_second() {
        // AWS Lambda pricing page, classic "Example 1": 512 MB, 3 M
        // invocations of 1 s in a month. 1,500,000 GB-s − 400,000 free =
        // 1,100,000 GB-s; requests 3 M − 1 M free = 2 M × $0.20/M = $0.40.
        // AWS printed $18.34 + $0.40 = $18.74 with the then-rounded rate
        // $0.00001667; at today's $0.0000166667: 1,100,000 × 0.0000166667 =
        // $18.33337 → $18.33, total $18.73.
        let b = bill(&on_demand(Architecture::X86_64, 512, 3_000_000, 1_000), ON);
        assert_eq!(
            line(&b, "duration x86_64, free"),
            ("400000".into(), Money::ZERO)
        );
        assert_eq!(
            line(&b, "first 6B"),
            ("1100000".into(), Money::from_micros(18_333_370))
        );
        assert_eq!(line(&b, "requests, free"), ("1000000".into(), Money::ZERO));
        assert_eq!(b.lines[1].item, "Lambda requests");
        assert_eq!(b.lines[1].amount, Money::from_micros(400_000));
        assert_eq!(b.total, Money::from_micros(18_733_370));
        assert_eq!(b.total.to_string(), "$18.73");
    }

    #[test]
    fn example_3m_requests_120_ms_1536_mb() {
        // The brief's example (the shape of the pricing page's mobile-backend
        // example): 3 M × 120 ms × 1.5 GB = 540,000 GB-s.
        let u = on_demand(Architecture::X86_64, 1_536, 3_000_000, 120);
        // With the free tier: 140,000 × $0.0000166667 = $2.333338; requests
        // 2 M × $0.20/M = $0.40; total $2.733338 → $2.73.
        let b = bill(&u, ON);
        assert_eq!(line(&b, "first 6B").0, "140000");
        assert_eq!(b.total, Money::from_micros(2_733_338));
        // Without it: 540,000 × $0.0000166667 = $9.000018 + $0.60 = $9.60.
        let b = bill(&u, OFF);
        assert_eq!(b.total, Money::from_micros(9_600_018));
        assert_eq!(b.total.to_string(), "$9.60");
        // Arm, no free tier: 540,000 × $0.0000133334 = $7.200036 + $0.60 =
        // $7.80.
        let arm = LambdaUsage {
            architecture: Architecture::Arm64,
            ..u
        };
        assert_eq!(bill(&arm, OFF).total, Money::from_micros(7_800_036));
    }

    #[test]
    fn aws_provisioned_concurrency_example() {
        // AWS Lambda pricing page, Provisioned Concurrency example 1: 1,024 MB,
        // concurrency 1,000 enabled for 2 hours, 1.2 M invocations of 1 s in
        // those hours, all served by provisioned environments.
        // Configured: 1,000 × 7,200 s × 1 GB = 7,200,000 GB-s × $0.0000041667
        // = $30.00024. Duration: 1,200,000 GB-s × $0.0000097222 = $11.66664.
        // Requests: 1.2 M × $0.20/M = $0.24. Total $41.90688 → $41.91, and
        // no free tier even with the switch on.
        let mut u = LambdaUsage::new(Architecture::X86_64, 1_024, 512);
        u.record_provisioned_span(1_000, SimDuration::from_hours(2));
        u.provisioned_requests = 1_200_000;
        u.provisioned_billed_ms = 1_200_000 * 1_000;
        let b = bill(&u, ON);
        assert_eq!(
            line(&b, "configured"),
            ("7200000".into(), Money::from_micros(30_000_240))
        );
        assert_eq!(
            line(&b, "concurrency x86_64, duration"),
            ("1200000".into(), Money::from_micros(11_666_640))
        );
        assert_eq!(
            line(&b, "Lambda requests"),
            ("1200000".into(), Money::from_micros(240_000))
        );
        assert!(!b.lines.iter().any(|l| l.item.contains("free tier")));
        assert_eq!(b.total, Money::from_micros(41_906_880));
        assert_eq!(b.total.to_string(), "$41.91");
    }

    #[test]
    fn provisioned_spans_round_to_five_minutes_and_spillover_gets_no_free_tier() {
        // 2,048 MB, level 10 for 61 minutes → 65 minutes billed: 10 × 3,900 s
        // × 2 GB = 78,000 GB-s × $0.0000041667 = $0.3250026 → 325,003 µ$.
        let mut u = LambdaUsage::new(Architecture::X86_64, 2_048, 512);
        u.record_provisioned_span(10, SimDuration::from_mins(61));
        assert_eq!(u.provisioned_env_seconds, 39_000);
        // Spillover while enabled: 500 k requests of 100 ms; outside the
        // window 200 k requests of 100 ms.
        u.on_demand_while_provisioned = InvocationTotals {
            requests: 500_000,
            billed_ms: 50_000_000,
            billed_ms_with_init: 50_000_000,
        };
        u.on_demand = InvocationTotals {
            requests: 200_000,
            billed_ms: 20_000_000,
            billed_ms_with_init: 20_000_000,
        };
        let b = bill(&u, ON);
        assert_eq!(
            line(&b, "configured"),
            ("78000".into(), Money::from_micros(325_003))
        );
        // Only the 200 k requests outside the window are free; the 500 k
        // spillover requests are billed: 500,000 × $0.20/M = $0.10.
        assert_eq!(line(&b, "requests, free").0, "200000");
        assert_eq!(b.lines[1].item, "Lambda requests");
        assert_eq!(b.lines[1].quantity.to_decimal_string(false), "500000");
        assert_eq!(b.lines[1].amount, Money::from_micros(100_000));
        // 40,000 GB-s outside the window are free; the 100,000 GB-s of
        // spillover are billed: × $0.0000166667 = $1.66667.
        assert_eq!(line(&b, "duration x86_64, free").0, "40000");
        assert_eq!(
            line(&b, "first 6B"),
            ("100000".into(), Money::from_micros(1_666_670))
        );
    }

    #[test]
    fn free_tier_boundary() {
        // Exactly 1 M requests of 400 ms at 1,024 MB = 400,000 GB-s: free.
        let at = on_demand(Architecture::X86_64, 1_024, 1_000_000, 400);
        assert_eq!(bill(&at, ON).total, Money::ZERO);
        // Five requests and one GB-s more: 5 × $0.0000002 = 1 µ$ and 1 GB-s
        // × $0.0000166667 = 16.6667 µ$ → 17 µ$.
        let mut over = at;
        over.on_demand.requests += 5;
        over.on_demand.billed_ms += 1_000;
        over.on_demand.billed_ms_with_init += 1_000;
        let b = bill(&over, ON);
        assert_eq!(line(&b, "first 6B"), ("1".into(), Money::from_micros(17)));
        assert_eq!(b.total, Money::from_micros(18));
        // Switched off, everything is billed: $0.20 + 400,000 × $0.0000166667.
        assert_eq!(
            bill(&at, OFF).total,
            Money::from_micros(200_000 + 6_666_680)
        );
    }

    #[test]
    fn x86_tier_boundaries() {
        // 6 B GB-s exactly (1,024 MB, 6e12 ms): all in tier 1,
        // 6e9 × $0.0000166667 = $100,000.20.
        let mut u = on_demand(Architecture::X86_64, 1_024, 0, 0);
        u.on_demand.billed_ms = 6_000_000_000_000;
        let b = bill(&u, OFF);
        assert_eq!(b.lines.len(), 1);
        assert_eq!(b.total, Money::from_micros(100_000_200_000));
        // One GB-s more goes to tier 2 at $0.000015 = 15 µ$.
        u.on_demand.billed_ms += 1_000;
        let b = bill(&u, OFF);
        assert_eq!(line(&b, "next 9B"), ("1".into(), Money::from_micros(15)));
        // 15 B + 1 GB-s: tier 2 full (9e9 × $0.000015 = $135,000), 1 GB-s in
        // tier 3 at $0.0000133334 = 13.3334 µ$ → 13 µ$.
        u.on_demand.billed_ms = 15_000_000_001_000;
        let b = bill(&u, OFF);
        assert_eq!(
            line(&b, "next 9B"),
            ("9000000000".into(), Money::from_micros(135_000_000_000))
        );
        assert_eq!(line(&b, "over 15B"), ("1".into(), Money::from_micros(13)));
        assert_eq!(b.total, Money::from_micros(235_000_200_013));
    }

    #[test]
    fn arm_tier_boundaries() {
        // 7.5 B × $0.0000133334 = $100,000.50; 11.25 B × $0.0000120001 =
        // $135,001.125; 1 GB-s over 18.75 B × $0.0000106667 → 11 µ$.
        let mut u = on_demand(Architecture::Arm64, 1_024, 0, 0);
        u.on_demand.billed_ms = 7_500_000_000_000;
        let b = bill(&u, OFF);
        assert_eq!(b.lines.len(), 1);
        assert_eq!(b.total, Money::from_micros(100_000_500_000));
        u.on_demand.billed_ms = 18_750_000_001_000;
        let b = bill(&u, OFF);
        assert_eq!(
            line(&b, "next 11.25B"),
            ("11250000000".into(), Money::from_micros(135_001_125_000))
        );
        assert_eq!(
            line(&b, "over 18.75B"),
            ("1".into(), Money::from_micros(11))
        );
        assert_eq!(b.total, Money::from_micros(235_001_625_011));
    }

    #[test]
    fn one_millisecond_rounding_per_invocation() {
        // 1,000 invocations of 0.1 ms at 1,024 MB bill 1,000 ms = 1 GB-s,
        // not 0.1 GB-s.
        let mut u = LambdaUsage::new(Architecture::X86_64, 1_024, 512);
        for _ in 0..1_000 {
            u.on_demand
                .record(1, SimDuration::from_micros(100), SimDuration::ZERO);
        }
        let b = bill(&u, OFF);
        assert_eq!(line(&b, "first 6B"), ("1".into(), Money::from_micros(17)));
        // And a timed-out invocation is recorded at its timeout: 3 s.
        let mut t = LambdaUsage::new(Architecture::X86_64, 1_024, 512);
        t.on_demand
            .record(1, SimDuration::from_secs(3), SimDuration::ZERO);
        assert_eq!(line(&bill(&t, OFF), "first 6B").0, "3");
    }

    #[test]
    fn ephemeral_storage_above_512_mb() {
        // 10,240 MB storage, 1,000 s billed: 9,728 MB = 9.5 GB × 1,000 s =
        // 9,500 GB-s × $0.0000000309 = 293.55 µ$ → 294 µ$.
        let mut u = on_demand(Architecture::X86_64, 1_024, 1, 1_000_000);
        u.ephemeral_storage_mb = 10_240;
        let b = bill(&u, OFF);
        assert_eq!(
            line(&b, "Ephemeral"),
            ("9500".into(), Money::from_micros(294))
        );
        // At 512 MB there is no storage line.
        u.ephemeral_storage_mb = 512;
        assert!(!bill(&u, OFF)
            .lines
            .iter()
            .any(|l| l.item.contains("Ephemeral")));
    }

    #[test]
    fn init_billing_on_and_off() {
        // 1,024 MB; 100 s of invoke time, 150 s with INIT.
        let mut u = LambdaUsage::new(Architecture::X86_64, 1_024, 512);
        u.on_demand = InvocationTotals {
            requests: 0,
            billed_ms: 100_000,
            billed_ms_with_init: 150_000,
        };
        // On (since 1 Aug 2025): 150 GB-s × $0.0000166667 = 2,500.005 µ$.
        assert_eq!(bill(&u, OFF).total, Money::from_micros(2_500));
        // Off (earlier rule): 100 GB-s → 1,666.67 µ$ → 1,667 µ$.
        let before = LambdaBillOptions {
            init_billed: false,
            ..OFF
        };
        assert_eq!(bill(&u, before).total, Money::from_micros(1_667));
    }

    #[test]
    fn billions_labels() {
        assert_eq!(billions(6_000_000_000), "6B");
        assert_eq!(billions(11_250_000_000), "11.25B");
        assert_eq!(
            tier_bounds(&Catalog::us_east_1(), Architecture::Arm64)[0],
            Some(7_500_000_000)
        );
    }

    fn arb_totals() -> impl Strategy<Value = InvocationTotals> {
        (
            0u64..5_000_000_000,
            0u64..20_000_000_000_000,
            0u64..1_000_000_000_000,
        )
            .prop_map(|(requests, billed_ms, init)| InvocationTotals {
                requests,
                billed_ms,
                billed_ms_with_init: billed_ms + init,
            })
    }

    fn arb_usage() -> impl Strategy<Value = LambdaUsage> {
        (
            prop_oneof![Just(Architecture::X86_64), Just(Architecture::Arm64)],
            128u32..=10_240,
            512u32..=10_240,
            arb_totals(),
            arb_totals(),
            (
                0u64..1_000_000_000,
                0u64..1_000_000_000_000,
                0u64..100_000_000,
            ),
        )
            .prop_map(
                |(arch, mem, eph, od, spill, (preq, pms, env))| LambdaUsage {
                    architecture: arch,
                    memory_mb: mem,
                    ephemeral_storage_mb: eph,
                    on_demand: od,
                    on_demand_while_provisioned: spill,
                    provisioned_requests: preq,
                    provisioned_billed_ms: pms,
                    provisioned_env_seconds: env,
                    open_provisioned_rounding_seconds: 0,
                },
            )
    }

    fn arb_opts() -> impl Strategy<Value = LambdaBillOptions> {
        (any::<bool>(), any::<bool>()).prop_map(|(free_tier, init_billed)| LambdaBillOptions {
            free_tier,
            init_billed,
        })
    }

    proptest! {
        #[test]
        fn lines_sum_to_the_total_exactly(u in arb_usage(), opts in arb_opts()) {
            let b = lambda_bill(&u, &EventSourceUsage::default(), &Catalog::us_east_1(), opts);
            prop_assert_eq!(b.total, b.sum_of_lines());
            prop_assert!(b.total >= Money::ZERO);
        }

        #[test]
        fn cost_never_decreases_as_usage_grows(
            u in arb_usage(),
            extra in arb_usage(),
            opts in arb_opts(),
        ) {
            let catalog = Catalog::us_east_1();
            let none = EventSourceUsage::default();
            let before = lambda_bill(&u, &none, &catalog, opts).total;
            // Grow every counter by the second usage's counters, one group
            // at a time and all together.
            let grown = [
                LambdaUsage { on_demand: add(u.on_demand, extra.on_demand), ..u },
                LambdaUsage {
                    on_demand_while_provisioned: add(
                        u.on_demand_while_provisioned,
                        extra.on_demand_while_provisioned,
                    ),
                    ..u
                },
                LambdaUsage {
                    provisioned_requests: u.provisioned_requests + extra.provisioned_requests,
                    provisioned_billed_ms: u.provisioned_billed_ms + extra.provisioned_billed_ms,
                    provisioned_env_seconds: u.provisioned_env_seconds
                        + extra.provisioned_env_seconds,
                    ..u
                },
                {
                    let mut all = u;
                    let extra = LambdaUsage { ..extra.with_config_of(&u) };
                    all.merge(&extra).unwrap();
                    all
                },
            ];
            for g in grown {
                let after = lambda_bill(&g, &none, &catalog, opts).total;
                prop_assert!(after >= before, "{:?} < {:?}", after, before);
            }
        }
    }

    fn add(a: InvocationTotals, b: InvocationTotals) -> InvocationTotals {
        let mut t = a;
        t.merge(&b);
        t
    }

    impl LambdaUsage {
        fn with_config_of(&self, other: &LambdaUsage) -> LambdaUsage {
            LambdaUsage {
                architecture: other.architecture,
                memory_mb: other.memory_mb,
                ephemeral_storage_mb: other.ephemeral_storage_mb,
                ..*self
            }
        }
    }
}
