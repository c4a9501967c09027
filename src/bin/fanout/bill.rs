//! `fanout bill usage.json [--json]`: the pricing calculator. Monthly usage
//! totals in, an itemized bill out, every line `quantity × rate = amount`.
//!
//! The input is friendly on purpose (averages, shares, hours); it is turned
//! into the engine's integer [`LambdaUsage`] / [`Ec2Usage`] and priced by
//! the same bills the simulator uses. Every problem in the input is listed
//! with its field path, its value and the allowed range (exit code 2).

use fanout::engine::billing::usage::{async_request_units, sqs_request_units, MONTH_SECONDS};
use fanout::engine::billing::{
    ec2_bill, group_thousands, lambda_bill, AlbHour, AlbUsage, Architecture, Bill, Catalog,
    Ec2BillOptions, Ec2Usage, EventSourceUsage, InstanceUsage, InvocationTotals, LambdaBillOptions,
    LambdaUsage, Money, PriceOverrides, Rate, Region,
};
use fanout::engine::time::SimDuration;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::ExitCode;

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

#[derive(Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum InitBilling {
    /// INIT of on-demand invocations billed as duration (since 1 Aug 2025).
    #[default]
    #[serde(rename = "since_aug_2025")]
    SinceAug2025,
    /// INIT not billed (the earlier rule).
    #[serde(rename = "before_aug_2025")]
    BeforeAug2025,
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
    served_share: Option<f64>,
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

/// Collects every problem of the input instead of stopping at the first.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, path: &str, value: impl std::fmt::Display, allowed: &str) {
        self.0
            .push(format!("{path}: {value} is not allowed; {allowed}"));
    }

    /// A whole number in `min..=max`; returns it (0 when invalid).
    fn whole(&mut self, path: &str, v: f64, min: f64, max: f64, unit: &str) -> u64 {
        if !v.is_finite() || v.fract() != 0.0 || v < min || v > max {
            self.push(
                path,
                v,
                &format!(
                    "allowed: a whole number from {} to {} {unit}",
                    fmt_num(min),
                    fmt_num(max)
                ),
            );
            return 0;
        }
        v as u64
    }

    /// A whole number of requests, from 0 to [`MAX_REQUESTS`].
    fn requests(&mut self, path: &str, v: f64) -> u64 {
        self.whole(path, v, 0.0, MAX_REQUESTS, "requests")
    }

    /// A share, from 0 to 1.
    fn share(&mut self, path: &str, v: f64) -> f64 {
        self.number(path, v, 0.0, 1.0, false, "(a share)")
    }

    /// A number in `min..=max` (or `min < v` when `open_min`).
    fn number(
        &mut self,
        path: &str,
        v: f64,
        min: f64,
        max: f64,
        open_min: bool,
        unit: &str,
    ) -> f64 {
        let low_ok = if open_min { v > min } else { v >= min };
        if !v.is_finite() || !low_ok || v > max {
            let from = if open_min { "more than" } else { "from" };
            self.push(
                path,
                v,
                &format!(
                    "allowed: {from} {} to {} {unit}",
                    fmt_num(min),
                    fmt_num(max)
                ),
            );
            return min;
        }
        v
    }
}

/// 10240.0 → "10,240"; 0.5 → "0.5".
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        group_thousands(&(v as u64).to_string())
    } else {
        format!("{v}")
    }
}

/// `value × share`, rounded to the nearest whole number.
fn share_of(value: u64, share: f64) -> u64 {
    (value as f64 * share).round() as u64
}

/// The priced input: one bill per side.
pub(crate) struct Priced {
    pub(crate) region: Region,
    pub(crate) bills: Vec<Bill>,
}

fn event_sources(p: &mut Problems, path: &str, e: &EventSourcesInput) -> EventSourceUsage {
    let mut u = EventSourceUsage::default();
    if let Some(api) = &e.api_gateway {
        let n = p.requests(&format!("{path}.api_gateway.requests"), api.requests);
        match api.kind {
            ApiKind::Http => u.api_http_requests = n,
            ApiKind::Rest => u.api_rest_requests = n,
        }
    }
    if let Some(s3) = &e.s3 {
        u.s3_put_requests = p.requests(
            &format!("{path}.s3.put_requests"),
            s3.put_requests.unwrap_or(0.0),
        );
        u.s3_get_requests = p.requests(
            &format!("{path}.s3.get_requests"),
            s3.get_requests.unwrap_or(0.0),
        );
    }
    if let Some(sqs) = &e.sqs {
        let n = p.requests(&format!("{path}.sqs.requests"), sqs.requests);
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

fn lambda_side(p: &mut Problems, l: &LambdaInput, catalog: &Catalog) -> Bill {
    let n = p.whole(
        "lambda.requests",
        l.requests,
        0.0,
        MAX_REQUESTS,
        "invocations",
    );
    let avg = p.number(
        "lambda.average_duration_ms",
        l.average_duration_ms,
        0.0,
        900_000.0,
        true,
        "ms (the 15-minute timeout)",
    );
    let mem = p.whole("lambda.memory_mb", l.memory_mb, 128.0, 10_240.0, "MB") as u32;
    let eph = p.whole(
        "lambda.ephemeral_storage_mb",
        l.ephemeral_storage_mb.unwrap_or(512.0),
        512.0,
        10_240.0,
        "MB",
    ) as u32;
    let init = p.number(
        "lambda.average_init_ms",
        l.average_init_ms.unwrap_or(0.0),
        0.0,
        10_000.0,
        false,
        "ms (the 10 s INIT limit)",
    );
    let cold = p.share("lambda.cold_start_share", l.cold_start_share.unwrap_or(0.0));
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
    // Every invocation lasts the average, rounded up to 1 ms; a cold one
    // adds its INIT before the rounding.
    let warm_ms = avg.ceil() as u64;
    let cold_ms = (avg + init).ceil() as u64;
    let totals = |count: u64| {
        let colds = share_of(count, cold);
        let billed_ms = count.saturating_mul(warm_ms);
        InvocationTotals {
            requests: count.saturating_mul(units),
            billed_ms,
            billed_ms_with_init: billed_ms
                .saturating_add(colds.saturating_mul(cold_ms.saturating_sub(warm_ms))),
        }
    };
    let mut u = LambdaUsage::new(l.architecture, mem, eph);
    let mut in_window = 0;
    if let Some(pc) = &l.provisioned_concurrency {
        let level = p.whole(
            "lambda.provisioned_concurrency.level",
            pc.level,
            1.0,
            100_000.0,
            "environments",
        );
        let hours = p.number(
            "lambda.provisioned_concurrency.hours",
            pc.hours,
            0.0,
            MONTH_HOURS,
            false,
            "hours (a 30-day month)",
        );
        let served = p.share(
            "lambda.provisioned_concurrency.served_share",
            pc.served_share.unwrap_or(1.0),
        );
        // Requests spread evenly over the month: those arriving while
        // provisioned concurrency is enabled are served by it or spill over.
        in_window = share_of(n, hours / MONTH_HOURS);
        let served_n = share_of(in_window, served);
        // One enable-to-disable span, rounded up to 5 minutes by the rule.
        u.record_provisioned_span(level as u32, SimDuration::from_secs_f64(hours * 3_600.0));
        u.provisioned_requests = served_n.saturating_mul(units);
        // Provisioned environments are initialized ahead: no INIT billed.
        u.provisioned_billed_ms = served_n.saturating_mul(warm_ms);
        u.on_demand_while_provisioned = totals(in_window - served_n);
    }
    u.on_demand = totals(n - in_window);
    let sources = event_sources(p, "lambda.event_sources", &l.event_sources);
    let opts = LambdaBillOptions {
        free_tier: l.free_tier.unwrap_or(true),
        init_billed: l.init_billing == InitBilling::SinceAug2025,
    };
    lambda_bill(&u, &sources, catalog, opts)
}

fn ec2_side(p: &mut Problems, e: &Ec2Input, catalog: &Catalog) -> Option<Bill> {
    let known = catalog.ec2.instance(&e.instance_type).is_some();
    if !known {
        p.push(
            "ec2.instance_type",
            format!("\"{}\"", e.instance_type),
            &format!("allowed: one of {}", catalog.ec2.names().join(", ")),
        );
    }
    let (launches, seconds) = match (e.count, e.instance_hours) {
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
            p.0.push("ec2: give exactly one of `count` (instances running all month) and `instance_hours`".into());
            (0, 0)
        }
    };
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
        p.push(
            "ec2.discount_percent",
            discount,
            "allowed: at most 2 decimal places",
        );
    }
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
            },
        );
    }
    u.ebs_gb_seconds = (ebs * seconds as f64).round() as u64;
    if let Some(a) = &e.alb {
        let hours = p.whole(
            "ec2.alb.hours",
            a.hours.unwrap_or(MONTH_HOURS),
            1.0,
            MONTH_HOURS,
            "hours",
        );
        let rate = |p: &mut Problems, name: &str, v: f64| {
            p.number(&format!("ec2.alb.{name}"), v, 0.0, 1e9, false, "")
        };
        let nc = rate(
            p,
            "new_connections_per_second",
            a.new_connections_per_second,
        );
        let ac = rate(
            p,
            "active_connections_per_minute",
            a.active_connections_per_minute,
        );
        let gb = rate(p, "processed_gb_per_hour", a.processed_gb_per_hour);
        let re = rate(
            p,
            "rule_evaluations_per_second",
            a.rule_evaluations_per_second,
        );
        u.alb = Some(AlbUsage {
            lambda_targets: a.lambda_targets,
            hours: vec![AlbHour {
                hours,
                new_connections: (nc * 3_600.0).round() as u64,
                active_connection_minutes: (ac * 60.0).round() as u64,
                processed_bytes: (gb * 1e9).round() as u64,
                rule_evaluations: (re * 3_600.0).round() as u64,
            }],
        });
    }
    let sources = event_sources(p, "ec2.event_sources", &e.event_sources);
    let opts = Ec2BillOptions {
        discount_basis_points: bp as u32,
        free_tier: e.free_tier.unwrap_or(true),
    };
    // The only error is an unknown instance type, already listed above.
    ec2_bill(&u, &sources, catalog, opts).ok()
}

/// Parses and prices the input text, or lists every problem (also the
/// entry point of the fuzz target `fuzz/fuzz_targets/usage.rs`).
pub(crate) fn price(text: &str) -> Result<Priced, Vec<String>> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let input: UsageFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        vec![format!("{at}{}", e.inner())]
    })?;
    let catalog = Catalog::for_region(input.region)
        .with_overrides(&input.prices)
        .map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let mut p = Problems::default();
    if input.lambda.is_none() && input.ec2.is_none() {
        p.0.push("give a `lambda` section, an `ec2` section, or both".into());
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
    if p.0.is_empty() {
        Ok(Priced {
            region: input.region,
            bills,
        })
    } else {
        Err(p.0)
    }
}

/// Runs `fanout bill`.
pub fn run(path: &Path, json: bool) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    match price(&text) {
        Ok(priced) => {
            if json {
                match serde_json::to_string_pretty(&JsonOut::from(&priced)) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("error: cannot write JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", render_table(&priced));
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("error: bad usage input in {}:", path.display());
            for problem in problems {
                eprintln!("  - {problem}");
            }
            ExitCode::from(2)
        }
    }
}

/// The human-readable bill: one aligned row per line, then the total.
pub(crate) fn render_table(priced: &Priced) -> String {
    let mut out = format!(
        "Monthly bill, {} prices (a 30-day month; amounts exact to the micro-dollar, shown in cents)\n",
        priced.region
    );
    for bill in &priced.bills {
        let rows: Vec<[String; 4]> = bill
            .lines
            .iter()
            .map(|l| {
                [
                    l.item.clone(),
                    format!("{} {}", l.quantity, l.unit),
                    l.rate.to_string(),
                    l.amount.to_string(),
                ]
            })
            .collect();
        let w = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let (w0, w1, w2) = (w(0), w(1), w(2));
        let w3 = w(3).max(bill.total.to_string().len());
        out.push_str(&format!("\n{}\n", bill.title));
        for r in &rows {
            out.push_str(&format!(
                "  {:<w0$}  {:>w1$} × {:<w2$} = {:>w3$}\n",
                r[0], r[1], r[2], r[3]
            ));
        }
        let label = format!("Total {}", bill.title);
        let pad = w0 + w1 + w2 + 7;
        out.push_str(&format!("  {label:<pad$}{:>w3$}\n", bill.total.to_string()));
        for note in &bill.notes {
            out.push_str(&format!("  * {note}\n"));
        }
    }
    if priced.bills.len() > 1 {
        out.push_str("\nSide by side:");
        for b in &priced.bills {
            out.push_str(&format!(" {} {};", b.title, b.total));
        }
        out.pop();
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
pub(crate) struct JsonOut {
    region: String,
    month_hours: u64,
    bills: Vec<JsonBill>,
}

#[derive(Serialize)]
struct JsonBill {
    title: String,
    lines: Vec<JsonLine>,
    total: JsonMoney,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct JsonLine {
    item: String,
    /// Exact when it fits 6 decimals.
    quantity: String,
    unit: String,
    rate: Rate,
    amount: JsonMoney,
}

#[derive(Serialize)]
struct JsonMoney {
    /// Exact [USD] to the micro-dollar, as a decimal string.
    usd: String,
    /// Exact [µ$].
    micro_usd: i64,
    /// Rounded to cents.
    display: String,
}

impl From<Money> for JsonMoney {
    fn from(m: Money) -> Self {
        JsonMoney {
            usd: m.to_exact_string(),
            micro_usd: m.as_micros(),
            display: m.to_string(),
        }
    }
}

impl From<&Priced> for JsonOut {
    fn from(p: &Priced) -> Self {
        JsonOut {
            region: p.region.to_string(),
            month_hours: MONTH_SECONDS / 3_600,
            bills: p
                .bills
                .iter()
                .map(|b| JsonBill {
                    title: b.title.clone(),
                    lines: b
                        .lines
                        .iter()
                        .map(|l| JsonLine {
                            item: l.item.clone(),
                            quantity: l.quantity.to_decimal_string(false),
                            unit: l.unit.clone(),
                            rate: l.rate.clone(),
                            amount: l.amount.into(),
                        })
                        .collect(),
                    total: b.total.into(),
                    notes: b.notes.clone(),
                })
                .collect(),
        }
    }
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
        let all = problems.join("\n");
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
        assert!(e[0].starts_with("lambda.memmory"), "{e:?}");
        let e = price(r#"{ "lambda": { "requests": "many" } }"#)
            .err()
            .unwrap();
        assert!(e[0].starts_with("lambda.requests"), "{e:?}");
        let e = price("{ nope").err().unwrap();
        assert!(e[0].contains("line 1"), "{e:?}");
        let e = price("{}").err().unwrap();
        assert!(e[0].contains("`lambda` section"), "{e:?}");
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
