//! `fanout sweep scenario.json --from 10k --to 1B --per-month [--points N]
//! [--csv]`: the monthly cost of the Lambda deployment and of the EC2
//! deployment (fixed for the peak, and Auto Scaling) across request
//! volumes, from the aggregate mode, and the break-even volume(s).
//!
//! The CSV goes to stdout alone (for plotting); the break-evens then go to
//! stderr. Exit codes: 0 ok, 1 unreadable file, 2 bad input.

use fanout::common::format::volume_scale;
use fanout::engine::billing::group_thousands;
use fanout::engine::billing::pricing::Pricing;
use fanout::engine::billing::Money;
use fanout::engine::estimate::fleet_config;
use fanout::engine::estimate::sweep::{sweep, Sweep, MAX_POINTS};
use fanout::engine::scenario::Scenario;
use std::path::Path;
use std::process::ExitCode;

/// The form a volume flag takes, for error messages.
const VOLUME_FORM: &str =
    "a positive number of requests with an optional k, M or B suffix (e.g. 10k, 2.5M, 1B)";

/// Parses `10k`, `2.5M`, `1B`, `1e6`, `1_000_000` [requests].
pub fn parse_volume(text: &str) -> Result<f64, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|&c| c != '_' && c != ',')
        .collect();
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        Some('B' | 'G') => (&t[..t.len() - 1], 1e9),
        Some('T') => (&t[..t.len() - 1], 1e12),
        _ => (t.as_str(), 1.0),
    };
    match num.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n * mult),
        _ => Err(format!("'{text}' is not {VOLUME_FORM}")),
    }
}

/// Arguments of the command, as parsed by clap.
pub struct Args<'a> {
    pub scenario: &'a Path,
    pub from: &'a str,
    pub to: &'a str,
    pub points: usize,
    pub csv: bool,
}

/// Runs the command.
pub fn run(a: &Args) -> ExitCode {
    let bad = |msg: String| {
        eprintln!("fanout sweep: {msg}");
        ExitCode::from(2)
    };
    let from = match parse_volume(a.from) {
        Ok(v) => v,
        Err(e) => return bad(format!("--from: {e}")),
    };
    let to = match parse_volume(a.to) {
        Ok(v) => v,
        Err(e) => return bad(format!("--to: {e}")),
    };
    if from >= to {
        return bad(format!(
            "--from ({}) must be below --to ({}); both are requests per month",
            a.from, a.to
        ));
    }
    if !(2..=MAX_POINTS).contains(&a.points) {
        return bad(format!(
            "--points: {} is not a whole number from 2 to {MAX_POINTS}",
            a.points
        ));
    }
    let scenario = match super::read_input("sweep", a.scenario)
        .and_then(|text| super::parse_scenario("sweep", a.scenario, &text))
    {
        Ok(s) => s,
        Err(code) => return code,
    };
    let pricing = Pricing::default();
    let result = match sweep(
        &scenario,
        &fleet_config(&scenario),
        &pricing,
        from,
        to,
        a.points,
    ) {
        Ok(s) => s,
        Err(e) => return bad(e.to_string()),
    };
    if a.csv {
        print!("{}", csv(&result));
        for line in break_even_lines(&result) {
            eprintln!("{line}");
        }
    } else {
        print!("{}", table(&scenario, &result));
    }
    ExitCode::SUCCESS
}

/// Dollars with cents, no grouping, for CSV: `1234.57`.
fn usd(m: Money) -> String {
    let c = m.round_to_cents();
    format!("{}.{:02}", c / 100, c % 100)
}

/// `requests_per_month,lambda_usd,ec2_fixed_usd,ec2_autoscaling_usd` rows.
pub fn csv(s: &Sweep) -> String {
    let mut out = String::from("requests_per_month,lambda_usd,ec2_fixed_usd,ec2_autoscaling_usd\n");
    for p in &s.points {
        out.push_str(&format!(
            "{},{},{},{}\n",
            p.requests_per_month,
            usd(p.lambda),
            usd(p.ec2_fixed),
            usd(p.ec2_autoscaling)
        ));
    }
    out
}

/// 1,234,567 → "1.23M"-style short volume for the break-even lines.
fn short(v: f64) -> String {
    let (d, s) = volume_scale(v);
    let n = format!("{:.3}", v / d);
    let n = n.trim_end_matches('0').trim_end_matches('.');
    format!("{n}{s}")
}

fn break_even_lines(s: &Sweep) -> Vec<String> {
    let mut out = vec![
        "Break-even (where Lambda and EC2 cost the same; found by bisection on the cost functions, to the request):".to_owned(),
    ];
    if s.break_evens.is_empty() {
        out.push("  none in this range".to_owned());
    }
    for b in &s.break_evens {
        let v = libm::round(b.requests_per_month) as u64;
        let (below, above) = if b.lambda_cheaper_below {
            ("Lambda", "EC2")
        } else {
            ("EC2", "Lambda")
        };
        out.push(format!(
            "  Lambda = {} at about {} requests/month ({}; {:.1} requests/s on average): {below} is cheaper below, {above} above",
            b.ec2.label(),
            group_thousands(&v.to_string()),
            short(b.requests_per_month),
            b.requests_per_month / (30.0 * 86_400.0),
        ));
    }
    out
}

/// The human table.
fn table(scenario: &Scenario, s: &Sweep) -> String {
    let mut out = format!(
        "Monthly cost by request volume: {}\n",
        if scenario.name.is_empty() {
            "(unnamed scenario)"
        } else {
            &scenario.name
        }
    );
    out.push_str(&format!("{}\n\n", s.method));
    out.push_str(&format!(
        "{:>20}  {:>14}  {:>16}  {:>18}\n",
        "requests/month", "Lambda", "EC2 fixed (peak)", "EC2 Auto Scaling"
    ));
    for p in &s.points {
        out.push_str(&format!(
            "{:>20}  {:>14}  {:>16}  {:>18}\n",
            group_thousands(&p.requests_per_month.to_string()),
            p.lambda.to_string(),
            p.ec2_fixed.to_string(),
            p.ec2_autoscaling.to_string()
        ));
    }
    out.push('\n');
    for line in break_even_lines(s) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_parse_with_suffixes() {
        assert_eq!(parse_volume("10k"), Ok(1e4));
        assert_eq!(parse_volume("2.5M"), Ok(2.5e6));
        assert_eq!(parse_volume("1B"), Ok(1e9));
        assert_eq!(parse_volume("1_000_000"), Ok(1e6));
        assert_eq!(parse_volume("1e6"), Ok(1e6));
        let e = parse_volume("10x").unwrap_err();
        assert!(e.contains("'10x'") && e.contains("10k, 2.5M, 1B"), "{e}");
        assert!(parse_volume("-5k").is_err());
        assert!(parse_volume("0").is_err());
    }

    #[test]
    fn short_volumes() {
        assert_eq!(short(1_234_567.0), "1.235M");
        assert_eq!(short(2e9), "2B");
        assert_eq!(short(15_000.0), "15k");
        assert_eq!(short(1_500_000.0), "1.5M");
    }
}
