//! `fanout bill`'s usage file: monthly usage totals in, one bill per side
//! out (a [`Statement`]). The input is friendly on purpose (averages,
//! shares, hours); it is turned into the engine's integer [`LambdaUsage`] /
//! [`Ec2Usage`] and priced by the same bills the simulator uses. Every
//! problem in the input is listed with its field path, its value and the
//! allowed range, through the scenario's [`Problems`].
//!
//! ```
//! use fanout::engine::scenario::usage::price;
//! let text = r#"{ "lambda": { "requests": 3000000, "average_duration_ms": 120, "memory_mb": 1536 } }"#;
//! let statement = price(text).unwrap();
//! assert_eq!(statement.bills.len(), 1);
//! let errs = price(r#"{ "lambda": { "requests": -1, "average_duration_ms": 1, "memory_mb": 128 } }"#)
//!     .unwrap_err();
//! assert!(errs[0].to_string().starts_with("lambda.requests: -1 is not allowed"));
//! ```

use super::problems::{Problems, ScenarioError};
use crate::engine::billing::group_thousands;
use crate::engine::billing::pricing::InitBilling;
use crate::engine::billing::usage::{async_request_units, sqs_request_units, MONTH_SECONDS};
use crate::engine::billing::{
    ec2_bill, lambda_bill, AlbHour, AlbUsage, Architecture, Bill, Catalog, Ec2BillOptions,
    Ec2Usage, EventSourceUsage, InstanceUsage, InvocationTotals, LambdaBillOptions, LambdaUsage,
    PriceOverrides, Region, Statement,
};
use crate::engine::time::SimDuration;
use serde::Deserialize;

/// Hours in the 30-day month the calculator prices [h].
const MONTH_HOURS: f64 = (MONTH_SECONDS / 3_600) as f64;
/// Upper bound for request counts: 10 trillion a month [requests].
const MAX_REQUESTS: f64 = 1e13;

/// The whole input file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageFile {
    /// AWS Region of the price table (default us-east-1).
    #[serde(default)]
    region: Region,
    /// "What if" prices on top of the catalog.
    #[serde(default)]
    prices: PriceOverrides,
    lambda: Option<LambdaInput>,
    ec2: Option<Ec2Input>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LambdaInput {
    /// Invocations in the month [invocations].
    requests: f64,
    /// Average invoke duration [ms]; each invocation is taken to last it,
    /// rounded up to 1 ms.
    average_duration_ms: f64,
    /// [MB]
    memory_mb: f64,
    #[serde(default)]
    architecture: Architecture,
    /// [MB], default 512.
    ephemeral_storage_mb: Option<f64>,
    /// Default true.
    free_tier: Option<bool>,
    /// Default since_aug_2025.
    #[serde(default)]
    init_billing: InitBilling,
    /// Average INIT phase of a cold start [ms], default 0.
    average_init_ms: Option<f64>,
    /// Share of invocations that are cold starts [0–1], default 0.
    cold_start_share: Option<f64>,
    /// Asynchronous payload size [KB]; more than 256 KB bills extra requests.
    async_payload_kb: Option<f64>,
    provisioned_concurrency: Option<ProvisionedInput>,
    #[serde(default)]
    event_sources: EventSourcesInput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisionedInput {
    /// Provisioned environments [environments].
    level: f64,
    /// Hours enabled in the month, one span [h].
    hours: f64,
    /// Share of the requests arriving while enabled that provisioned
    /// environments serve; the rest spill over on demand [0–1], default 1.
    /// Give this or `requests`.
    served_share: Option<f64>,
    /// Invocations served by provisioned environments in the month (the
    /// AWS pricing calculator's shape) [invocations]: the top-level
    /// `requests` are then the on-demand invocations, all priced as
    /// on-demand usage outside the window. Give this or `served_share`.
    requests: Option<f64>,
    /// Average invoke duration of the invocations provisioned environments
    /// serve [ms], default the top-level `average_duration_ms`.
    average_duration_ms: Option<f64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSourcesInput {
    api_gateway: Option<ApiGatewayInput>,
    s3: Option<S3Input>,
    sqs: Option<SqsInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiGatewayInput {
    kind: ApiKind,
    /// [requests]
    requests: f64,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ApiKind {
    Http,
    Rest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct S3Input {
    /// [requests], default 0.
    put_requests: Option<f64>,
    /// [requests], default 0.
    get_requests: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SqsInput {
    #[serde(default)]
    kind: QueueKind,
    /// SQS API requests (send, receive, delete) [requests].
    requests: f64,
    /// Payload per request [KB]; every 64 KB chunk is one request. Default
    /// 64 (one chunk).
    payload_kb: Option<f64>,
}

#[derive(Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum QueueKind {
    #[default]
    Standard,
    Fifo,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ec2Input {
    instance_type: String,
    /// Instances running all month; give this or `instance_hours`.
    count: Option<f64>,
    /// Instance-hours in the month [h]; give this or `count`.
    instance_hours: Option<f64>,
    /// Savings Plan / Spot discount, an assumption [%], default 0.
    discount_percent: Option<f64>,
    /// EBS gp3 volume per instance [GB], default none.
    ebs_gb_per_instance: Option<f64>,
    alb: Option<AlbInput>,
    /// Public IPv4 address-hours [IP-hours], default 0: one per ALB zone all
    /// month (2 × 720 h = 1,440), one per instance with a public IP.
    public_ipv4_hours: Option<f64>,
    /// T3 Unlimited surplus CPU credits [vCPU-hours], default 0 (2 ×
    /// t3.micro at 60 % for 720 h: 2 × (60 − 10) % × 2 vCPU × 720 h = 1,440).
    surplus_vcpu_hours: Option<f64>,
    /// SQS free tier, default true.
    free_tier: Option<bool>,
    #[serde(default)]
    event_sources: EventSourcesInput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlbInput {
    /// Hours the load balancer exists in the month [h], default 720.
    hours: Option<f64>,
    /// Targets are Lambda functions (0.4 GB/h per LCU) not EC2 (1 GB/h).
    #[serde(default)]
    lambda_targets: bool,
    /// Average [new connections per second].
    #[serde(default)]
    new_connections_per_second: f64,
    /// Average [active connections per minute].
    #[serde(default)]
    active_connections_per_minute: f64,
    /// Average [GB processed per hour].
    #[serde(default)]
    processed_gb_per_hour: f64,
    /// Average [rule evaluations per second].
    #[serde(default)]
    rule_evaluations_per_second: f64,
}

/// `value × share`, rounded to the nearest whole number.
fn share_of(value: u64, share: f64) -> u64 {
    (value as f64 * share).round() as u64
}

/// A whole number of requests, from 0 to [`MAX_REQUESTS`].
fn requests(p: &mut Problems, path: &str, v: f64) -> u64 {
    p.whole(path, v, 0.0, MAX_REQUESTS, "requests")
}

/// A share, from 0 to 1.
fn share(p: &mut Problems, path: &str, v: f64) -> f64 {
    p.number(path, v, 0.0, 1.0, false, "(a share)")
}

fn event_sources(p: &mut Problems, path: &str, e: &EventSourcesInput) -> EventSourceUsage {
    let mut u = EventSourceUsage::default();
    if let Some(api) = &e.api_gateway {
        let n = requests(p, &format!("{path}.api_gateway.requests"), api.requests);
        match api.kind {
            ApiKind::Http => u.api_http_requests = n,
            ApiKind::Rest => u.api_rest_requests = n,
        }
    }
    if let Some(s3) = &e.s3 {
        u.s3_put_requests = requests(
            p,
            &format!("{path}.s3.put_requests"),
            s3.put_requests.unwrap_or(0.0),
        );
        u.s3_get_requests = requests(
            p,
            &format!("{path}.s3.get_requests"),
            s3.get_requests.unwrap_or(0.0),
        );
    }
    if let Some(sqs) = &e.sqs {
        let n = requests(p, &format!("{path}.sqs.requests"), sqs.requests);
        let kb = p.number(
            &format!("{path}.sqs.payload_kb"),
            sqs.payload_kb.unwrap_or(64.0),
            0.0,
            1_024.0,
            false,
            "KB",
        );
        let chunks = sqs_request_units((kb * 1_024.0).ceil() as u64);
        let billed = n.saturating_mul(chunks);
        match sqs.kind {
            QueueKind::Standard => u.sqs_standard_requests = billed,
            QueueKind::Fifo => u.sqs_fifo_requests = billed,
        }
    }
    u
}

/// The Lambda section's numbers, checked.
struct LambdaSizes {
    requests: u64,
    average_ms: f64,
    memory_mb: u32,
    ephemeral_mb: u32,
    init_ms: f64,
    cold_share: f64,
    /// Requests each invocation bills (large async payloads bill more).
    units: u64,
}

fn lambda_sizes(p: &mut Problems, l: &LambdaInput) -> LambdaSizes {
    let requests = p.whole(
        "lambda.requests",
        l.requests,
        0.0,
        MAX_REQUESTS,
        "invocations",
    );
    let average_ms = p.number(
        "lambda.average_duration_ms",
        l.average_duration_ms,
        0.0,
        900_000.0,
        true,
        "ms (the 15-minute timeout)",
    );
    let memory_mb = p.whole("lambda.memory_mb", l.memory_mb, 128.0, 10_240.0, "MB") as u32;
    let ephemeral_mb = p.whole(
        "lambda.ephemeral_storage_mb",
        l.ephemeral_storage_mb.unwrap_or(512.0),
        512.0,
        10_240.0,
        "MB",
    ) as u32;
    let init_ms = p.number(
        "lambda.average_init_ms",
        l.average_init_ms.unwrap_or(0.0),
        0.0,
        10_000.0,
        false,
        "ms (the 10 s INIT limit)",
    );
    let cold_share = share(
        p,
        "lambda.cold_start_share",
        l.cold_start_share.unwrap_or(0.0),
    );
    let units = match l.async_payload_kb {
        Some(kb) => {
            let kb = p.number(
                "lambda.async_payload_kb",
                kb,
                0.0,
                1_024.0,
                false,
                "KB (the 1 MB async limit)",
            );
            async_request_units((kb * 1_024.0).ceil() as u64)
        }
        None => 1,
    };
    LambdaSizes {
        requests,
        average_ms,
        memory_mb,
        ephemeral_mb,
        init_ms,
        cold_share,
        units,
    }
}

impl LambdaSizes {
    /// Every invocation lasts the average, rounded up to 1 ms; a cold one
    /// adds its INIT before the rounding.
    fn totals(&self, count: u64) -> InvocationTotals {
        let warm_ms = self.average_ms.ceil() as u64;
        let cold_ms = (self.average_ms + self.init_ms).ceil() as u64;
        let colds = share_of(count, self.cold_share);
        let billed_ms = count.saturating_mul(warm_ms);
        InvocationTotals {
            requests: count.saturating_mul(self.units),
            billed_ms,
            billed_ms_with_init: billed_ms
                .saturating_add(colds.saturating_mul(cold_ms.saturating_sub(warm_ms))),
        }
    }
}

/// Provisioned concurrency: records its span and the requests it serves
/// in `u`; returns the top-level requests that arrive while it is enabled
/// (none in the calculator's shape, where they are all on-demand).
fn provisioned(
    p: &mut Problems,
    pc: &ProvisionedInput,
    sizes: &LambdaSizes,
    u: &mut LambdaUsage,
) -> u64 {
    const PATH: &str = "lambda.provisioned_concurrency";
    let problems_before = p.len();
    let level = p.whole(
        &format!("{PATH}.level"),
        pc.level,
        1.0,
        100_000.0,
        "environments",
    );
    let hours = p.number(
        &format!("{PATH}.hours"),
        pc.hours,
        0.0,
        MONTH_HOURS,
        false,
        "hours (a 30-day month)",
    );
    let served_ms = match pc.average_duration_ms {
        Some(ms) => p.number(
            &format!("{PATH}.average_duration_ms"),
            ms,
            0.0,
            900_000.0,
            true,
            "ms (the 15-minute timeout)",
        ),
        None => sizes.average_ms,
    };
    // One enable-to-disable span, rounded up to 5 minutes by the rule.
    u.record_provisioned_span(level as u32, SimDuration::from_secs_f64(hours * 3_600.0));
    // (top-level requests in the window, requests served, spillover)
    let (in_window, served_n, spill) = match (pc.requests, pc.served_share) {
        (Some(_), Some(_)) => {
            p.push_message(
                PATH,
                "give at most one of `requests` (invocations served by provisioned environments, the AWS calculator's shape) and `served_share` (a share of the requests arriving while enabled)",
            );
            (0, 0, 0)
        }
        (Some(n), None) => {
            let path = format!("{PATH}.requests");
            let n = p.whole(&path, n, 0.0, MAX_REQUESTS, "invocations");
            // What the environments can serve in the span: level × enabled
            // time ÷ duration (checked only when those are valid).
            let capacity = (level as f64 * hours * 3_600_000.0 / served_ms).floor();
            if p.len() == problems_before && n as f64 > capacity {
                p.not_allowed(
                    &path,
                    n,
                    &format!(
                        "allowed: at most {} invocations (level × hours ÷ average duration: what the provisioned environments can serve)",
                        group_thousands(&(capacity as u64).to_string())
                    ),
                );
            }
            (0, n, 0)
        }
        (None, share_in) => {
            let served = share(p, &format!("{PATH}.served_share"), share_in.unwrap_or(1.0));
            // Requests spread evenly over the month: those arriving while
            // provisioned concurrency is enabled are served by it or spill
            // over.
            let in_window = share_of(sizes.requests, hours / MONTH_HOURS);
            let served_n = share_of(in_window, served);
            (in_window, served_n, in_window - served_n)
        }
    };
    u.provisioned_requests = served_n.saturating_mul(sizes.units);
    // Provisioned environments are initialized ahead: no INIT billed.
    u.provisioned_billed_ms = served_n.saturating_mul(served_ms.ceil() as u64);
    u.on_demand_while_provisioned = sizes.totals(spill);
    in_window
}

fn lambda_side(p: &mut Problems, l: &LambdaInput, catalog: &Catalog) -> Bill {
    let sizes = lambda_sizes(p, l);
    let mut u = LambdaUsage::new(l.architecture, sizes.memory_mb, sizes.ephemeral_mb);
    let in_window = match &l.provisioned_concurrency {
        Some(pc) => provisioned(p, pc, &sizes, &mut u),
        None => 0,
    };
    u.on_demand = sizes.totals(sizes.requests - in_window);
    let sources = event_sources(p, "lambda.event_sources", &l.event_sources);
    let opts = LambdaBillOptions {
        free_tier: l.free_tier.unwrap_or(true),
        init_billed: l.init_billing == InitBilling::SinceAug2025,
    };
    lambda_bill(&u, &sources, catalog, opts)
}

/// Launches and billable seconds of the instances.
fn instance_time(p: &mut Problems, e: &Ec2Input) -> (u64, u64) {
    match (e.count, e.instance_hours) {
        (Some(c), None) => {
            let c = p.whole("ec2.count", c, 0.0, 100_000.0, "instances");
            (c, c.saturating_mul(MONTH_SECONDS))
        }
        (None, Some(h)) => {
            let h = p.number("ec2.instance_hours", h, 0.0, 1e8, false, "instance-hours");
            // No launches known: the 60 s minimum cannot apply here.
            (0, (h * 3_600.0).ceil() as u64)
        }
        _ => {
            p.push_message(
                "ec2",
                "give exactly one of `count` (instances running all month) and `instance_hours`",
            );
            (0, 0)
        }
    }
}

/// The discount in basis points (at most 2 decimal places of a percent).
fn discount_basis_points(p: &mut Problems, e: &Ec2Input) -> u32 {
    let discount = p.number(
        "ec2.discount_percent",
        e.discount_percent.unwrap_or(0.0),
        0.0,
        100.0,
        false,
        "%",
    );
    let bp = (discount * 100.0).round();
    if (discount * 100.0 - bp).abs() > 1e-6 {
        p.not_allowed(
            "ec2.discount_percent",
            discount,
            "allowed: at most 2 decimal places",
        );
    }
    bp as u32
}

fn alb_usage(p: &mut Problems, a: &AlbInput) -> AlbUsage {
    let hours = p.whole(
        "ec2.alb.hours",
        a.hours.unwrap_or(MONTH_HOURS),
        1.0,
        MONTH_HOURS,
        "hours",
    );
    let mut rate =
        |name: &str, v: f64| p.number(&format!("ec2.alb.{name}"), v, 0.0, 1e9, false, "");
    let nc = rate("new_connections_per_second", a.new_connections_per_second);
    let ac = rate(
        "active_connections_per_minute",
        a.active_connections_per_minute,
    );
    let gb = rate("processed_gb_per_hour", a.processed_gb_per_hour);
    let re = rate("rule_evaluations_per_second", a.rule_evaluations_per_second);
    AlbUsage {
        lambda_targets: a.lambda_targets,
        hours: vec![AlbHour {
            hours,
            new_connections: (nc * 3_600.0).round() as u64,
            active_connection_minutes: (ac * 60.0).round() as u64,
            processed_bytes: (gb * 1e9).round() as u64,
            rule_evaluations: (re * 3_600.0).round() as u64,
        }],
    }
}

fn ec2_side(p: &mut Problems, e: &Ec2Input, catalog: &Catalog) -> Option<Bill> {
    let known = catalog.ec2.instance(&e.instance_type).is_some();
    if !known {
        p.not_allowed(
            "ec2.instance_type",
            format!("\"{}\"", e.instance_type),
            &format!("allowed: one of {}", catalog.ec2.names().join(", ")),
        );
    }
    let (launches, seconds) = instance_time(p, e);
    let discount_basis_points = discount_basis_points(p, e);
    let ebs = p.number(
        "ec2.ebs_gb_per_instance",
        e.ebs_gb_per_instance.unwrap_or(0.0),
        0.0,
        16_384.0,
        false,
        "GB",
    );
    let mut u = Ec2Usage::default();
    if known {
        u.instances.insert(
            e.instance_type.clone(),
            InstanceUsage {
                launches,
                billable_seconds: seconds,
                ..InstanceUsage::default()
            },
        );
    }
    u.ebs_gb_seconds = (ebs * seconds as f64).round() as u64;
    u.alb = e.alb.as_ref().map(|a| alb_usage(p, a));
    for (field, value, unit, seconds) in [
        (
            "ec2.public_ipv4_hours",
            e.public_ipv4_hours,
            "IP-hours",
            &mut u.public_ipv4_seconds,
        ),
        (
            "ec2.surplus_vcpu_hours",
            e.surplus_vcpu_hours,
            "vCPU-hours",
            &mut u.surplus_vcpu_seconds,
        ),
    ] {
        let hours = p.number(field, value.unwrap_or(0.0), 0.0, 1e8, false, unit);
        *seconds = (hours * 3_600.0).round() as u64;
    }
    let sources = event_sources(p, "ec2.event_sources", &e.event_sources);
    let opts = Ec2BillOptions {
        discount_basis_points,
        free_tier: e.free_tier.unwrap_or(true),
    };
    // The only error is an unknown instance type, already listed above.
    ec2_bill(&u, &sources, catalog, opts).ok()
}

/// Parses and prices a usage file, or lists every problem (the entry point
/// of `fanout bill` and of the fuzz target `fuzz/fuzz_targets/usage.rs`).
pub fn price(text: &str) -> Result<Statement, Vec<ScenarioError>> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let input: UsageFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let mut p = Problems::new();
        p.push_message(if path == "." { "" } else { &path }, e.inner().to_string());
        p.into_vec()
    })?;
    let catalog = Catalog::for_region(input.region)
        .with_overrides(&input.prices)
        .map_err(|errs| {
            let mut p = Problems::new();
            for e in errs {
                p.push_message("", e.to_string());
            }
            p.into_vec()
        })?;
    let mut p = Problems::new();
    if input.lambda.is_none() && input.ec2.is_none() {
        p.push_message("", "give a `lambda` section, an `ec2` section, or both");
    }
    let mut bills = Vec::new();
    if let Some(l) = &input.lambda {
        bills.push(lambda_side(&mut p, l, &catalog));
    }
    if let Some(e) = &input.ec2 {
        if let Some(b) = ec2_side(&mut p, e, &catalog) {
            bills.push(b);
        }
    }
    p.into_result()?;
    Ok(Statement {
        region: input.region,
        bills,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed_with_its_path_value_and_range() {
        let text = r#"{
            "lambda": { "requests": -1, "average_duration_ms": 0, "memory_mb": 100,
                        "cold_start_share": 2,
                        "provisioned_concurrency": { "level": 0.5, "hours": 800 } },
            "ec2": { "instance_type": "z9.huge", "count": 2, "instance_hours": 3,
                     "discount_percent": 12.345 }
        }"#;
        let problems = price(text).err().unwrap();
        let all = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "lambda.requests: -1",
            "lambda.average_duration_ms: 0",
            "lambda.memory_mb: 100 is not allowed; allowed: a whole number from 128 to 10,240 MB",
            "lambda.cold_start_share: 2",
            "lambda.provisioned_concurrency.level: 0.5",
            "lambda.provisioned_concurrency.hours: 800",
            "ec2.instance_type: \"z9.huge\"",
            "ec2: give exactly one",
            "ec2.discount_percent: 12.345",
        ] {
            assert!(all.contains(needle), "missing {needle} in\n{all}");
        }
    }

    #[test]
    fn unknown_fields_and_types_name_the_path() {
        let e = price(r#"{ "lambda": { "requests": 1, "average_duration_ms": 1, "memory_mb": 128, "memmory": 1 } }"#)
            .err()
            .unwrap();
        assert!(e[0].to_string().starts_with("lambda.memmory"), "{e:?}");
        let e = price(r#"{ "lambda": { "requests": "many" } }"#)
            .err()
            .unwrap();
        assert!(e[0].to_string().starts_with("lambda.requests"), "{e:?}");
        let e = price("{ nope").err().unwrap();
        assert!(e[0].to_string().contains("line 1"), "{e:?}");
        let e = price("{}").err().unwrap();
        assert!(e[0].to_string().contains("`lambda` section"), "{e:?}");
    }

    #[test]
    fn provisioned_input_splits_requests_by_window_and_share() {
        // PC for 360 of 720 hours: half the requests arrive while enabled;
        // 80 % of those are served by it.
        let text = r#"{ "lambda": { "requests": 1000000, "average_duration_ms": 100, "memory_mb": 1024,
            "provisioned_concurrency": { "level": 2, "hours": 360, "served_share": 0.8 } } }"#;
        let priced = price(text).ok().unwrap();
        let b = &priced.bills[0];
        assert_eq!(b.total, b.lines.iter().map(|l| l.amount).sum());
        // Free: the 500 k outside the window. Billed: 500 k (400 k served +
        // 100 k spillover).
        assert_eq!(b.lines[0].quantity.to_decimal_string(false), "500000");
        assert_eq!(b.lines[1].quantity.to_decimal_string(false), "500000");
        // Configured: 2 × 1,296,000 s × 1 GB = 2,592,000 GB-s.
        let conf = b
            .lines
            .iter()
            .find(|l| l.item.contains("configured"))
            .unwrap();
        assert_eq!(conf.quantity.to_decimal_string(false), "2592000");
    }

    #[test]
    fn provisioned_requests_are_the_calculators_shape() {
        // 2 M on-demand requests of 100 ms (all outside the window, free
        // tier applies) beside 600,000 provisioned-served requests of 50 ms
        // at 1,024 MB: PC duration 30,000 GB-s; on-demand 200,000 GB-s, all
        // free; requests 2.6 M − 1 M free.
        let text = r#"{ "lambda": { "requests": 2000000, "average_duration_ms": 100, "memory_mb": 1024,
            "provisioned_concurrency": { "level": 10, "hours": 10, "requests": 600000,
                                         "average_duration_ms": 50 } } }"#;
        let b = &price(text).ok().unwrap().bills[0];
        let q = |item: &str| {
            b.lines
                .iter()
                .find(|l| l.item == item)
                .map(|l| l.quantity.to_decimal_string(false))
        };
        assert_eq!(q("Lambda requests, free tier").as_deref(), Some("1000000"));
        assert_eq!(q("Lambda requests").as_deref(), Some("1600000"));
        assert_eq!(
            q("Lambda duration x86_64, free tier").as_deref(),
            Some("200000")
        );
        assert_eq!(
            q("Provisioned concurrency x86_64, duration").as_deref(),
            Some("30000")
        );
        // Without its own duration, provisioned invocations last the
        // top-level average: 600,000 × 100 ms = 60,000 GB-s.
        let same = text.replace(
            r#"600000,
                                         "average_duration_ms": 50 }"#,
            "600000 }",
        );
        assert!(!same.contains(": 50"), "{same}");
        let b = &price(&same).ok().unwrap().bills[0];
        let d = b
            .lines
            .iter()
            .find(|l| l.item == "Provisioned concurrency x86_64, duration")
            .unwrap();
        assert_eq!(d.quantity.to_decimal_string(false), "60000");
    }

    #[test]
    fn provisioned_requests_are_checked() {
        let both = price(
            r#"{ "lambda": { "requests": 10, "average_duration_ms": 100, "memory_mb": 1024,
            "provisioned_concurrency": { "level": 1, "hours": 1, "requests": 10, "served_share": 1 } } }"#,
        )
        .err()
        .unwrap();
        assert_eq!(
            both[0].to_string(),
            "lambda.provisioned_concurrency: give at most one of `requests` (invocations served by provisioned environments, the AWS calculator's shape) and `served_share` (a share of the requests arriving while enabled)"
        );
        // One environment for one hour serves at most 36,000 invocations of
        // 100 ms.
        let over = price(
            r#"{ "lambda": { "requests": 10, "average_duration_ms": 100, "memory_mb": 1024,
            "provisioned_concurrency": { "level": 1, "hours": 1, "requests": 36001 } } }"#,
        )
        .err()
        .unwrap();
        assert_eq!(
            over[0].to_string(),
            "lambda.provisioned_concurrency.requests: 36001 is not allowed; allowed: at most 36,000 invocations (level × hours ÷ average duration: what the provisioned environments can serve)"
        );
        assert!(price(
            r#"{ "lambda": { "requests": 10, "average_duration_ms": 100, "memory_mb": 1024,
            "provisioned_concurrency": { "level": 1, "hours": 1, "requests": 36000 } } }"#
        )
        .is_ok());
        let bad = price(
            r#"{ "lambda": { "requests": 10, "average_duration_ms": 100, "memory_mb": 1024,
            "provisioned_concurrency": { "level": 1, "hours": 1, "requests": 1.5,
                                         "average_duration_ms": 0 } } }"#,
        )
        .err()
        .unwrap();
        let all: Vec<String> = bad.iter().map(ToString::to_string).collect();
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all[0].starts_with("lambda.provisioned_concurrency.average_duration_ms: 0 is not allowed; allowed: more than 0 to 900,000 ms"), "{all:?}");
        assert!(
            all[1].starts_with("lambda.provisioned_concurrency.requests: 1.5 is not allowed"),
            "{all:?}"
        );
    }

    #[test]
    fn cold_starts_add_init_before_rounding() {
        // 1,000 invocations of 10.5 ms at 1,024 MB, 10 % cold with 100 ms
        // INIT: warm 11 ms each, cold ceil(110.5) = 111 ms: 11,000 + 100 ×
        // 100 = 21,000 ms = 21 GB-s.
        let text = r#"{ "lambda": { "requests": 1000, "average_duration_ms": 10.5, "memory_mb": 1024,
            "free_tier": false, "average_init_ms": 100, "cold_start_share": 0.1 } }"#;
        let b = &price(text).ok().unwrap().bills[0];
        let d = b
            .lines
            .iter()
            .find(|l| l.item.contains("first 6B"))
            .unwrap();
        assert_eq!(d.quantity.to_decimal_string(false), "21");
        let before = text.replace(
            "\"free_tier\": false",
            "\"free_tier\": false, \"init_billing\": \"before_aug_2025\"",
        );
        let b = &price(&before).ok().unwrap().bills[0];
        let d = b
            .lines
            .iter()
            .find(|l| l.item.contains("first 6B"))
            .unwrap();
        assert_eq!(d.quantity.to_decimal_string(false), "11");
    }
}
