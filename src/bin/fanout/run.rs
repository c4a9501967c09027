//! `fanout run`: runs a scenario headless and prints its report.

use fanout::common::format::count;
use fanout::engine::billing::accrual::{ec2_cost, lambda_cost, CostReport};
use fanout::engine::billing::Money;
use fanout::engine::Ec2Report;
use fanout::engine::Simulation;
use fanout::engine::{Counters, LatencySummary};
use fanout::engine::{Report, SideReport};
use fanout::engine::{SimDuration, SimTime};
use std::path::Path;
use std::process::ExitCode;

/// Parses `90s`, `15m`, `2h`, `1d`, `500ms` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (try 90s, 15m, 2h or 1d)"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1e3,
        "m" | "min" => n * 60.0,
        "h" => n * 3_600.0,
        "d" => n * 86_400.0,
        u => {
            return Err(format!(
                "unknown unit '{u}' in '{text}' (use ms, s, m, h or d)"
            ))
        }
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("'{text}' is not a duration"));
    }
    Ok(SimDuration::from_secs_f64(secs))
}

/// Runs the command; exit 0 ok, 1 unreadable file, 2 bad input.
pub fn run(path: &Path, json: bool, until: Option<&str>) -> ExitCode {
    let text = match super::read_input("run", path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let until = match until.map(parse_duration).transpose() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("fanout run: --until: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match super::parse_scenario("run", path, &text) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut sim = match Simulation::new(&scenario) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors {
                eprintln!("  - {e}");
            }
            return ExitCode::from(2);
        }
    };
    sim.set_record_happenings(false);
    let stop = until.map_or(sim.end(), |u| SimTime::ZERO + u);
    sim.advance_to(stop);
    let report = sim.report();
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", table(&report));
    }
    ExitCode::SUCCESS
}

fn row(out: &mut String, label: &str, value: String) {
    out.push_str(&format!("  {label:<34} {value}\n"));
}

/// Rows of one or two columns: the Lambda value first, then the EC2 value
/// when the scenario has an EC2 side.
struct Rows {
    out: String,
    two: bool,
}

impl Rows {
    fn row(&mut self, label: &str, lambda: String, ec2: impl FnOnce() -> String) {
        if self.two {
            let e = ec2();
            self.out
                .push_str(&format!("  {label:<34} {lambda:<34} {e}\n"));
        } else {
            row(&mut self.out, label, lambda);
        }
    }

    /// A row only the EC2 side has.
    fn ec2_row(&mut self, label: &str, ec2: String) {
        if self.two {
            self.row(label, "-".into(), || ec2);
        }
    }

    fn head(&mut self, title: &str) {
        self.out.push('\n');
        self.out.push_str(title);
        self.out.push('\n');
    }
}

fn pct(x: f64) -> String {
    format!("{:.4} %", x * 100.0)
}

fn yes(b: bool) -> String {
    (if b { "yes" } else { "NO" }).to_string()
}

fn latency(l: &LatencySummary) -> String {
    format!(
        "{:.1} / {:.1} / {:.1} / {:.1} ms",
        l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms
    )
}

/// The two sides of a report, as the table's sections read them.
struct Sides<'a> {
    lambda: &'a SideReport,
    ec2: Option<&'a Ec2Report>,
    /// The EC2 side's counters (all zero without an EC2 side).
    ec2_counters: Counters,
}

/// The human-readable report: both sides next to each other when the
/// scenario has an EC2 side.
pub fn table(r: &Report) -> String {
    let sides = Sides {
        lambda: &r.lambda,
        ec2: r.ec2.as_ref(),
        ec2_counters: r.ec2.as_ref().map(|e| e.counters).unwrap_or_default(),
    };
    let mut rows = Rows {
        out: String::new(),
        two: sides.ec2.is_some(),
    };
    header(&mut rows, r);
    events(&mut rows, &sides);
    invocations(&mut rows, &sides);
    queue_outcomes(&mut rows, &sides);
    environments(&mut rows, &sides);
    if let Some(ec2) = sides.ec2 {
        fleet(&mut rows, ec2);
    }
    latency_and_operator_work(&mut rows, &sides);
    billable(&mut rows, &sides);
    if let Some(cost) = &r.cost {
        cost_rows(&mut rows, cost);
    }
    sources(&mut rows, r);
    rows.out
}

/// The scenario's name, seed and time span; the two columns' heads.
fn header(rows: &mut Rows, r: &Report) {
    rows.out.push_str(&format!(
        "{} (seed {}): {} simulated, sources until {}\n",
        if r.name.is_empty() {
            "scenario"
        } else {
            &r.name
        },
        r.seed,
        SimDuration::from_secs_f64(r.simulated_s),
        SimDuration::from_secs_f64(r.sources_until_s)
    ));
    if let Some(e) = &r.ec2 {
        let lambda = if r.lambda_deployed {
            "Lambda"
        } else {
            "Lambda (not deployed)"
        };
        let fleet = format!(
            "EC2 {}, {} worker slots each{}",
            e.instance_type,
            e.worker_slots,
            if e.auto_scaling {
                ", Auto Scaling"
            } else {
                ", fixed fleet"
            }
        );
        rows.out
            .push_str(&format!("\n  {:<34} {lambda:<34} {fleet}\n", ""));
    }
}

/// What happened to the events: arrived, succeeded, failed, …
fn events(rows: &mut Rows, sides: &Sides) {
    let (l, e) = (sides.lambda, sides.ec2);
    let (c, ec) = (&l.counters, &sides.ec2_counters);
    rows.head("Events (requests or messages)");
    rows.row("arrived", count(c.arrived), || count(ec.arrived));
    rows.row("succeeded", count(c.succeeded), || count(ec.succeeded));
    rows.row("failed (error)", count(c.failed), || count(ec.failed));
    rows.row("timed out", count(c.timed_out), || count(ec.timed_out));
    rows.row(
        "  504 gateway timeout (API / ALB)",
        count(c.gateway_timeouts),
        || count(e.map_or(0, |e| e.fleet.http_504)),
    );
    rows.row("throttled or dropped", count(c.dropped), || {
        count(ec.dropped)
    });
    rows.row("in flight at the end", count(c.in_flight), || {
        count(ec.in_flight)
    });
    rows.row("waiting at the end", count(c.waiting), || count(ec.waiting));
    rows.row("accounting balances", yes(l.accounting_balances), || {
        yes(e.is_some_and(|e| e.accounting_balances))
    });
    rows.row(
        "throughput",
        format!("{:.2} /s", l.throughput_per_s),
        || format!("{:.2} /s", e.map_or(0.0, |e| e.throughput_per_s)),
    );
}

/// Invocations: cold starts, throttles, retries, errors, timeouts.
fn invocations(rows: &mut Rows, sides: &Sides) {
    let (l, e) = (sides.lambda, sides.ec2);
    let (c, ec) = (&l.counters, &sides.ec2_counters);
    rows.head("Invocations (EC2: requests started)");
    rows.row("invocations", count(c.invocations), || {
        count(ec.invocations)
    });
    rows.row(
        "cold starts",
        format!(
            "{} ({})",
            count(c.cold_starts),
            pct(l.cold_start_probability)
        ),
        || "-".into(),
    );
    rows.row(
        "served by provisioned",
        count(c.provisioned_invocations),
        || "-".into(),
    );
    rows.row(
        "throttled attempts",
        format!("{} ({})", count(c.throttles), pct(l.rejection_probability)),
        || {
            format!(
                "{} ({}) HTTP 503",
                count(ec.throttles),
                pct(e.map_or(0.0, |e| e.rejection_probability))
            )
        },
    );
    rows.row("  over request-rate limit", count(c.throttles_rate), || {
        "-".into()
    });
    rows.row(
        "  over concurrency limit",
        count(c.throttles_concurrency),
        || "-".into(),
    );
    rows.row("  over scaling rate", count(c.throttles_scaling), || {
        "-".into()
    });
    rows.row("retries", count(c.retries), || count(ec.retries));
    rows.row("errors", count(c.errors), || count(ec.errors));
    rows.row("timeouts", count(c.timeouts), || count(ec.timeouts));
    rows.row("INIT over 10 s (retried)", count(c.init_timeouts), || {
        "-".into()
    });
}

/// Where failed and expired events went (only when any did).
fn queue_outcomes(rows: &mut Rows, sides: &Sides) {
    let (c, ec) = (&sides.lambda.counters, &sides.ec2_counters);
    let queue_rows = |c: &Counters| {
        c.to_destination
            + c.to_dlq
            + c.redeliveries
            + c.expired_by_age
            + c.expired_by_retention
            + c.overflow
            + c.sqs_receives
    };
    if queue_rows(c) + queue_rows(ec) == 0 {
        return;
    }
    rows.row("to on-failure destination", count(c.to_destination), || {
        "-".into()
    });
    if c.sqs_receives > 0 {
        rows.row(
            "SQS receives (Lambda pollers)",
            count(c.sqs_receives),
            || "-".into(),
        );
        rows.row(
            "  throttled invokes / back-offs",
            format!(
                "{} / {} (+{} on errors)",
                count(c.esm_throttled_polls),
                count(c.esm_backoffs_throttles),
                count(c.esm_backoffs_errors)
            ),
            || "-".into(),
        );
        rows.row(
            "  returned uninvoked (throttled)",
            count(c.sqs_returned_throttled),
            || "-".into(),
        );
        rows.row(
            "  batches cut at 6 MB",
            count(c.esm_batches_payload_capped),
            || "-".into(),
        );
    }
    rows.row(
        "SQS redeliveries (after throttle)",
        format!(
            "{} ({})",
            count(c.redeliveries),
            count(c.redeliveries_throttled)
        ),
        || format!("{} (-)", count(ec.redeliveries)),
    );
    rows.row(
        "SQS to DLQ (after throttle)",
        format!("{} ({})", count(c.to_dlq), count(c.to_dlq_throttled)),
        || format!("{} (-)", count(ec.to_dlq)),
    );
    rows.row("dropped by max event age", count(c.expired_by_age), || {
        "-".into()
    });
    rows.row(
        "dropped by retention",
        count(c.expired_by_retention),
        || count(ec.expired_by_retention),
    );
    rows.row("dropped by engine queue limit", count(c.overflow), || {
        count(ec.overflow)
    });
}

/// Environments (EC2: instances): created, ended, how many on average
/// and at most.
fn environments(rows: &mut Rows, sides: &Sides) {
    let (l, e) = (sides.lambda, sides.ec2);
    let c = &l.counters;
    rows.head("Environments (EC2: instances)");
    rows.row("created", count(c.environments_created), || {
        count(e.map_or(0, |e| e.fleet.launched))
    });
    rows.row(
        "expired / killed / deprovisioned",
        format!(
            "{} / {} / {}",
            count(c.environments_expired),
            count(c.environments_killed),
            count(c.environments_deprovisioned)
        ),
        || {
            e.map_or(String::new(), |e| {
                format!(
                    "{} terminated / {} failed",
                    count(e.fleet.terminated),
                    count(e.fleet.failed)
                )
            })
        },
    );
    rows.row(
        "mean total / busy / idle",
        format!(
            "{:.3} / {:.3} / {:.3}",
            l.mean_environments, l.mean_busy, l.mean_idle
        ),
        || {
            e.map_or(String::new(), |e| {
                let idle = e.mean_by_state.in_service * f64::from(e.worker_slots) - e.mean_busy;
                format!(
                    "{:.3} / {:.3} slots / {:.3} slots",
                    e.mean_instances,
                    e.mean_busy,
                    idle.max(0.0)
                )
            })
        },
    );
    rows.row(
        "max total / busy",
        format!("{} / {}", count(l.max_environments), count(l.max_busy)),
        || {
            e.map_or(String::new(), |e| {
                let m = &e.max_by_state;
                format!(
                    "{} in service / {} slots",
                    count(m.in_service),
                    count(e.max_busy)
                )
            })
        },
    );
    rows.row(
        "mean lifespan",
        format!("{:.1} s", l.mean_lifespan_s),
        || "-".into(),
    );
}

/// The rows only the fleet has: instance states, CPU, HTTP errors, scaling.
fn fleet(rows: &mut Rows, e: &Ec2Report) {
    let m = &e.mean_by_state;
    rows.ec2_row(
        "mean booting / in service",
        format!("{:.3} / {:.3}", m.booting, m.in_service),
    );
    rows.ec2_row(
        "mean draining / patching / failed",
        format!("{:.3} / {:.3} / {:.3}", m.draining, m.patching, m.failed),
    );
    rows.ec2_row(
        "mean CPU utilisation",
        format!("{:.1} %", e.mean_cpu_percent),
    );
    rows.ec2_row(
        "HTTP 502 / 503 / 504",
        format!(
            "{} / {} / {}",
            count(e.fleet.http_502),
            count(e.fleet.http_503),
            count(e.fleet.http_504)
        ),
    );
    if e.auto_scaling {
        rows.ec2_row(
            "scale-outs / scale-ins / scheduled",
            format!(
                "{} / {} / {}",
                count(e.fleet.scale_outs),
                count(e.fleet.scale_ins),
                count(e.fleet.scheduled_actions)
            ),
        );
        rows.ec2_row(
            "replaced automatically",
            count(e.fleet.replaced_automatically),
        );
    }
}

/// End-to-end latency, then (with a fleet) the operator's work.
fn latency_and_operator_work(rows: &mut Rows, sides: &Sides) {
    let (l, e) = (sides.lambda, sides.ec2);
    rows.head("End-to-end latency");
    rows.row("p50 / p90 / p99 / max", latency(&l.latency), || {
        e.map_or(String::new(), |e| latency(&e.latency))
    });
    let Some(e) = e else {
        return;
    };
    rows.ec2_row("mean queue wait", format!("{:.2} ms", e.mean_queue_wait_ms));
    if e.oldest_message_age_max_s > 0.0 {
        rows.ec2_row(
            "oldest message, highest age",
            format!("{:.1} s", e.oldest_message_age_max_s),
        );
    }
    let w = &e.operator_work;
    let lw = &l.operator_work;
    rows.head("Operator work (Lambda: AWS does it)");
    rows.row("patches applied", count(lw.patches_applied), || {
        count(w.patches_applied)
    });
    rows.row(
        "instances replaced by hand",
        count(lw.instances_replaced_by_hand),
        || count(w.instances_replaced_by_hand),
    );
    rows.row(
        "scaling changes by hand",
        count(lw.manual_scaling_changes),
        || count(w.manual_scaling_changes),
    );
    rows.row("pages", count(lw.pages), || count(w.pages));
}

/// The billable quantities of the Lambda side, then the fleet's.
fn billable(rows: &mut Rows, sides: &Sides) {
    let l = sides.lambda;
    rows.head("Billable");
    let out = &mut rows.out;
    let b = &l.billable;
    row(
        out,
        "on-demand requests",
        count(b.on_demand.requests + b.on_demand_while_provisioned.requests),
    );
    row(
        out,
        "on-demand GB-s (with / without INIT)",
        format!(
            "{:.1} / {:.1}",
            l.on_demand_gb_s, l.on_demand_gb_s_without_init
        ),
    );
    if b.provisioned_env_seconds > 0 {
        row(out, "provisioned requests", count(b.provisioned_requests));
        row(
            out,
            "provisioned GB-s served",
            format!("{:.1}", l.provisioned_gb_s),
        );
        row(
            out,
            "provisioned env-seconds (5-min spans)",
            count(b.provisioned_env_seconds),
        );
    }
    if b.sqs_requests > 0 {
        row(out, "SQS requests", count(b.sqs_requests));
    }
    if let Some(e) = sides.ec2 {
        fleet_billable(out, e);
    }
}

/// The fleet's billable quantities: instance-seconds, the load
/// balancer's units, SQS requests.
fn fleet_billable(out: &mut String, e: &Ec2Report) {
    for (name, u) in &e.usage.instances {
        row(
            out,
            &format!("EC2 {name} instance-seconds"),
            format!(
                "{} ({} launches)",
                count(u.billable_seconds),
                count(u.launches)
            ),
        );
    }
    if let Some(alb) = &e.usage.alb {
        let sum =
            |f: fn(&fanout::engine::billing::AlbHour) -> u64| alb.hours.iter().map(f).sum::<u64>();
        row(out, "EC2 ALB hours", count(alb.total_hours()));
        row(
            out,
            "EC2 ALB new / active connections",
            format!(
                "{} / {} connection-minutes",
                count(sum(|h| h.new_connections)),
                count(sum(|h| h.active_connection_minutes))
            ),
        );
        row(
            out,
            "EC2 ALB processed bytes / rule evals",
            format!(
                "{} / {}",
                count(sum(|h| h.processed_bytes)),
                count(sum(|h| h.rule_evaluations))
            ),
        );
    }
    if e.sqs_requests > 0 {
        row(
            out,
            "EC2 SQS requests (with empty polls)",
            count(e.sqs_requests),
        );
    }
}

/// Each source's outcome (only with more than one source).
fn sources(rows: &mut Rows, r: &Report) {
    if r.sources.len() <= 1 {
        return;
    }
    rows.head("Sources (Lambda)");
    for s in &r.sources {
        let sc = &s.counters;
        row(
            &mut rows.out,
            &format!("{} ({})", s.name, s.kind.as_str()),
            format!(
                "{} arrived, {} ok, {} failed, {} timed out, {} dropped",
                count(sc.arrived),
                count(sc.succeeded),
                count(sc.failed),
                count(sc.timed_out),
                count(sc.dropped)
            ),
        );
    }
}

/// The cost section: so far (itemized) and the projected month per side.
fn cost_rows(o: &mut Rows, cost: &CostReport) {
    let (l, e) = (cost.lambda.as_ref(), cost.ec2.as_ref());
    let money = |m: Option<Money>| m.map_or_else(|| "-".to_owned(), |m| m.to_string());
    o.head("Cost (USD)");
    o.row("so far", money(l.map(|s| s.so_far)), || {
        money(e.map(|s| s.so_far))
    });
    o.row(
        "projected 30-day month",
        money(l.map(|s| s.projected_month.bill.total)),
        || money(e.map(|s| s.projected_month.bill.total)),
    );
    if let Some(l) = l {
        let c = lambda_cost(&l.bill);
        for (label, m) in [
            ("Lambda so far: requests", c.requests),
            ("Lambda so far: duration", c.duration),
            ("Lambda so far: provisioned", c.provisioned),
            ("Lambda so far: ephemeral storage", c.ephemeral),
            ("Lambda so far: event sources", c.event_sources),
        ] {
            if m > Money::ZERO {
                row(&mut o.out, label, m.to_string());
            }
        }
    }
    if let Some(e) = e {
        let c = ec2_cost(&e.bill);
        for (label, m) in [
            ("EC2 so far: instances", c.instances),
            ("EC2 so far: load balancer", c.alb),
            ("EC2 so far: SQS", c.sqs),
            ("EC2 so far: EBS", c.ebs),
            ("EC2 so far: event sources", c.event_sources),
            ("EC2 so far: public IPv4", c.public_ipv4),
            ("EC2 so far: T3 surplus CPU credits", c.cpu_credits),
        ] {
            if m > Money::ZERO {
                row(&mut o.out, label, m.to_string());
            }
        }
    }
    if let Some(p) = l
        .map(|s| &s.projected_month)
        .or(e.map(|s| &s.projected_month))
    {
        o.out.push_str(&format!("  {}\n", p.method));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), SimDuration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), SimDuration::from_mins(15));
        assert_eq!(parse_duration("2h").unwrap(), SimDuration::from_hours(2));
        assert_eq!(parse_duration("1d").unwrap(), SimDuration::from_hours(24));
        assert_eq!(
            parse_duration("250ms").unwrap(),
            SimDuration::from_millis(250)
        );
        assert_eq!(parse_duration("30").unwrap(), SimDuration::from_secs(30));
        assert!(parse_duration("2y").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
