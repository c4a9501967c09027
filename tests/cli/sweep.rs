//! `fanout sweep`: CSV shape, rising costs, the break-even, and exit code 2
//! with a message naming the flag on bad input.

use crate::common::{fanout, temp};

/// A memory-heavy API: Lambda's price per busy second is above an EC2
/// slot's, so Lambda wins at low volume (the fleet's fixed floor) and loses
/// at high volume: the curves must cross.
const HEAVY: &str = r#"{"version": 1, "name": "heavy", "duration_s": 3600,
  "sources": [{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": 20}}],
  "function": {"memory_mb": 4096, "duration": {"type": "fixed", "ms": 300}}}"#;

fn rows(csv: &str) -> Vec<Vec<f64>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').map(|f| f.parse::<f64>().unwrap()).collect())
        .collect()
}

#[test]
fn csv_has_the_header_one_row_per_point_and_rising_costs() {
    let (code, out, err) = fanout(&[
        "sweep",
        "static/scenarios/steady-api.json",
        "--from",
        "10k",
        "--to",
        "1B",
        "--per-month",
        "--points",
        "6",
        "--csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("requests_per_month,lambda_usd,ec2_fixed_usd,ec2_autoscaling_usd")
    );
    let r = rows(&out);
    assert_eq!(r.len(), 6);
    assert_eq!(r[0][0], 10_000.0);
    assert_eq!(r[5][0], 1_000_000_000.0);
    for w in r.windows(2) {
        assert!(w[1][0] > w[0][0]);
        for col in 1..4 {
            assert!(w[1][col] >= w[0][col], "column {col}: {w:?}");
        }
    }
    // The break-even lines go to stderr so stdout stays plottable.
    assert!(err.contains("Break-even"), "{err}");
}

#[test]
fn a_break_even_is_found_where_the_curves_must_cross() {
    let p = temp("heavy.json", HEAVY);
    let args = [
        "sweep",
        p.to_str().unwrap(),
        "--from",
        "10k",
        "--to",
        "10B",
        "--per-month",
    ];
    let (code, out, err) = fanout(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Monthly cost by request volume: heavy"),
        "{out}"
    );
    assert!(out.contains("ESTIMATE, not a bill"), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("Lambda = EC2 fixed fleet (sized for the peak) at about"))
        .unwrap_or_else(|| panic!("no break-even in:\n{out}"));
    assert!(
        line.contains("Lambda is cheaper below, EC2 above"),
        "{line}"
    );
    // The table agrees: Lambda cheaper at the lowest volume, dearer at the top.
    let (_, csv, _) = fanout(&[&args[..], &["--csv"]].concat());
    let r = rows(&csv);
    assert!(r[0][1] < r[0][2], "{r:?}");
    assert!(r.last().unwrap()[1] > r.last().unwrap()[2], "{r:?}");
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let s = "static/scenarios/steady-api.json";
    let (code, _, err) = fanout(&["sweep", s, "--from", "10x", "--to", "1B", "--per-month"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--from") && err.contains("'10x'") && err.contains("10k, 2.5M, 1B"),
        "{err}"
    );
    let (code, _, err) = fanout(&["sweep", s, "--from", "1B", "--to", "10k", "--per-month"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--from (1B) must be below --to (10k)"),
        "{err}"
    );
    let (code, _, err) = fanout(&["sweep", s, "--from", "1k", "--to", "1M", "--points", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--points"), "{err}");
    let (code, _, err) = fanout(&["sweep", s, "--from", "1k", "--to", "1M", "--points", "many"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = fanout(&["sweep", s, "--to", "1M"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--from"), "{err}");
    let bad = temp(
        "bad.json",
        r#"{"version": 1, "duration_s": -5, "sources": [], "function": {}}"#,
    );
    let (code, _, err) = fanout(&["sweep", bad.to_str().unwrap(), "--from", "1k", "--to", "1M"]);
    assert_eq!(code, 2);
    assert!(err.contains("duration_s"), "{err}");
    let (code, _, _) = fanout(&["sweep", "no/such/file.json", "--from", "1k", "--to", "1M"]);
    assert_eq!(code, 1);
}
