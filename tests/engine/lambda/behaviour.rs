//! Keep-alive, routing, timeouts, async retries, SQS, provisioned, determinism.

use super::*;
use fanout::engine::HappeningKind as H;

fn api_times(times: &str, function: &str) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":3600,
        "sources":[{{"kind":"api","pattern":{{"type":"trace_times","times_s":[{times}]}}}}],
        "function":{function}}}"#
    ))
}

#[test]
fn idle_environment_expires_after_keep_alive_since_last_request_ended() {
    let f = r#"{"timeout_s":10,"duration":{"type":"fixed","ms":1000},"init_duration":{"type":"fixed","ms":0},"keep_alive_s":60}"#;
    let mut s = api_times("0, 30", f);
    s.advance_to(secs(60.9));
    assert_eq!(s.snapshot().lambda.idle, 1);
    // Reused at 30 s (warm), so it lives until 31 + 60 = 91 s.
    assert_eq!(s.counters().warm_starts, 1);
    s.advance_to(secs(90.999));
    assert_eq!(s.snapshot().lambda.total, 1);
    let h = run_to(&mut s, 91.0);
    assert_eq!(count(&h, H::EnvExpired), 1);
    assert_eq!(s.snapshot().lambda.total, 0);
    assert_eq!(s.counters().environments_expired, 1);
    let r = s.report();
    assert!(
        (r.lambda.mean_lifespan_s - 91.0).abs() < 1e-6,
        "{}",
        r.lambda.mean_lifespan_s
    );
}

#[test]
fn requests_go_to_the_newest_idle_environment() {
    // Three at once make environments 0, 1, 2; later requests all go to 2,
    // so 0 and 1 expire first.
    let f = r#"{"timeout_s":10,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0},"keep_alive_s":100}"#;
    let mut s = api_times("0, 0, 0, 10, 20, 30", f);
    let h = run_to(&mut s, 30.5);
    let routed: Vec<Option<u64>> = h
        .iter()
        .filter(|x| x.kind == H::RoutedWarm)
        .map(|x| x.env)
        .collect();
    assert_eq!(routed, vec![Some(2), Some(2), Some(2)]);
    let h = run_to(&mut s, 100.2);
    let expired: Vec<Option<u64>> = h
        .iter()
        .filter(|x| x.kind == H::EnvExpired)
        .map(|x| x.env)
        .collect();
    assert_eq!(expired, vec![Some(0), Some(1)]);
    let snap = s.snapshot();
    assert_eq!(snap.lambda.environments.len(), 1);
    assert_eq!(snap.lambda.environments[0].id, 2);
}

#[test]
fn timeout_kills_the_invocation_and_discards_the_environment() {
    let f = r#"{"timeout_s":2,"duration":{"type":"fixed","ms":5000},"init_duration":{"type":"fixed","ms":300}}"#;
    let mut s = api_times("0, 10", f);
    let h = run_to(&mut s, 2.2);
    assert!(
        h.iter().all(|x| x.kind != H::TimedOut),
        "INIT does not count against the timeout"
    );
    let h = run_to(&mut s, 2.3);
    assert_eq!(count(&h, H::TimedOut), 1);
    assert_eq!(count(&h, H::EnvKilled), 1);
    assert_eq!(s.snapshot().lambda.total, 0);
    s.advance_to(secs(20.0));
    let r = s.report();
    let c = r.lambda.counters;
    assert_eq!(
        (
            c.timed_out,
            c.timeouts,
            c.cold_starts,
            c.environments_killed
        ),
        (2, 2, 2, 2)
    );
    // Billed for the full timeout; the INIT is billed only under the new rule.
    assert_eq!(r.lambda.billable.on_demand.billed_ms, 4_000);
    assert_eq!(r.lambda.billable.on_demand.billed_ms_with_init, 4_600);
    assert_eq!(s.lambda().max_handler_us, 2_000_000);
}

fn async_one(function: &str) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":30000,
        "sources":[{{"kind":"s3","pattern":{{"type":"bursts","bursts":[{{"at_s":0,"count":1}}]}}}}],
        "function":{function}}}"#
    ))
}

#[test]
fn async_errors_are_retried_twice_after_one_then_two_minutes() {
    let mut s = async_one(
        r#"{"timeout_s":5,"error_rate":1.0,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0},"async":{"on_failure":"destination"}}"#,
    );
    let h = run_to(&mut s, 1_000.0);
    let errs = times_of(&h, H::Errored);
    // 0 → error at 0.1 s; retry at 60.1 → error at 60.2; retry at 180.2 → error at 180.3.
    assert_eq!(errs, vec![100_000, 60_200_000, 180_300_000]);
    let c = *s.counters();
    assert_eq!(
        (c.retries, c.errors, c.failed, c.to_destination, c.waiting),
        (2, 3, 1, 1, 0)
    );
    assert!(c.balances());
    // While waiting for a retry the event counts as waiting.
    let mut s = async_one(
        r#"{"timeout_s":5,"error_rate":1.0,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0}}"#,
    );
    s.advance_to(secs(30.0));
    assert_eq!((s.counters().waiting, s.counters().in_flight), (1, 0));
    assert_eq!(s.snapshot().lambda.async_waiting, 1);
}

#[test]
fn async_retries_can_be_turned_off() {
    let mut s = async_one(
        r#"{"timeout_s":5,"error_rate":1.0,"duration":{"type":"fixed","ms":100},"async":{"max_retries":0}}"#,
    );
    s.advance_to(secs(1_000.0));
    assert_eq!(
        (
            s.counters().retries,
            s.counters().failed,
            s.counters().to_destination
        ),
        (0, 1, 0)
    );
}

#[test]
fn async_throttles_back_off_until_the_maximum_event_age() {
    let mut s = async_one(
        r#"{"timeout_s":5,"duration":{"type":"fixed","ms":100},"reserved_concurrency":0,"async":{"max_event_age_s":60}}"#,
    );
    let h = run_to(&mut s, 1_000.0);
    let throttles: Vec<u64> = times_of(&h, H::Throttled)
        .iter()
        .map(|t| t / 1_000_000)
        .collect();
    // Back-off 1, 2, 4, 8, 16 s ... then dropped when 60 s old.
    assert_eq!(throttles, vec![0, 1, 3, 7, 15, 31]);
    let c = *s.counters();
    assert_eq!((c.dropped, c.expired_by_age, c.retries), (1, 1, 5));
    let dropped_at = h.iter().find(|x| x.kind == H::Dropped).map(|x| x.at);
    assert_eq!(dropped_at, Some(secs(60.0)));
}

#[test]
fn async_timeouts_are_retried_and_end_as_timed_out() {
    let mut s = async_one(
        r#"{"timeout_s":1,"duration":{"type":"fixed","ms":2000},"init_duration":{"type":"fixed","ms":0}}"#,
    );
    s.advance_to(secs(1_000.0));
    let c = *s.counters();
    assert_eq!((c.timeouts, c.retries, c.timed_out, c.failed), (3, 2, 1, 0));
}

fn sqs_one(sqs: &str, function: &str, count: u32) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":30000,
        "sources":[{{"kind":"sqs","pattern":{{"type":"bursts","bursts":[{{"at_s":0,"count":{count}}}]}},"sqs":{sqs}}}],
        "function":{function}}}"#
    ))
}

#[test]
fn sqs_failed_batches_return_after_the_visibility_timeout_then_go_to_the_dlq() {
    let f = r#"{"timeout_s":10,"error_rate":1.0,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0}}"#;
    let mut s = sqs_one(
        r#"{"batch_size":1,"visibility_timeout_s":30,"max_receive_count":3}"#,
        f,
        1,
    );
    let h = run_to(&mut s, 1_000.0);
    let errs = times_of(&h, H::Errored);
    // Received at 0, 30 and 60 s (visibility timeout counted from the
    // receive; pollers look 1 µs after a message arrives).
    assert_eq!(errs, vec![100_001, 30_100_001, 60_100_001]);
    let to_dlq: Vec<SimTime> = h
        .iter()
        .filter(|x| x.kind == H::ToDlq)
        .map(|x| x.at)
        .collect();
    assert_eq!(to_dlq, vec![SimTime::from_micros(90_000_001)]);
    let c = *s.counters();
    assert_eq!(
        (c.redeliveries, c.to_dlq, c.failed, c.waiting),
        (2, 1, 1, 0)
    );
    assert!(c.balances());
}

#[test]
fn sqs_without_dlq_retries_until_retention_deletes_the_message() {
    let f = r#"{"timeout_s":10,"error_rate":1.0,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0}}"#;
    let mut s = sqs_one(
        r#"{"batch_size":1,"visibility_timeout_s":30,"retention_s":65}"#,
        f,
        1,
    );
    s.advance_to(secs(1_000.0));
    let c = *s.counters();
    // Received at 0, 30, 60; visible again at 90 but older than 65 s.
    assert_eq!(
        (c.invocations, c.expired_by_retention, c.dropped, c.to_dlq),
        (3, 1, 1, 0)
    );
}

#[test]
fn sqs_batches_and_poller_scaling() {
    let f = r#"{"timeout_s":60,"duration":{"type":"fixed","ms":10000},"init_duration":{"type":"fixed","ms":0}}"#;
    let mut s = sqs_one(r#"{"batch_size":10,"visibility_timeout_s":60}"#, f, 10_000);
    s.advance_to(secs(0.001));
    // Five concurrent batches of ten to start with.
    assert_eq!(s.counters().invocations, 5);
    assert_eq!(s.counters().in_flight, 50);
    let q = s.snapshot().lambda.queues[0];
    assert_eq!((q.visible, q.in_flight, q.poller_limit), (9_950, 50, 5));
    // +5 batches a second (300 a minute) while messages wait.
    s.advance_to(secs(4.5));
    assert_eq!(s.snapshot().lambda.queues[0].poller_limit, 25);
    s.advance_to(secs(30.5));
    let q = s.snapshot().lambda.queues[0];
    assert_eq!(q.poller_limit, 155);
    assert_eq!(q.in_flight, 1_550);
    s.advance_to(secs(3_000.0));
    let c = *s.counters();
    assert_eq!((c.succeeded, c.waiting, c.in_flight), (10_000, 0, 0));
    assert_eq!(
        s.snapshot().lambda.queues[0].poller_limit,
        5,
        "scales back down when the queue is empty"
    );
}

#[test]
fn sqs_maximum_concurrency_caps_the_pollers() {
    let f = r#"{"timeout_s":60,"duration":{"type":"fixed","ms":10000},"init_duration":{"type":"fixed","ms":0}}"#;
    let mut s = sqs_one(
        r#"{"batch_size":10,"visibility_timeout_s":60,"maximum_concurrency":12}"#,
        f,
        10_000,
    );
    s.advance_to(secs(30.0));
    assert_eq!(s.snapshot().lambda.queues[0].poller_limit, 12);
    assert_eq!(s.snapshot().lambda.busy, 12);
}

#[test]
fn sqs_batching_window_waits_for_a_full_batch() {
    let f = r#"{"timeout_s":10,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0}}"#;
    let mut s = sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":100,
        "sources":[{{"kind":"sqs","pattern":{{"type":"trace_times","times_s":[0,1,2]}},
                    "sqs":{{"batch_size":10,"batching_window_s":5,"visibility_timeout_s":30}}}}],
        "function":{f}}}"#
    ));
    s.advance_to(secs(4.9));
    assert_eq!(s.counters().invocations, 0);
    s.advance_to(secs(5.01));
    assert_eq!((s.counters().invocations, s.counters().in_flight), (1, 3));
}

#[test]
fn provisioned_environments_are_used_first() {
    let f = r#"{"timeout_s":10,"duration":{"type":"fixed","ms":1000},"init_duration":{"type":"fixed","ms":500},
               "provisioned":[{"at_s":0,"level":5},{"at_s":100,"level":0}]}"#;
    let mut s = api_times("1, 1, 1, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10", f);
    let h = run_to(&mut s, 5.0);
    assert_eq!(count(&h, H::EnvProvisioned), 5);
    assert_eq!(count(&h, H::RoutedProvisioned), 3);
    assert_eq!(count(&h, H::ColdStart), 0);
    let h = run_to(&mut s, 20.0);
    assert_eq!(count(&h, H::RoutedProvisioned), 5);
    assert_eq!(count(&h, H::ColdStart), 5);
    let h = run_to(&mut s, 100.0);
    assert_eq!(count(&h, H::EnvDeprovisioned), 5);
    let r = s.report();
    let b = r.lambda.billable;
    assert_eq!(b.provisioned_requests, 8);
    assert_eq!(b.provisioned_billed_ms, 8_000);
    // The spilled-over on-demand invocations ran while provisioned was on.
    assert_eq!(b.on_demand_while_provisioned.requests, 5);
    assert_eq!(b.on_demand.requests, 0);
    // 5 environments for 100 s, rounded up to 5 minutes.
    assert_eq!(b.provisioned_env_seconds, 5 * 300);
    assert_eq!(b.provisioned_env_ms, 5 * 100_000);
}

#[test]
fn provisioned_counts_against_the_concurrency_limit() {
    let f = r#"{"timeout_s":10,"duration":{"type":"fixed","ms":60000},"reserved_concurrency":20,
               "provisioned":[{"at_s":0,"level":15}]}"#;
    let mut s = sim(&format!(
        r#"{{"version":1,"duration_s":100,
        "sources":[{{"kind":"api","pattern":{{"type":"bursts","bursts":[{{"at_s":1,"count":30}}]}}}}],
        "function":{f}}}"#
    ));
    s.advance_to(secs(1.0));
    let c = *s.counters();
    assert_eq!(
        (c.provisioned_invocations, c.cold_starts, c.throttles),
        (15, 5, 10)
    );
}

#[test]
fn same_seed_same_report_different_seed_different_report() {
    let mut sc = example("steady-api");
    sc.duration_s = 300.0;
    let run = |sc: &fanout::engine::scenario::Scenario| {
        let mut s = Simulation::new(sc).unwrap();
        s.advance_to(s.end());
        s.report().to_json()
    };
    let a = run(&sc);
    assert_eq!(a, run(&sc));
    sc.seed += 1;
    let b = run(&sc);
    assert_ne!(a, b);
}

#[test]
fn arrivals_do_not_depend_on_the_platform() {
    // Same sources and seed, a very different function: the same arrivals.
    let base = r#"{"version":1,"seed":9,"duration_s":600,
        "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":50}},
                   {"kind":"s3","pattern":{"type":"daily_cycle","low_per_s":1,"high_per_s":9,"peak_hour":0.05,"period_h":0.1}}],
        "function":FUNCTION}"#;
    let a = sim(&base.replace("FUNCTION", r#"{"duration":{"type":"fixed","ms":10}}"#));
    let b = sim(&base.replace("FUNCTION", r#"{"timeout_s":30,"duration":{"type":"exponential","mean_ms":3000},"error_rate":0.5,"reserved_concurrency":3}"#));
    let (mut a, mut b) = (a, b);
    a.advance_to(a.end());
    b.advance_to(b.end());
    let (ra, rb) = (a.report(), b.report());
    for i in 0..2 {
        assert_eq!(
            ra.sources[i].counters.arrived,
            rb.sources[i].counters.arrived
        );
    }
    assert_ne!(ra.lambda.counters.throttles, rb.lambda.counters.throttles);
}

#[test]
fn happenings_are_capped_per_drain_with_a_count_of_the_rest() {
    let mut s = sim(r#"{"version":1,"duration_s":10,
        "sources":[{"kind":"api","pattern":{"type":"bursts","bursts":[{"at_s":0,"count":20000}]}}],
        "function":{"duration":{"type":"fixed","ms":100}}}"#);
    s.advance_to(secs(1.0));
    let b = s.drain_happenings();
    assert_eq!(b.happenings.len(), fanout::engine::defaults::MAX_HAPPENINGS);
    assert!(b.left_out > 10_000);
    assert!(s.drain_happenings().happenings.is_empty());
}

#[test]
fn usage_feeds_the_billing_module() {
    let f = r#"{"memory_mb":1024,"architecture":"arm64","timeout_s":10,"duration":{"type":"fixed","ms":1500.4},
               "init_duration":{"type":"fixed","ms":200},"provisioned":[{"at_s":50,"level":2},{"at_s":60,"level":0}]}"#;
    let mut s = api_times("0, 10", f);
    s.advance_to(secs(100.0));
    let u = s.lambda_usage();
    assert_eq!(u.architecture, fanout::engine::billing::Architecture::Arm64);
    assert_eq!(u.memory_mb, 1024);
    // One cold (1,500.4 ms → 1,501 ms; with INIT 1,700.4 → 1,701) and one warm.
    assert_eq!(u.on_demand.requests, 2);
    assert_eq!(u.on_demand.billed_ms, 3_002);
    assert_eq!(u.on_demand.billed_ms_with_init, 1_701 + 1_501);
    assert_eq!(u.provisioned_env_seconds, 2 * 300);
    assert_eq!(s.event_source_usage().api_http_requests, 2);
}
