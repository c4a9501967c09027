//! Invariants over random valid scenarios with BOTH deployments (and the
//! EC2 side alone), checked at every event. `lambda::properties` covers
//! the Lambda side alone (accounting, limits, timeout, scaling rate
//! windows) and `ec2::fleet_properties` the fleet's states; this module
//! adds what neither checks: the two sides together in one run, time never
//! going backwards (events, snapshots, every series), the cost never
//! negative nor decreasing (live meter and cost series, both sides, under
//! random pricing), the itemized bills (so far and projected) summing to
//! their totals, and the Auto Scaling bounds against the instances that
//! actually exist, and time never stopping (the progress bound of
//! `engine::sim::progress` at every instant, also for a burst of 1,000,000
//! requests at one instant).
//!
//! The invariants themselves are in `tests/common/invariants.rs`, shared
//! with the fuzz crate.
//!
//! `cargo test --test engine invariants` runs 256 cases; more with
//! `FANOUT_INVARIANT_CASES=5000 cargo test --release --test engine invariants`.

use crate::common::invariants::Invariants;
use crate::common::quiet;
use fanout::engine::scenario::{ScalingModel, Scenario};
use fanout::engine::InstantWatch;
use fanout::engine::SimTime;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FANOUT_INVARIANT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn dist() -> impl Strategy<Value = String> {
    prop_oneof![
        (1.0..2_000.0f64).prop_map(|ms| format!(r#"{{"type": "fixed", "ms": {ms}}}"#)),
        (1.0..2_000.0f64).prop_map(|m| format!(r#"{{"type": "exponential", "mean_ms": {m}}}"#)),
        (1.0..800.0f64, 1.1..8.0f64).prop_map(|(m, k)| format!(
            r#"{{"type": "log_normal", "median_ms": {m}, "p99_ms": {}}}"#,
            m * k
        )),
        (0.0..300.0f64, 0.0..2_000.0f64).prop_map(|(a, w)| format!(
            r#"{{"type": "uniform", "min_ms": {a}, "max_ms": {}}}"#,
            a + w
        )),
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.1..40.0f64).prop_map(|r| format!(r#"{{"type": "poisson", "rate_per_s": {r}}}"#)),
        (0.1..40.0f64).prop_map(|r| format!(r#"{{"type": "constant", "rate_per_s": {r}}}"#)),
        (0.0..10.0f64, 10.0..60.0f64).prop_map(|(lo, hi)| format!(
            r#"{{"type": "daily_cycle", "low_per_s": {lo}, "high_per_s": {hi}, "peak_hour": 0.01, "period_h": 0.03}}"#
        )),
        (1.0..80.0f64, 5.0..40.0f64, any::<bool>()).prop_map(|(r, at, p)| format!(
            r#"{{"type": "steps", "poisson": {p}, "steps": [{{"at_s": 0, "rate_per_s": 2}}, {{"at_s": {at}, "rate_per_s": {r}}}, {{"at_s": {}, "rate_per_s": 1}}]}}"#,
            at + 15.0
        )),
        (1u64..800, 0.0..10.0f64).prop_map(|(n, at)| format!(
            r#"{{"type": "bursts", "bursts": [{{"at_s": {at}, "count": {n}}}, {{"at_s": {}, "count": {}}}]}}"#,
            at + 8.0,
            n / 2 + 1
        )),
        (0.5..30.0f64, 0.0..10.0f64).prop_map(|(i, s)| format!(
            r#"{{"type": "every", "interval_s": {i}, "start_s": {s}}}"#
        )),
        prop::collection::vec(0u64..40, 1..60).prop_map(|c| format!(
            r#"{{"type": "trace_counts", "csv": "{}"}}"#,
            c.iter().map(u64::to_string).collect::<Vec<_>>().join("\\n")
        )),
    ]
}

/// One source; `timeout_s` is the function's (an SQS visibility timeout
/// must not be below it).
fn source(timeout_s: f64) -> impl Strategy<Value = String> {
    (
        0u8..4,
        pattern(),
        1u32..11,
        prop::option::of(1u32..4),
        2u32..40,
        0.0..20.0f64,
    )
        .prop_map(move |(kind, pattern, batch, mrc, maxc, extra_vis)| {
            let (kind, sqs) = match kind {
                0 => ("api", String::new()),
                1 => ("s3", String::new()),
                2 => ("schedule", String::new()),
                _ => (
                    "sqs",
                    format!(
                        r#", "sqs": {{"batch_size": {batch}, "visibility_timeout_s": {}, "maximum_concurrency": {maxc}{}}}"#,
                        timeout_s + extra_vis,
                        mrc.map(|m| format!(r#", "max_receive_count": {m}"#))
                            .unwrap_or_default()
                    ),
                ),
            };
            format!(r#"{{"kind": "{kind}", "payload_kb": 4, "pattern": {pattern}{sqs}}}"#)
        })
}

fn ec2() -> impl Strategy<Value = String> {
    (
        (1u32..5, 1u32..6, 0u32..20, any::<bool>(), 0.0..90.0f64, 1u32..4),
        prop::option::of((0u32..3, 0u32..6, any::<bool>(), 10.0..90.0f64, 0.0..120.0f64)),
        prop::option::of((0.0..250.0f64, any::<bool>())),
        prop_oneof![Just("t3.micro"), Just("m7g.large"), Just("c7g.large")],
    )
        .prop_map(|((n, slots, queue, lor, boot, zones), asg, crash, itype)| {
            let routing = if lor { "least_outstanding_requests" } else { "round_robin" };
            let asg = asg
                .map(|(min, extra, cpu, target, warm)| {
                    let metric = if cpu { "cpu" } else { "requests_per_target" };
                    format!(
                        r#", "auto_scaling": {{"min": {}, "max": {}, "warmup_s": {warm},
                            "target_tracking": {{"metric": "{metric}", "target": {target}}}}}"#,
                        min.min(n),
                        n + extra
                    )
                })
                .unwrap_or_default();
            let failures = crash
                .map(|(at, az)| {
                    if az {
                        format!(r#"{{"type": "az_outage", "at_s": {at}, "zone": 0, "duration_s": 60}}"#)
                    } else {
                        format!(r#"{{"type": "instance_crash", "at_s": {at}}}"#)
                    }
                })
                .unwrap_or_default();
            format!(
                r#"{{"instance_type": "{itype}", "instances": {n}, "worker_slots": {slots}, "queue_length": {queue},
                    "boot_s": {boot}, "zones": {zones}, "load_balancer": {{"routing": "{routing}"}},
                    "failures": [{failures}]{asg}}}"#
            )
        })
}

fn pricing() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), 0.0..60.0f64).prop_map(|(free, before, disc)| {
        let init = if before {
            "before_aug_2025"
        } else {
            "since_aug_2025"
        };
        format!(
            r#"{{"free_tier": {free}, "init_billing": "{init}", "ec2_discount_percent": {disc}}}"#
        )
    })
}

/// A valid scenario with Lambda and EC2 (or, one case in eight, EC2 alone).
fn case() -> impl Strategy<Value = String> {
    (1.0..30.0f64).prop_flat_map(|timeout_s| {
        (
            (any::<u64>(), 20.0..120.0f64, prop::collection::vec(source(timeout_s), 1..4)),
            (dist(), dist(), 0.0..0.3f64, 0.0..120.0f64, prop_oneof![Just(128u32), Just(512), Just(1769), Just(4096)]),
            (100u32..1_200, prop::option::of(0u32..150), prop::option::of(0u32..30), 0u8..3, any::<bool>()),
            (ec2(), pricing(), 0u8..8),
        )
            .prop_map(
                move |((seed, duration, sources), (d, init, err, keep, mem), (limit, reserved, prov, scaling, arm), (ec2, pricing, lambda_off))| {
                    let reserved = reserved.map(|r| r.min(limit - 100));
                    let prov = prov.map(|p| p.min(reserved.unwrap_or(limit - 100)));
                    let scaling = match scaling {
                        0 => r#"{"model": "current"}"#,
                        1 => r#"{"model": "legacy", "initial_burst": 500}"#,
                        _ => r#"{"model": "unlimited"}"#,
                    };
                    let arch = if arm { "arm64" } else { "x86_64" };
                    let mut f = format!(
                        r#""memory_mb": {mem}, "architecture": "{arch}", "timeout_s": {timeout_s}, "duration": {d},
                           "init_duration": {init}, "error_rate": {err}, "keep_alive_s": {keep}"#
                    );
                    if let Some(r) = reserved {
                        f.push_str(&format!(r#", "reserved_concurrency": {r}"#));
                    }
                    if let Some(p) = prov {
                        f.push_str(&format!(
                            r#", "provisioned": [{{"at_s": 0, "level": {p}}}, {{"at_s": {}, "level": 0}}]"#,
                            duration / 2.0
                        ));
                    }
                    format!(
                        r#"{{"version": 1, "seed": {seed}, "duration_s": {duration}, "lambda": {},
                            "sources": [{}], "function": {{{f}}},
                            "account": {{"concurrency_limit": {limit}, "scaling": {scaling}}},
                            "ec2": {ec2}, "pricing": {pricing}}}"#,
                        lambda_off != 0,
                        sources.join(", ")
                    )
                },
            )
    })
}

/// Runs the generated scenario `json` with the invariants of
/// `tests/common/invariants.rs` checked at every event (the full picture
/// every 128 events), then the report's.
fn check(json: &str) -> Result<(), TestCaseError> {
    let fail = |e: String| TestCaseError::fail(format!("{e}\n{json}"));
    let sc = Scenario::from_json(json)
        .map_err(|e| TestCaseError::fail(format!("generated scenario invalid: {e:?}\n{json}")))?;
    let mut sim = quiet(&sc);
    let timeout_us = (sc.function.timeout_s * 1e6).round() as u64;
    prop_assert!(sc.ec2.is_some(), "every case has a fleet");
    let stop = SimTime::ZERO + fanout::engine::SimDuration::from_secs_f64(sc.duration_s + 240.0);

    let mut invariants = Invariants::new(&sc, &sim);
    let mut steps = 0u64;
    // Time never stops: each instant ends within its bound (engine::sim::progress).
    let mut watch = InstantWatch::new();
    while let Some(t) = watch.step(&mut sim).map_err(|e| fail(e.to_string()))? {
        invariants.after_event(&sim, t).map_err(fail)?;
        steps += 1;
        // The full picture every 128 events (pricing is not free).
        if steps % 128 == 0 || t >= stop {
            prop_assert!(sim.snapshot().ec2.is_some(), "fleet snapshot");
            invariants.full_picture(&sim, t).map_err(fail)?;
        }
        if t >= stop {
            break;
        }
    }
    prop_assert!(
        sim.lambda().max_handler_us <= timeout_us,
        "an invocation ran {} µs, timeout {} µs",
        sim.lambda().max_handler_us,
        timeout_us
    );
    if sc.lambda {
        prop_assert!(steps > 0);
    }

    let r = sim.report();
    prop_assert!(r.ec2.is_some(), "the report has an EC2 side");
    prop_assert!(r.cost.is_some(), "the report has a cost section");
    invariants.report(&sc, &r).map_err(fail)?;
    // Scaling models without a burst never start more than the account can.
    if matches!(sc.account.scaling, ScalingModel::Current) && sc.lambda {
        prop_assert!(r.lambda.counters.cold_starts <= r.lambda.counters.invocations);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 300, ..ProptestConfig::default() })]

    #[test]
    fn both_deployments_keep_every_invariant(json in case()) {
        check(&json)?;
    }
}

/// The progress bound lets a legitimate huge instant through: 1,000,000
/// requests at the same instant, handled in 0 ms on both sides (0 ms INIT,
/// 0 s keep-alive, no boot time), every one of them accounted for.
#[test]
fn a_million_requests_at_one_instant_keep_time_moving() {
    let sc = Scenario::from_json(
        r#"{"version": 1, "duration_s": 2,
            "sources": [{"kind": "api", "pattern": {"type": "bursts", "bursts": [{"at_s": 1, "count": 1000000}]}}],
            "function": {"timeout_s": 3, "duration": {"type": "fixed", "ms": 0},
                         "init_duration": {"type": "fixed", "ms": 0}, "keep_alive_s": 0},
            "ec2": {"instance_type": "t3.micro", "instances": 10, "worker_slots": 8, "queue_length": 10000, "boot_s": 0}}"#,
    )
    .expect("valid");
    let mut sim = quiet(&sc);
    let mut watch = InstantWatch::new();
    while watch
        .step(&mut sim)
        .unwrap_or_else(|e| panic!("{e}"))
        .is_some_and(|t| t <= sim.end())
    {}
    assert!(
        watch.max_steps_per_instant() >= 1_000_000,
        "{}",
        watch.max_steps_per_instant()
    );
    let c = sim.counters();
    assert_eq!(c.arrived, 1_000_000);
    assert!(c.balances(), "{c:?}");
}
