//! The SQS event source mapping against throttling, errors and the 6 MB
//! payload, as AWS documents them ("Handling errors for an SQS event
//! source", "Configuring scaling behavior for SQS event source mappings",
//! "Lambda event source mappings").

use super::*;
use fanout::engine::defaults::{
    ESM_BATCH_PAYLOAD_MAX_KB, SQS_ADVISED_MAX_RECEIVE_COUNT, SQS_ADVISED_VISIBILITY_FACTOR,
    SQS_BACKOFF_FLOOR_BATCHES,
};
use fanout::engine::HappeningKind as H;

fn sqs_burst(sqs: &str, function: &str, count: u32, payload_kb: u32) -> Simulation {
    sim(&format!(
        r#"{{"version":1,"seed":1,"duration_s":3600,
        "sources":[{{"kind":"sqs","payload_kb":{payload_kb},"pattern":{{"type":"bursts","bursts":[{{"at_s":0,"count":{count}}}]}},"sqs":{sqs}}}],
        "function":{function}}}"#
    ))
}

/// Runs the example "SQS + low reserved concurrency sends messages to the
/// DLQ", optionally with AWS's advised visibility timeout and
/// `maxReceiveCount`; returns the simulation and the most concurrent
/// batches its pollers allowed.
fn throttled_example(advised: bool) -> (Simulation, u32) {
    let mut sc = example("sqs-throttled-dlq");
    if advised {
        let sqs = sc.sources[0].sqs.as_mut().unwrap();
        sqs.visibility_timeout_s = SQS_ADVISED_VISIBILITY_FACTOR * sc.function.timeout_s;
        sqs.max_receive_count = Some(SQS_ADVISED_MAX_RECEIVE_COUNT);
    }
    let mut s = Simulation::new(&sc).unwrap();
    let mut most = 0;
    let mut t = 0.0;
    while t < sc.duration_s {
        t += 1.0;
        s.advance_to(secs(t));
        most = most.max(s.snapshot().lambda.queues[0].poller_limit);
    }
    (s, most)
}

#[test]
fn a_throttled_batch_stays_received_until_its_visibility_timeout_then_goes_to_the_dlq() {
    // Reserved concurrency 1: the first message runs 20 s, the second's
    // invoke is throttled at once and retried after 1, 2, 4, 8 s (at 1, 3,
    // 7, 15 s); the next retry (31 s) is past the visibility timeout
    // (30 s), so the batch returns uninvoked at 30 s with its receive
    // counted: maxReceiveCount 1 sends it to the DLQ.
    let f = r#"{"timeout_s":30,"reserved_concurrency":1,"duration":{"type":"fixed","ms":20000},"init_duration":{"type":"fixed","ms":0}}"#;
    let sqs = r#"{"batch_size":1,"visibility_timeout_s":30,"max_receive_count":1}"#;
    let mut s = sqs_burst(sqs, f, 2, 1);
    let h = run_to(&mut s, 100.0);
    let throttles = times_of(&h, H::Throttled);
    assert_eq!(
        throttles,
        vec![1, 1_000_001, 3_000_001, 7_000_001, 15_000_001]
    );
    assert_eq!(times_of(&h, H::SqsThrottledReturn), vec![30_000_001]);
    assert_eq!(times_of(&h, H::ToDlq), vec![30_000_001]);
    let c = *s.counters();
    assert_eq!(
        (
            c.sqs_receives,
            c.esm_throttled_polls,
            c.sqs_returned_throttled,
            c.to_dlq,
            c.to_dlq_throttled,
            c.dropped,
            c.failed,
            c.succeeded
        ),
        (2, 5, 1, 1, 1, 1, 0, 1)
    );
    assert!(c.balances());

    // maxReceiveCount 2: the message comes back and the second receive runs.
    let sqs = r#"{"batch_size":1,"visibility_timeout_s":30,"max_receive_count":2}"#;
    let mut s = sqs_burst(sqs, f, 2, 1);
    s.advance_to(secs(100.0));
    let c = *s.counters();
    assert_eq!(
        (
            c.sqs_receives,
            c.redeliveries,
            c.redeliveries_throttled,
            c.to_dlq,
            c.succeeded
        ),
        (3, 1, 1, 0, 2)
    );
}

#[test]
fn low_reserved_concurrency_sends_messages_to_the_dlq() {
    let (s, most_batches) = throttled_example(false);
    let sc = example("sqs-throttled-dlq");
    let reserved = sc.function.reserved_concurrency.unwrap();
    // The pollers scale on the backlog, past the reserved concurrency.
    assert!(most_batches > reserved, "{most_batches}");
    let c = *s.counters();
    // No function error: every DLQ arrival is a throttled message.
    assert_eq!((c.errors, c.failed), (0, 0));
    assert!(c.to_dlq > 100, "{c:?}");
    assert_eq!(c.to_dlq, c.to_dlq_throttled);
    assert!(c.redeliveries_throttled > 0 && c.sqs_returned_throttled > c.to_dlq);
    assert!(c.sqs_receives > c.succeeded + c.in_flight);
    assert!(c.balances());
    let r = s.report();
    assert_eq!(r.lambda.counters.to_dlq_throttled, c.to_dlq_throttled);
}

#[test]
fn advised_visibility_and_max_receive_count_keep_messages_out_of_the_dlq() {
    let (bad, _) = throttled_example(false);
    let (good, _) = throttled_example(true);
    let (b, g) = (*bad.counters(), *good.counters());
    assert!(b.to_dlq > 100, "{b:?}");
    assert_eq!(g.to_dlq, 0, "{g:?}");
    // Throttling still happens; the messages just survive it.
    assert!(g.esm_throttled_polls > 0 && g.redeliveries_throttled > 0);
}

#[test]
fn at_100_percent_errors_the_mapping_backs_off() {
    let f = |rate: f64| {
        format!(
            r#"{{"timeout_s":5,"error_rate":{rate},"duration":{{"type":"fixed","ms":500}},"init_duration":{{"type":"fixed","ms":0}}}}"#
        )
    };
    let sqs = r#"{"batch_size":10,"visibility_timeout_s":30,"max_receive_count":3}"#;
    let mut failing = sqs_burst(sqs, &f(1.0), 200_000, 1);
    let mut healthy = sqs_burst(sqs, &f(0.0), 200_000, 1);
    let mut most_failing = 0;
    for t in 1..=60 {
        failing.advance_to(secs(f64::from(t)));
        healthy.advance_to(secs(f64::from(t)));
        most_failing = most_failing.max(failing.snapshot().lambda.busy);
    }
    let q = failing.snapshot().lambda.queues[0];
    // Backed off to the floor and held there while every batch fails.
    assert_eq!(q.poller_limit, SQS_BACKOFF_FLOOR_BATCHES);
    assert!(most_failing <= 5, "{most_failing}");
    assert!(failing.counters().esm_backoffs_errors > 50);
    // Without errors the same backlog scales the pollers up (+5 a second).
    assert!(healthy.snapshot().lambda.queues[0].poller_limit > 200);
    assert_eq!(healthy.counters().esm_backoffs_errors, 0);
}

#[test]
fn no_batch_exceeds_the_6_mb_payload() {
    // 1 MB messages, batch size 10,000: a batch stops at 6 messages.
    let f = r#"{"timeout_s":5,"duration":{"type":"fixed","ms":100},"init_duration":{"type":"fixed","ms":0}}"#;
    let sqs = r#"{"batch_size":10000,"batching_window_s":1,"visibility_timeout_s":30}"#;
    let mut s = sqs_burst(sqs, f, 600, 1_024);
    s.advance_to(secs(600.0));
    let c = *s.counters();
    let per_batch = u64::from(ESM_BATCH_PAYLOAD_MAX_KB / 1_024);
    assert_eq!(per_batch, 6);
    assert_eq!((c.succeeded, c.invocations), (600, 600 / per_batch));
    assert_eq!(c.esm_batches_payload_capped, 100);
    // 100 KB messages: 61 fit in 6 MB (6,144 KB).
    let mut s = sqs_burst(sqs, f, 610, 100);
    s.advance_to(secs(600.0));
    let c = *s.counters();
    assert_eq!((c.succeeded, c.invocations), (610, 10));
    assert!(c.sqs_receives / c.invocations <= 61);
}
