//! `fanout run`: runs a scenario headless and prints its report.

use fanout::engine::report::Report;
use fanout::engine::scenario::Scenario;
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
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("fanout run: cannot read {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let until = match until.map(parse_duration).transpose() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("fanout run: --until: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(errors) => {
            eprintln!(
                "fanout run: {} has {} problem(s):",
                path.display(),
                errors.len()
            );
            for e in &errors {
                eprintln!("  - {e}");
            }
            return ExitCode::from(2);
        }
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

/// The human-readable report.
pub fn table(r: &Report) -> String {
    let l = &r.lambda;
    let c = &l.counters;
    let mut o = String::new();
    o.push_str(&format!(
        "{} (seed {}): {} simulated, sources until {}\n\n",
        if r.name.is_empty() {
            "scenario"
        } else {
            &r.name
        },
        r.seed,
        SimDuration::from_secs_f64(r.simulated_s),
        SimDuration::from_secs_f64(r.sources_until_s)
    ));
    o.push_str("Events (requests or messages)\n");
    row(&mut o, "arrived", int(c.arrived));
    row(&mut o, "succeeded", int(c.succeeded));
    row(&mut o, "failed (error)", int(c.failed));
    row(&mut o, "timed out", int(c.timed_out));
    row(&mut o, "throttled or dropped", int(c.dropped));
    row(&mut o, "in flight at the end", int(c.in_flight));
    row(&mut o, "waiting at the end", int(c.waiting));
    row(
        &mut o,
        "accounting balances",
        (if l.accounting_balances { "yes" } else { "NO" }).to_string(),
    );
    o.push_str("\nInvocations\n");
    row(&mut o, "invocations", int(c.invocations));
    row(
        &mut o,
        "cold starts",
        format!("{} ({})", int(c.cold_starts), pct(l.cold_start_probability)),
    );
    row(
        &mut o,
        "served by provisioned",
        int(c.provisioned_invocations),
    );
    row(
        &mut o,
        "throttled attempts",
        format!("{} ({})", int(c.throttles), pct(l.rejection_probability)),
    );
    row(
        &mut o,
        "  over concurrency limit",
        int(c.throttles_concurrency),
    );
    row(&mut o, "  over scaling rate", int(c.throttles_scaling));
    row(&mut o, "retries", int(c.retries));
    row(&mut o, "errors", int(c.errors));
    row(
        &mut o,
        "timeouts (INIT timeouts)",
        format!("{} ({})", int(c.timeouts), int(c.init_timeouts)),
    );
    if c.to_destination
        + c.to_dlq
        + c.redeliveries
        + c.expired_by_age
        + c.expired_by_retention
        + c.overflow
        > 0
    {
        row(&mut o, "to on-failure destination", int(c.to_destination));
        row(&mut o, "SQS redeliveries", int(c.redeliveries));
        row(&mut o, "SQS to dead-letter queue", int(c.to_dlq));
        row(&mut o, "dropped by max event age", int(c.expired_by_age));
        row(&mut o, "dropped by retention", int(c.expired_by_retention));
        row(&mut o, "dropped by engine queue limit", int(c.overflow));
    }
    o.push_str("\nEnvironments\n");
    row(&mut o, "created", int(c.environments_created));
    row(
        &mut o,
        "expired / killed / deprovisioned",
        format!(
            "{} / {} / {}",
            int(c.environments_expired),
            int(c.environments_killed),
            int(c.environments_deprovisioned)
        ),
    );
    row(
        &mut o,
        "mean total / busy / idle",
        format!(
            "{:.3} / {:.3} / {:.3}",
            l.mean_environments, l.mean_busy, l.mean_idle
        ),
    );
    row(
        &mut o,
        "max total / busy",
        format!("{} / {}", int(l.max_environments), int(l.max_busy)),
    );
    row(
        &mut o,
        "mean lifespan",
        format!("{:.1} s", l.mean_lifespan_s),
    );
    o.push_str("\nEnd-to-end latency\n");
    let lat = &l.latency;
    row(
        &mut o,
        "p50 / p90 / p99 / max",
        format!(
            "{:.1} / {:.1} / {:.1} / {:.1} ms",
            lat.p50_ms, lat.p90_ms, lat.p99_ms, lat.max_ms
        ),
    );
    o.push_str("\nBillable\n");
    let b = &l.billable;
    row(
        &mut o,
        "on-demand requests",
        int(b.on_demand.requests + b.on_demand_while_provisioned.requests),
    );
    row(
        &mut o,
        "on-demand GB-s (with / without INIT)",
        format!(
            "{:.1} / {:.1}",
            l.on_demand_gb_s, l.on_demand_gb_s_without_init
        ),
    );
    if b.provisioned_env_seconds > 0 {
        row(&mut o, "provisioned requests", int(b.provisioned_requests));
        row(
            &mut o,
            "provisioned GB-s served",
            format!("{:.1}", l.provisioned_gb_s),
        );
        row(
            &mut o,
            "provisioned env-seconds (5-min spans)",
            int(b.provisioned_env_seconds),
        );
    }
    if b.sqs_requests > 0 {
        row(&mut o, "SQS requests", int(b.sqs_requests));
    }
    if r.sources.len() > 1 {
        o.push_str("\nSources\n");
        for s in &r.sources {
            let sc = &s.counters;
            row(
                &mut o,
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
    o
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
