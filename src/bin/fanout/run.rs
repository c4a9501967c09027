//! `fanout run`: runs a scenario headless and prints its report.

use fanout::engine::billing::accrual::{ec2_cost, lambda_cost, CostReport};
use fanout::engine::billing::Money;
use fanout::engine::metrics::{Counters, LatencySummary};
use fanout::engine::report::Report;
use fanout::engine::sim::Simulation;
use fanout::engine::time::{SimDuration, SimTime};
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

fn int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
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

/// The human-readable report: both sides next to each other when the
/// scenario has an EC2 side.
pub fn table(r: &Report) -> String {
    let l = &r.lambda;
    let c = &l.counters;
    let e = r.ec2.as_ref();
    let ec = e.map(|e| e.counters).unwrap_or_default();
    let mut o = Rows {
        out: String::new(),
        two: e.is_some(),
    };
    o.out.push_str(&format!(
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
    if let Some(e) = e {
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
        o.out
            .push_str(&format!("\n  {:<34} {lambda:<34} {fleet}\n", ""));
    }
    o.head("Events (requests or messages)");
    o.row("arrived", int(c.arrived), || int(ec.arrived));
    o.row("succeeded", int(c.succeeded), || int(ec.succeeded));
    o.row("failed (error)", int(c.failed), || int(ec.failed));
    o.row("timed out", int(c.timed_out), || int(ec.timed_out));
    o.row("throttled or dropped", int(c.dropped), || int(ec.dropped));
    o.row("in flight at the end", int(c.in_flight), || {
        int(ec.in_flight)
    });
    o.row("waiting at the end", int(c.waiting), || int(ec.waiting));
    o.row("accounting balances", yes(l.accounting_balances), || {
        yes(e.is_some_and(|e| e.accounting_balances))
    });
    o.row(
        "throughput",
        format!("{:.2} /s", l.throughput_per_s),
        || format!("{:.2} /s", e.map_or(0.0, |e| e.throughput_per_s)),
    );
    o.head("Invocations (EC2: requests started)");
    o.row("invocations", int(c.invocations), || int(ec.invocations));
    o.row(
        "cold starts",
        format!("{} ({})", int(c.cold_starts), pct(l.cold_start_probability)),
        || "-".into(),
    );
    o.row(
        "served by provisioned",
        int(c.provisioned_invocations),
        || "-".into(),
    );
    o.row(
        "throttled attempts",
        format!("{} ({})", int(c.throttles), pct(l.rejection_probability)),
        || {
            format!(
                "{} ({}) HTTP 503",
                int(ec.throttles),
                pct(e.map_or(0.0, |e| e.rejection_probability))
            )
        },
    );
    o.row(
        "  over concurrency limit",
        int(c.throttles_concurrency),
        || "-".into(),
    );
    o.row("  over scaling rate", int(c.throttles_scaling), || {
        "-".into()
    });
    o.row("retries", int(c.retries), || int(ec.retries));
    o.row("errors", int(c.errors), || int(ec.errors));
    o.row(
        "timeouts (INIT timeouts)",
        format!("{} ({})", int(c.timeouts), int(c.init_timeouts)),
        || format!("{} (-)", int(ec.timeouts)),
    );
    let queue_rows = |c: &Counters| {
        c.to_destination
            + c.to_dlq
            + c.redeliveries
            + c.expired_by_age
            + c.expired_by_retention
            + c.overflow
    };
    if queue_rows(c) + queue_rows(&ec) > 0 {
        o.row("to on-failure destination", int(c.to_destination), || {
            "-".into()
        });
        o.row("SQS redeliveries", int(c.redeliveries), || {
            int(ec.redeliveries)
        });
        o.row("SQS to dead-letter queue", int(c.to_dlq), || int(ec.to_dlq));
        o.row("dropped by max event age", int(c.expired_by_age), || {
            "-".into()
        });
        o.row("dropped by retention", int(c.expired_by_retention), || {
            int(ec.expired_by_retention)
        });
        o.row("dropped by engine queue limit", int(c.overflow), || {
            int(ec.overflow)
        });
    }
    o.head("Environments (EC2: instances)");
    o.row("created", int(c.environments_created), || {
        int(e.map_or(0, |e| e.fleet.launched))
    });
    o.row(
        "expired / killed / deprovisioned",
        format!(
            "{} / {} / {}",
            int(c.environments_expired),
            int(c.environments_killed),
            int(c.environments_deprovisioned)
        ),
        || {
            e.map_or(String::new(), |e| {
                format!(
                    "{} terminated / {} failed",
                    int(e.fleet.terminated),
                    int(e.fleet.failed)
                )
            })
        },
    );
    o.row(
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
    o.row(
        "max total / busy",
        format!("{} / {}", int(l.max_environments), int(l.max_busy)),
        || {
            e.map_or(String::new(), |e| {
                let m = &e.max_by_state;
                format!(
                    "{} in service / {} slots",
                    int(m.in_service),
                    int(e.max_busy)
                )
            })
        },
    );
    o.row(
        "mean lifespan",
        format!("{:.1} s", l.mean_lifespan_s),
        || "-".into(),
    );
    if let Some(e) = e {
        let m = &e.mean_by_state;
        o.ec2_row(
            "mean booting / in service",
            format!("{:.3} / {:.3}", m.booting, m.in_service),
        );
        o.ec2_row(
            "mean draining / patching / failed",
            format!("{:.3} / {:.3} / {:.3}", m.draining, m.patching, m.failed),
        );
        o.ec2_row(
            "mean CPU utilisation",
            format!("{:.1} %", e.mean_cpu_percent),
        );
        o.ec2_row(
            "HTTP 502 / 503 / 504",
            format!(
                "{} / {} / {}",
                int(e.fleet.http_502),
                int(e.fleet.http_503),
                int(e.fleet.http_504)
            ),
        );
        if e.auto_scaling {
            o.ec2_row(
                "scale-outs / scale-ins / scheduled",
                format!(
                    "{} / {} / {}",
                    int(e.fleet.scale_outs),
                    int(e.fleet.scale_ins),
                    int(e.fleet.scheduled_actions)
                ),
            );
            o.ec2_row(
                "replaced automatically",
                int(e.fleet.replaced_automatically),
            );
        }
    }
    o.head("End-to-end latency");
    o.row("p50 / p90 / p99 / max", latency(&l.latency), || {
        e.map_or(String::new(), |e| latency(&e.latency))
    });
    if let Some(e) = e {
        o.ec2_row("mean queue wait", format!("{:.2} ms", e.mean_queue_wait_ms));
        if e.oldest_message_age_max_s > 0.0 {
            o.ec2_row(
                "oldest message, highest age",
                format!("{:.1} s", e.oldest_message_age_max_s),
            );
        }
        let w = &e.operator_work;
        let lw = &l.operator_work;
        o.head("Operator work (Lambda: AWS does it)");
        o.row("patches applied", int(lw.patches_applied), || {
            int(w.patches_applied)
        });
        o.row(
            "instances replaced by hand",
            int(lw.instances_replaced_by_hand),
            || int(w.instances_replaced_by_hand),
        );
        o.row(
            "scaling changes by hand",
            int(lw.manual_scaling_changes),
            || int(w.manual_scaling_changes),
        );
        o.row("pages", int(lw.pages), || int(w.pages));
    }
    o.head("Billable");
    let b = &l.billable;
    row(
        &mut o.out,
        "on-demand requests",
        int(b.on_demand.requests + b.on_demand_while_provisioned.requests),
    );
    row(
        &mut o.out,
        "on-demand GB-s (with / without INIT)",
        format!(
            "{:.1} / {:.1}",
            l.on_demand_gb_s, l.on_demand_gb_s_without_init
        ),
    );
    if b.provisioned_env_seconds > 0 {
        row(
            &mut o.out,
            "provisioned requests",
            int(b.provisioned_requests),
        );
        row(
            &mut o.out,
            "provisioned GB-s served",
            format!("{:.1}", l.provisioned_gb_s),
        );
        row(
            &mut o.out,
            "provisioned env-seconds (5-min spans)",
            int(b.provisioned_env_seconds),
        );
    }
    if b.sqs_requests > 0 {
        row(&mut o.out, "SQS requests", int(b.sqs_requests));
    }
    if let Some(e) = e {
        for (name, u) in &e.usage.instances {
            row(
                &mut o.out,
                &format!("EC2 {name} instance-seconds"),
                format!("{} ({} launches)", int(u.billable_seconds), int(u.launches)),
            );
        }
        if let Some(alb) = &e.usage.alb {
            let sum = |f: fn(&fanout::engine::billing::AlbHour) -> u64| {
                alb.hours.iter().map(f).sum::<u64>()
            };
            row(&mut o.out, "EC2 ALB hours", int(alb.total_hours()));
            row(
                &mut o.out,
                "EC2 ALB new / active connections",
                format!(
                    "{} / {} connection-minutes",
                    int(sum(|h| h.new_connections)),
                    int(sum(|h| h.active_connection_minutes))
                ),
            );
            row(
                &mut o.out,
                "EC2 ALB processed bytes / rule evals",
                format!(
                    "{} / {}",
                    int(sum(|h| h.processed_bytes)),
                    int(sum(|h| h.rule_evaluations))
                ),
            );
        }
        if e.sqs_requests > 0 {
            row(
                &mut o.out,
                "EC2 SQS requests (with empty polls)",
                int(e.sqs_requests),
            );
        }
    }
    if let Some(cost) = &r.cost {
        cost_rows(&mut o, cost);
    }
    if r.sources.len() > 1 {
        o.head("Sources (Lambda)");
        for s in &r.sources {
            let sc = &s.counters;
            row(
                &mut o.out,
                &format!("{} ({})", s.name, s.kind.as_str()),
                format!(
                    "{} arrived, {} ok, {} failed, {} timed out, {} dropped",
                    int(sc.arrived),
                    int(sc.succeeded),
                    int(sc.failed),
                    int(sc.timed_out),
                    int(sc.dropped)
                ),
            );
        }
    }
    o.out
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

    #[test]
    fn thousands() {
        assert_eq!(int(0), "0");
        assert_eq!(int(1_234_567), "1,234,567");
    }
}
