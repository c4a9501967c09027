//! The AWS Lambda pricing page's worked examples (US East, N. Virginia),
//! entered as usage files in static/usage/aws-example-*.json and priced by
//! `fanout bill --json`: every line and the total must match the page to
//! the cent. Each line is `(item, quantity, exact µ$, the page's amount)`;
//! the exact amount is quantity × rate rounded once to the micro-dollar,
//! the page's amount is what AWS prints (rounded to the cent).
//!
//! Source: <https://aws.amazon.com/lambda/pricing/> ("Lambda Ephemeral
//! Storage Pricing" examples 1–3 and "Provisioned Concurrency Pricing"
//! examples 1–2), see docs/aws-facts.md.

use crate::common::fanout_output;

/// One expected bill line.
type Line = (&'static str, &'static str, i64, &'static str);

/// Prices `usage` and checks every line, in order, and the total.
fn check(usage: &str, lines: &[Line], total_micros: i64, total: &str) {
    let out = fanout_output(&["bill", usage, "--json"]);
    assert!(
        out.status.success(),
        "{usage}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let bills = v["bills"].as_array().expect("bills");
    assert_eq!(bills.len(), 1, "{usage}: one Lambda bill");
    let got: Vec<(String, String, i64, String)> = bills[0]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["item"].as_str().expect("item").to_owned(),
                l["quantity"].as_str().expect("quantity").to_owned(),
                l["amount"]["micro_usd"].as_i64().expect("micro_usd"),
                l["amount"]["display"].as_str().expect("display").to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String, i64, String)> = lines
        .iter()
        .map(|&(i, q, m, d)| (i.to_owned(), q.to_owned(), m, d.to_owned()))
        .collect();
    assert_eq!(got, want, "{usage}: lines");
    assert_eq!(bills[0]["total"]["micro_usd"].as_i64(), Some(total_micros));
    assert_eq!(bills[0]["total"]["display"].as_str(), Some(total));
}

#[test]
fn aws_example_1_mobile_application_backend() {
    // 3 M requests of 120 ms at 1,536 MB, x86, free tier: compute 540,000 −
    // 400,000 GB-s = 140,000 × $0.0000166667 = $2.33; requests 3 M − 1 M
    // = 2 M × $0.20/M = $0.40; total $2.73.
    check(
        "static/usage/aws-example-mobile-backend.json",
        &[
            ("Lambda requests, free tier", "1000000", 0, "$0.00"),
            ("Lambda requests", "2000000", 400_000, "$0.40"),
            ("Lambda duration x86_64, free tier", "400000", 0, "$0.00"),
            (
                "Lambda duration x86_64, first 6B GB-s",
                "140000",
                2_333_338,
                "$2.33",
            ),
        ],
        2_733_338,
        "$2.73",
    );
}

#[test]
fn aws_example_2_enriching_streaming_telemetry() {
    // 10,000 vehicles × 24 × 31 = 7.44 M messages of 2 s at 1,024 MB, x86.
    // The page prices it WITHOUT the free tier (7.44 M × $0.20/M = $1.49,
    // 14.88 M GB-s × $0.0000166667 = $248.00), so the usage file says
    // `"free_tier": false`; total $249.49.
    check(
        "static/usage/aws-example-telemetry.json",
        &[
            ("Lambda requests", "7440000", 1_488_000, "$1.49"),
            (
                "Lambda duration x86_64, first 6B GB-s",
                "14880000",
                248_000_496,
                "$248.00",
            ),
        ],
        249_488_496,
        "$249.49",
    );
}

#[test]
fn aws_example_3_ml_on_customer_support_tickets() {
    // 6 M requests of 280 ms at 4,096 MB with 2,048 MB ephemeral storage,
    // x86, free tier: compute 6,720,000 − 400,000 = 6,320,000 GB-s ×
    // $0.0000166667 = $105.33; requests 5 M × $0.20/M = $1; storage
    // 1,680,000 s × 1.5 GB = 2,520,000 GB-s × $0.0000000309 = $0.08;
    // total $106.41.
    check(
        "static/usage/aws-example-support-nlp.json",
        &[
            ("Lambda requests, free tier", "1000000", 0, "$0.00"),
            ("Lambda requests", "5000000", 1_000_000, "$1.00"),
            ("Lambda duration x86_64, free tier", "400000", 0, "$0.00"),
            (
                "Lambda duration x86_64, first 6B GB-s",
                "6320000",
                105_333_544,
                "$105.33",
            ),
            ("Ephemeral storage above 512 MB", "2520000", 77_868, "$0.08"),
        ],
        106_411_412,
        "$106.41",
    );
}

#[test]
fn aws_provisioned_example_1_mobile_application_launch() {
    // 1,536 MB, x86. Provisioned concurrency 100 for the 8 launch hours,
    // serving 500,000 requests of 100 ms; the other 2.5 M requests of
    // 120 ms run on demand with PC disabled. Configured: 150 GB × 28,800 s
    // = 4,320,000 GB-s × $0.0000041667 = $18; requests 3 M − 1 M free =
    // 2 M × $0.20/M = $0.40; PC compute 75,000 GB-s × $0.0000097222 =
    // $0.73; on-demand compute 450,000 − 400,000 free = 50,000 GB-s ×
    // $0.0000166667 = $0.83; total $19.96.
    check(
        "static/usage/aws-example-pc-mobile-launch.json",
        &[
            ("Lambda requests, free tier", "1000000", 0, "$0.00"),
            ("Lambda requests", "2000000", 400_000, "$0.40"),
            ("Lambda duration x86_64, free tier", "400000", 0, "$0.00"),
            (
                "Lambda duration x86_64, first 6B GB-s",
                "50000",
                833_335,
                "$0.83",
            ),
            (
                "Provisioned concurrency x86_64, configured",
                "4320000",
                18_000_144,
                "$18.00",
            ),
            (
                "Provisioned concurrency x86_64, duration",
                "75000",
                729_165,
                "$0.73",
            ),
        ],
        19_962_644,
        "$19.96",
    );
}

#[test]
fn aws_provisioned_example_2_cyber_monday_support_routing() {
    // 4,096 MB, x86, provisioned concurrency 7 for the 24 hours of the
    // sale, serving all 2 M requests of 280 ms (no on-demand requests, no
    // free tier). Configured: 28 GB × 86,400 s = 2,419,200 GB-s ×
    // $0.0000041667 = $10.08; PC compute 2,240,000 GB-s × $0.0000097222 =
    // $21.78; requests 2 M × $0.20/M = $0.40; total $32.26.
    check(
        "static/usage/aws-example-pc-cyber-monday.json",
        &[
            ("Lambda requests", "2000000", 400_000, "$0.40"),
            (
                "Provisioned concurrency x86_64, configured",
                "2419200",
                10_080_081,
                "$10.08",
            ),
            (
                "Provisioned concurrency x86_64, duration",
                "2240000",
                21_777_728,
                "$21.78",
            ),
        ],
        32_257_809,
        "$32.26",
    );
}

#[test]
fn provisioned_requests_and_served_share_together_are_refused() {
    let path = crate::common::temp(
        "bill-pc-both.json",
        r#"{ "lambda": { "requests": 1000, "average_duration_ms": 100, "memory_mb": 1024,
             "provisioned_concurrency": { "level": 1, "hours": 1, "requests": 10, "served_share": 0.5 } } }"#,
    );
    let out = fanout_output(&["bill", path.to_str().expect("UTF-8 path")]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).expect("UTF-8 errors");
    assert!(
        err.contains("lambda.provisioned_concurrency: give at most one of `requests`")
            && err.contains("`served_share`"),
        "{err}"
    );
}
