//! `fanout bill`: stable output (snapshots under tests/snapshots/) and bad
//! input reported with the field named and exit code 2.
//!
//! To accept a deliberate change of output, run the tests with
//! `UPDATE_SNAPSHOTS=1` and review the diff of tests/snapshots/.

use crate::common::{fanout_output, root, temp};
use std::path::Path;

/// Compares `actual` with the committed snapshot, or rewrites it.
fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_SNAPSHOTS=1", path.display()));
    assert!(
        expected == actual,
        "{name} changed.\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

fn bill_snapshot(usage: &str, json: bool, name: &str) {
    let mut args = vec!["bill", usage];
    if json {
        args.push("--json");
    }
    let out = fanout_output(&args);
    assert!(
        out.status.success(),
        "{usage}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    snapshot(name, &String::from_utf8(out.stdout).expect("UTF-8 output"));
}

#[test]
fn example_table() {
    bill_snapshot("static/usage/example.json", false, "bill_example.txt");
}

#[test]
fn example_json() {
    bill_snapshot("static/usage/example.json", true, "bill_example.json");
    // And it is JSON whose total is the exact sum of its lines.
    let out = fanout_output(&["bill", "static/usage/example.json", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    for bill in v["bills"].as_array().expect("bills") {
        let sum: i64 = bill["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l["amount"]["micro_usd"].as_i64().expect("micro_usd"))
            .sum();
        assert_eq!(sum, bill["total"]["micro_usd"].as_i64().expect("total"));
    }
}

#[test]
fn provisioned_arm_table() {
    bill_snapshot(
        "static/usage/provisioned-arm.json",
        false,
        "bill_provisioned_arm.txt",
    );
}

#[test]
fn fleet_discount_table() {
    bill_snapshot(
        "static/usage/fleet-discount.json",
        false,
        "bill_fleet_discount.txt",
    );
}

fn bad_input(name: &str, text: &str) -> String {
    let path = temp(&format!("bill-{name}.json"), text);
    let out = fanout_output(&["bill", path.to_str().expect("UTF-8 path")]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(2), "bad input exits with 2");
    assert!(out.stdout.is_empty(), "no bill on bad input");
    String::from_utf8(out.stderr).expect("UTF-8 errors")
}

#[test]
fn bad_values_are_all_listed_with_field_value_and_range() {
    let err = bad_input(
        "values",
        r#"{ "lambda": { "requests": 1000, "average_duration_ms": 1000000, "memory_mb": 20000 },
             "ec2": { "instance_type": "m5.large", "count": 1, "discount_percent": 150 } }"#,
    );
    assert!(err.contains("lambda.average_duration_ms: 1000000 is not allowed; allowed: more than 0 to 900,000 ms"), "{err}");
    assert!(
        err.contains(
            "lambda.memory_mb: 20000 is not allowed; allowed: a whole number from 128 to 10,240 MB"
        ),
        "{err}"
    );
    assert!(
        err.contains("ec2.discount_percent: 150 is not allowed; allowed: from 0 to 100 %"),
        "{err}"
    );
}

#[test]
fn unknown_field_is_named() {
    let err = bad_input(
        "unknown",
        r#"{ "lambda": { "requests": 1, "average_duration_ms": 5, "memory_mb": 128,
             "event_sources": { "sqs": { "requests": 5, "colour": "red" } } } }"#,
    );
    assert!(err.contains("lambda.event_sources.sqs.colour"), "{err}");
}

#[test]
fn bad_price_override_is_named() {
    let err = bad_input(
        "price",
        r#"{ "prices": { "ec2_hourly": { "m5.large": "-1" } },
             "ec2": { "instance_type": "m5.large", "count": 1 } }"#,
    );
    assert!(err.contains("prices.ec2_hourly.m5.large"), "{err}");
}

#[test]
fn missing_file_is_a_runtime_failure() {
    let out = fanout_output(&["bill", "no/such/usage.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    assert!(Path::new(&root())
        .join("static/usage/example.json")
        .exists());
}

#[test]
fn public_ipv4_hours_are_their_own_line() {
    // An ALB over 3 zones all month: 3 × 720 = 2,160 IP-hours × $0.005 =
    // $10.80 (Amazon VPC pricing, Public IPv4 Address).
    let path = temp(
        "bill-ipv4.json",
        r#"{ "ec2": { "instance_type": "m5.large", "count": 2, "alb": {},
             "public_ipv4_hours": 2160 } }"#,
    );
    let out = fanout_output(&["bill", path.to_str().expect("UTF-8 path")]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let line = text
        .lines()
        .find(|l| l.contains("Public IPv4 addresses"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("2,160") && line.contains("$10.80"), "{line}");
    let err = bad_input(
        "ipv4-negative",
        r#"{ "ec2": { "instance_type": "m5.large", "count": 1, "public_ipv4_hours": -1 } }"#,
    );
    assert!(
        err.contains("ec2.public_ipv4_hours: -1 is not allowed"),
        "{err}"
    );
}

#[test]
fn t3_surplus_credits_are_their_own_line() {
    // 2 × t3.micro at 60 % all month: 2 × (60 − 10) % × 2 vCPU × 720 h =
    // 1,440 vCPU-hours × $0.05 = $72.00 (EC2 On-Demand pricing, T2/T3/T4g
    // Unlimited Mode Pricing), beside 1,440 instance-hours × $0.0104 =
    // $14.98.
    let path = temp(
        "bill-t3.json",
        r#"{ "ec2": { "instance_type": "t3.micro", "count": 2, "surplus_vcpu_hours": 1440 } }"#,
    );
    let out = fanout_output(&["bill", path.to_str().expect("UTF-8 path")]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let line = text
        .lines()
        .find(|l| l.contains("T3 Unlimited surplus CPU credits"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("1,440") && line.contains("$72.00"), "{line}");
    let err = bad_input(
        "t3-negative",
        r#"{ "ec2": { "instance_type": "t3.micro", "count": 1, "surplus_vcpu_hours": -1 } }"#,
    );
    assert!(
        err.contains("ec2.surplus_vcpu_hours: -1 is not allowed"),
        "{err}"
    );
}
