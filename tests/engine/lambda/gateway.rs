//! API Gateway's integration timeout in front of the function: the client
//! gets a 504 at 30 s (HTTP API) or 29 s (REST API, default) while the
//! function runs on and is billed in full (API Gateway quota pages).

use super::*;
use fanout::engine::scenario::ScenarioError;
use fanout::engine::HappeningKind as H;

/// One API request at 0 s (and more at `times`), a handler of `handler_ms`,
/// INIT of `init_ms`, the source's `api` section `api` (JSON or empty).
fn behind_api(api: &str, times: &str, handler_ms: u64, init_ms: u64) -> Simulation {
    let api = if api.is_empty() {
        String::new()
    } else {
        format!(r#","api":{api}"#)
    };
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":300,
        "sources":[{{"kind":"api","pattern":{{"type":"trace_times","times_s":[{times}]}}{api}}}],
        "function":{{"timeout_s":900,"duration":{{"type":"fixed","ms":{handler_ms}}},
                     "init_duration":{{"type":"fixed","ms":{init_ms}}}}}}}"#
    ))
}

fn problems(json: &str) -> Vec<ScenarioError> {
    fanout::engine::scenario::Scenario::from_json(json)
        .err()
        .unwrap_or_default()
}

#[test]
fn http_api_answers_504_at_30_s_while_lambda_runs_and_bills_45_s() {
    // No `api` section: an HTTP API, the default.
    let mut s = behind_api("", "0", 45_000, 0);
    let h = run_to(&mut s, 29.999);
    assert_eq!(count(&h, H::GatewayTimeout), 0);
    let h = run_to(&mut s, 30.0);
    assert_eq!(times_of(&h, H::GatewayTimeout), vec![30_000_000]);
    let c = *s.counters();
    assert_eq!((c.gateway_timeouts, c.timed_out, c.in_flight), (1, 1, 0));
    // The environment stays busy: the function does not know.
    assert_eq!(s.snapshot().lambda.busy, 1);
    assert_eq!(s.snapshot().lambda.counters.gateway_timeouts, 1);
    let h = run_to(&mut s, 45.0);
    assert_eq!(times_of(&h, H::Succeeded), vec![45_000_000]);
    assert_eq!(s.snapshot().lambda.busy, 0);
    let r = s.report();
    let c = r.lambda.counters;
    // The invocation itself succeeded (Lambda's view); the client's request
    // timed out (the caller's view), counted once.
    assert_eq!((c.invocations, c.timeouts, c.succeeded), (1, 0, 0));
    assert_eq!((c.timed_out, c.gateway_timeouts), (1, 1));
    assert!(r.lambda.accounting_balances);
    assert_eq!(r.sources[0].counters.gateway_timeouts, 1);
    // The client waited 30 s; Lambda bills 45 s.
    assert_eq!(r.lambda.latency.count, 1);
    assert!(
        (r.lambda.latency.max_ms - 30_000.0).abs() < 30.0,
        "{:?}",
        r.lambda.latency
    );
    assert_eq!(s.lambda_usage().on_demand.billed_ms, 45_000);
    let u = s.event_source_usage();
    assert_eq!((u.api_http_requests, u.api_rest_requests), (1, 0));
}

#[test]
fn rest_api_answers_504_at_29_s_and_is_priced_as_rest() {
    let mut s = behind_api(r#"{"type":"rest"}"#, "0", 45_000, 0);
    let h = run_to(&mut s, 60.0);
    assert_eq!(times_of(&h, H::GatewayTimeout), vec![29_000_000]);
    assert_eq!(times_of(&h, H::Succeeded), vec![45_000_000]);
    assert_eq!(s.lambda_usage().on_demand.billed_ms, 45_000);
    let u = s.event_source_usage();
    assert_eq!((u.api_http_requests, u.api_rest_requests), (0, 1));
}

#[test]
fn a_10_s_handler_is_unaffected() {
    for api in ["", r#"{"type":"rest"}"#] {
        let mut s = behind_api(api, "0", 10_000, 0);
        let h = run_to(&mut s, 60.0);
        assert_eq!(count(&h, H::GatewayTimeout), 0, "{api}");
        let c = *s.counters();
        assert_eq!((c.succeeded, c.timed_out, c.gateway_timeouts), (1, 0, 0));
    }
}

#[test]
fn init_counts_against_the_integration_timeout() {
    // 2 s INIT + 29 s handler = 31 s > 30 s: a 504 at 30 s on the cold
    // start; the warm request at 40 s (29 s) is answered.
    let mut s = behind_api("", "0, 40", 29_000, 2_000);
    let h = run_to(&mut s, 100.0);
    assert_eq!(times_of(&h, H::GatewayTimeout), vec![30_000_000]);
    assert_eq!(times_of(&h, H::Succeeded), vec![31_000_000, 69_000_000]);
    let c = *s.counters();
    assert_eq!((c.succeeded, c.gateway_timeouts, c.timed_out), (1, 1, 1));
}

#[test]
fn the_environment_stays_busy_after_the_504() {
    // The second request at 35 s finds the first environment still running
    // the abandoned request: a cold start.
    let mut s = behind_api("", "0, 35", 45_000, 100);
    let h = run_to(&mut s, 36.0);
    assert_eq!(count(&h, H::ColdStart), 2);
    assert_eq!(s.snapshot().lambda.busy, 2);
}

#[test]
fn a_shorter_or_raised_integration_timeout_applies() {
    let mut s = behind_api(r#"{"integration_timeout_s":5}"#, "0", 10_000, 0);
    let h = run_to(&mut s, 20.0);
    assert_eq!(times_of(&h, H::GatewayTimeout), vec![5_000_000]);
    // A Regional REST API with a raised quota waits 60 s.
    let mut s = behind_api(
        r#"{"type":"rest","integration_timeout_s":60}"#,
        "0",
        45_000,
        0,
    );
    let h = run_to(&mut s, 100.0);
    assert_eq!(count(&h, H::GatewayTimeout), 0);
    assert_eq!(s.counters().succeeded, 1);
}

#[test]
fn the_integration_timeout_is_validated_by_api_type() {
    let src = |kind: &str, api: &str| {
        format!(
            r#"{{"version":1,"duration_s":10,"sources":[{{"kind":"{kind}","pattern":{{"type":"constant","rate_per_s":1}},"api":{api}}}],"function":{{}}}}"#
        )
    };
    let p = problems(&src("api", r#"{"integration_timeout_s":31}"#));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "sources[0].api.integration_timeout_s");
    assert!(p[0].message.contains("HTTP API maximum of 30"), "{p:?}");
    let p = problems(&src(
        "api",
        r#"{"type":"rest","integration_timeout_s":301}"#,
    ));
    assert!(p[0].message.contains("REST API maximum of 300"), "{p:?}");
    let p = problems(&src(
        "api",
        r#"{"type":"rest","integration_timeout_s":0.01}"#,
    ));
    assert!(p[0].message.contains("minimum of 0.05"), "{p:?}");
    assert!(problems(&src(
        "api",
        r#"{"type":"rest","integration_timeout_s":300}"#
    ))
    .is_empty());
    let p = problems(&src("sqs", r#"{"type":"http"}"#));
    assert_eq!(p[0].path, "sources[0].api");
}
