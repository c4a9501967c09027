//! The requests-per-second limit (10 × the concurrency limit) and an INIT
//! longer than 10 s (retried inside the first invocation, under the
//! timeout).

use super::*;
use fanout::engine::HappeningKind as H;

/// One source at `rate` req/s (`kind`: api, s3), handlers of `ms`.
fn steady(kind: &str, rate: u32, ms: u32, until_s: u32, function_extra: &str) -> Simulation {
    let init_ms = if function_extra.is_empty() { 100 } else { 0 };
    sim(&format!(
        r#"{{"version":1,"seed":7,"duration_s":{until_s},
        "sources":[{{"kind":"{kind}","pattern":{{"type":"poisson","rate_per_s":{rate}}}}}],
        "function":{{"timeout_s":3,"duration":{{"type":"fixed","ms":{ms}}},
                    "init_duration":{{"type":"fixed","ms":{init_ms}}}{function_extra}}},
        "account":{{"concurrency_limit":1000}}}}"#
    ))
}

#[test]
fn a_function_serves_at_most_10_times_its_concurrency_per_second() {
    // AWS's example: 10 × the default 1,000 = 10,000 requests per second,
    // even though 50,000 req/s × 5 ms needs only 250 concurrent executions.
    let mut s = steady("api", 50_000, 5, 20, "");
    s.advance_to(secs(20.0));
    let r = s.report();
    let c = r.lambda.counters;
    assert!(c.arrived > 990_000, "{c:?}");
    assert!(c.invocations <= 20 * 10_000, "{c:?}");
    assert!(c.invocations >= 20 * 10_000 - 100, "{c:?}");
    // Every whole second served at most 10,000.
    for p in &r.lambda.series {
        assert!(
            p.invocations as f64 <= 10_000.0 * p.width_s,
            "{} invocations in the {} s from {} s",
            p.invocations,
            p.width_s,
            p.t_s
        );
    }
    // About 80 % throttled, nearly all by the request-rate limit: sync 429s.
    let throttled = c.throttles as f64 / c.arrived as f64;
    assert!((0.79..0.81).contains(&throttled), "{throttled}");
    assert!(c.throttles_rate as f64 > 0.99 * c.throttles as f64, "{c:?}");
    assert_eq!(
        c.throttles,
        c.throttles_rate + c.throttles_concurrency + c.throttles_scaling
    );
    assert_eq!(c.dropped, c.throttles, "sync throttles are dropped (429)");
    assert!(c.balances());
    let snap = s.snapshot().lambda;
    assert_eq!(snap.request_rate_limit, 10_000);
    assert!(snap.requests_last_second <= 10_000);
}

#[test]
fn the_rate_limit_follows_reserved_concurrency_and_logs_its_own_happening() {
    // Reserved concurrency 100: 1,000 req/s; 2,000 req/s of 5 ms handlers
    // need only 10 concurrent executions.
    let mut s = steady("api", 2_000, 5, 10, r#","reserved_concurrency":100"#);
    let h = run_to(&mut s, 1.0);
    assert!(count(&h, H::ThrottledRate) > 500);
    assert_eq!(count(&h, H::Throttled), 0, "not a concurrency throttle");
    s.advance_to(secs(10.0));
    let c = *s.counters();
    assert!(c.invocations <= 10 * 1_000, "{c:?}");
    assert!(c.invocations >= 10 * 1_000 - 20, "{c:?}");
    assert_eq!(c.throttles_concurrency, 0);
}

#[test]
fn async_events_over_the_rate_limit_are_retried_not_lost() {
    // 500 S3 events a second for 4 s (one every 2 ms) with reserved
    // concurrency 10 (100 req/s): the internal queue retries the throttled
    // ones with back-off.
    let times: Vec<String> = (0..2_000)
        .map(|i| format!("{}", f64::from(i) * 0.002))
        .collect();
    let mut s = sim(&format!(
        r#"{{"version":1,"seed":3,"duration_s":3600,
        "sources":[{{"kind":"s3","pattern":{{"type":"trace_times","times_s":[{}]}}}}],
        "function":{{"timeout_s":3,"reserved_concurrency":10,"duration":{{"type":"fixed","ms":5}},
                    "init_duration":{{"type":"fixed","ms":0}}}},
        "account":{{"concurrency_limit":1000}}}}"#,
        times.join(",")
    ));
    s.advance_to(secs(3.5));
    let c = *s.counters();
    assert!(c.throttles_rate > 1_000, "{c:?}");
    assert!(c.waiting > 0, "throttled async events wait for a retry");
    s.advance_to(secs(3600.0));
    let c = *s.counters();
    assert_eq!(c.succeeded, 2_000, "{c:?}");
    assert_eq!(c.dropped, 0);
    assert!(c.retries > 0);
    assert!(c.balances());
}

fn one_request(init_ms: u32, timeout_s: u32) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":600,
        "sources":[{{"kind":"api","pattern":{{"type":"trace_times","times_s":[0]}}}}],
        "function":{{"timeout_s":{timeout_s},"memory_mb":1024,"duration":{{"type":"fixed","ms":1000}},
                    "init_duration":{{"type":"fixed","ms":{init_ms}}}}}}}"#
    ))
}

#[test]
fn init_over_ten_seconds_is_retried_inside_the_first_invocation() {
    // INIT 12 s, timeout 30 s: cut off at 10 s, then the invocation runs
    // INIT again (12 s) and the handler (1 s): it succeeds at 23 s.
    let mut s = one_request(12_000, 30);
    let h = run_to(&mut s, 22.9);
    assert_eq!(count(&h, H::Succeeded) + count(&h, H::TimedOut), 0);
    let h = run_to(&mut s, 23.0);
    assert_eq!(times_of(&h, H::Succeeded), vec![23_000_000]);
    let r = s.report();
    let c = r.lambda.counters;
    assert_eq!(
        (
            c.succeeded,
            c.init_timeouts,
            c.timeouts,
            c.environments_killed
        ),
        (1, 1, 0, 0)
    );
    // The environment is kept, warm.
    assert_eq!(s.snapshot().lambda.idle, 1);
    assert!((r.lambda.latency.max_ms - 23_000.0).abs() < 25.0);
    // Billed: the retried INIT and the handler as invoke duration (13 s);
    // with INIT billing (since Aug 2025) the cut-off 10 s INIT too (23 s).
    assert_eq!(r.lambda.billable.on_demand.billed_ms, 13_000);
    assert_eq!(r.lambda.billable.on_demand.billed_ms_with_init, 23_000);
}

#[test]
fn init_retry_counts_against_the_timeout_of_the_invocation() {
    // INIT 25 s, timeout 30 s: cut off at 10 s; the retry runs under the
    // invocation's 30 s timeout, and 25 s + 1 s fits: success at 36 s.
    let mut s = one_request(25_000, 30);
    let h = run_to(&mut s, 36.0);
    assert_eq!(times_of(&h, H::Succeeded), vec![36_000_000]);
    // INIT 29.5 s: 29.5 s + 1 s does not fit; the invocation times out at
    // 10 + 30 = 40 s and the environment goes.
    let mut s = one_request(29_500, 30);
    let h = run_to(&mut s, 40.0);
    assert_eq!(times_of(&h, H::TimedOut), vec![40_000_000]);
    assert_eq!(count(&h, H::EnvKilled), 1);
    let r = s.report();
    let c = r.lambda.counters;
    assert_eq!(
        (c.timed_out, c.init_timeouts, c.environments_killed),
        (1, 1, 1)
    );
    assert_eq!(r.lambda.billable.on_demand.billed_ms, 30_000);
    assert_eq!(r.lambda.billable.on_demand.billed_ms_with_init, 40_000);
}
