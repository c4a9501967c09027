//! The scaling-rate limit (current and legacy) and the concurrency limits.

use super::*;
use fanout::engine::HappeningKind as H;

fn bursts(bursts: &str, account: &str, function_extra: &str) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":600,
        "sources":[{{"kind":"api","pattern":{{"type":"bursts","bursts":[{bursts}]}}}}],
        "function":{{"timeout_s":900,"duration":{{"type":"fixed","ms":300000}},
                    "init_duration":{{"type":"fixed","ms":100}}{function_extra}}},
        "account":{account}}}"#
    ))
}

#[test]
fn current_scaling_admits_1000_new_environments_per_10_s() {
    // 10,000 sync requests at once, then again every 10 s; every invocation
    // runs 5 minutes, so no environment is reused.
    let mut s = bursts(
        r#"{"at_s":0,"count":10000},{"at_s":10,"count":10000},{"at_s":20,"count":10000},{"at_s":25,"count":10000}"#,
        r#"{"concurrency_limit":50000,"scaling":{"model":"current"}}"#,
        "",
    );
    s.advance_to(secs(0.0));
    let c = *s.counters();
    assert_eq!(c.cold_starts, 1_000);
    assert_eq!(c.throttles, 9_000);
    assert_eq!(c.throttles_scaling, 9_000);
    assert_eq!(c.dropped, 9_000, "sync throttles are 429s: dropped");
    s.advance_to(secs(10.0));
    assert_eq!(
        s.counters().cold_starts,
        2_000,
        "exactly 1,000 more after 10 s"
    );
    s.advance_to(secs(20.0));
    assert_eq!(s.counters().cold_starts, 3_000);
    // Continuous refill: 5 s after the last burst, half the window's tokens.
    s.advance_to(secs(25.0));
    assert_eq!(s.counters().cold_starts, 3_500);
    assert_eq!(s.counters().throttles, 40_000 - 3_500);
    assert!(s.counters().balances());
}

#[test]
fn unused_scaling_capacity_is_not_banked() {
    let mut s = bursts(
        r#"{"at_s":100,"count":5000}"#,
        r#"{"concurrency_limit":50000,"scaling":{"model":"current"}}"#,
        "",
    );
    s.advance_to(secs(100.0));
    assert_eq!(
        s.counters().cold_starts,
        1_000,
        "100 idle seconds bank no more than 1,000"
    );
}

#[test]
fn legacy_burst_then_500_per_minute() {
    let mut s = bursts(
        r#"{"at_s":0,"count":5000},{"at_s":60,"count":5000},{"at_s":120,"count":5000}"#,
        r#"{"concurrency_limit":10000,"scaling":{"model":"legacy","initial_burst":1000}}"#,
        "",
    );
    s.advance_to(secs(0.0));
    assert_eq!(s.counters().cold_starts, 1_000, "Regional initial burst");
    s.advance_to(secs(60.0));
    assert_eq!(s.counters().cold_starts, 1_500, "+500 after a minute");
    s.advance_to(secs(120.0));
    assert_eq!(s.counters().cold_starts, 2_000);

    let mut s = bursts(
        r#"{"at_s":0,"count":5000}"#,
        r#"{"concurrency_limit":10000,"scaling":{"model":"legacy","initial_burst":3000}}"#,
        "",
    );
    s.advance_to(secs(0.0));
    assert_eq!(s.counters().cold_starts, 3_000);
}

#[test]
fn unlimited_scaling_stops_only_at_the_concurrency_limit() {
    let mut s = bursts(
        r#"{"at_s":0,"count":5000}"#,
        r#"{"concurrency_limit":3000,"scaling":{"model":"unlimited"}}"#,
        "",
    );
    s.advance_to(secs(0.0));
    let c = *s.counters();
    assert_eq!(
        (c.cold_starts, c.throttles_concurrency, c.throttles_scaling),
        (3_000, 2_000, 0)
    );
}

#[test]
fn account_concurrency_limit_throttles() {
    let mut s = bursts(
        r#"{"at_s":0,"count":500}"#,
        r#"{"concurrency_limit":200}"#,
        "",
    );
    let h = run_to(&mut s, 0.0);
    assert_eq!(count(&h, H::ColdStart), 200);
    assert_eq!(count(&h, H::Throttled), 300);
    assert_eq!(s.counters().throttles_concurrency, 300);
    assert_eq!(s.snapshot().lambda.concurrency_in_use, 200);
}

#[test]
fn reserved_concurrency_is_the_functions_maximum() {
    let mut s = bursts(
        r#"{"at_s":0,"count":500}"#,
        r#"{"concurrency_limit":1000}"#,
        r#","reserved_concurrency":50"#,
    );
    s.advance_to(secs(1.0));
    let c = *s.counters();
    assert_eq!((c.cold_starts, c.throttles_concurrency), (50, 450));
    assert_eq!(s.snapshot().lambda.concurrency_limit, 50);
    // Reserved 0 turns the function off.
    let mut s = bursts(
        r#"{"at_s":0,"count":5}"#,
        r#"{"concurrency_limit":1000}"#,
        r#","reserved_concurrency":0"#,
    );
    s.advance_to(secs(1.0));
    assert_eq!(s.counters().throttles, 5);
}
