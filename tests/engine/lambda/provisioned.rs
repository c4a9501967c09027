//! Provisioned concurrency is allocated asynchronously: each new
//! environment runs its INIT before it serves warm requests.

use super::*;
use fanout::engine::HappeningKind as H;

fn raised_at_5s(times: &str) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":100,
        "sources":[{{"kind":"api","pattern":{{"type":"trace_times","times_s":[{times}]}}}}],
        "function":{{"timeout_s":10,"duration":{{"type":"fixed","ms":100}},"init_duration":{{"type":"fixed","ms":1000}},
                     "provisioned":[{{"at_s":0,"level":4}},{{"at_s":5,"level":10}}]}}}}"#
    ))
}

#[test]
fn raised_provisioned_environments_initialize_for_one_init_then_serve_warm() {
    let mut s = raised_at_5s("5.5, 6.5, 6.5");
    // Level 4 from 0 s: ready after its 1 s INIT.
    s.advance_to(secs(0.5));
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle), (4, 0));
    s.advance_to(secs(4.0));
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle), (0, 4));
    // Raised to 10 at 5 s: 6 new ones INIT for 1 s, the 4 old stay idle.
    let h = run_to(&mut s, 5.2);
    // 4 at 0 s and 6 more at 5 s.
    assert_eq!(count(&h, H::EnvProvisioned), 10);
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle, snap.total), (6, 4, 10));
    // 6 s: all 10 idle and routable.
    s.advance_to(secs(6.01));
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle), (0, 10));
    // The 5.5 s request took one of the 4 ready ones; both 6.5 s requests
    // are warm on provisioned environments too.
    let h = run_to(&mut s, 7.0);
    assert_eq!(count(&h, H::RoutedProvisioned), 3);
    assert_eq!(count(&h, H::ColdStart), 0);
    let c = s.counters();
    assert_eq!(c.provisioned_invocations, 3);
    assert_eq!(c.cold_starts, 0);
}

#[test]
fn provisioned_level_10_from_zero_is_ready_only_after_init_and_requests_meanwhile_go_on_demand() {
    let mut s = sim(r#"{"version":1,"seed":1,"duration_s":100,
        "sources":[{"kind":"api","pattern":{"type":"trace_times","times_s":[5.5, 7]}}],
        "function":{"timeout_s":10,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":1000},
                    "provisioned":[{"at_s":5,"level":10}]}}"#);
    let h = run_to(&mut s, 5.4);
    assert_eq!(count(&h, H::EnvProvisioned), 10);
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle, snap.busy), (10, 0, 0));
    // A request inside that second is an on-demand cold start.
    let h = run_to(&mut s, 5.6);
    assert_eq!(count(&h, H::ColdStart), 1);
    assert_eq!(count(&h, H::RoutedProvisioned), 0);
    let snap = s.snapshot().lambda;
    assert_eq!(snap.initializing, 11);
    // INIT over at 6 s: 10 idle provisioned (the on-demand cold start is
    // in its own INIT until 6.5 s).
    s.advance_to(secs(6.01));
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle), (1, 10));
    let h = run_to(&mut s, 7.5);
    assert_eq!(count(&h, H::RoutedProvisioned), 1);
    assert_eq!(count(&h, H::ColdStart), 0);
    s.advance_to(secs(100.0));
    let r = s.report();
    let b = r.lambda.billable;
    // The provisioned INIT is not billed as on-demand INIT; the cold start's is.
    assert_eq!(b.on_demand_while_provisioned.requests, 1);
    assert_eq!(b.provisioned_requests, 1);
    assert_eq!(b.provisioned_billed_ms, 100);
    // Provisioned concurrency is billed from when it is configured (5 s).
    assert_eq!(b.provisioned_env_ms, 10 * 95_000);
}

#[test]
fn provisioned_level_lowered_during_init_removes_the_surplus_when_init_ends() {
    let mut s = sim(r#"{"version":1,"seed":1,"duration_s":100,
        "sources":[{"kind":"api","pattern":{"type":"trace_times","times_s":[50]}}],
        "function":{"timeout_s":10,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":1000},
                    "provisioned":[{"at_s":0,"level":10},{"at_s":0.5,"level":3}]}}"#);
    let h = run_to(&mut s, 2.0);
    assert_eq!(count(&h, H::EnvProvisioned), 10);
    assert_eq!(count(&h, H::EnvDeprovisioned), 7);
    let snap = s.snapshot().lambda;
    assert_eq!((snap.initializing, snap.idle, snap.total), (0, 3, 3));
}
