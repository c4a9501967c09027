//! Property tests over random valid scenarios: the accounting balances at
//! every step, concurrency never exceeds its limits, no invocation runs past
//! the timeout, and the scaling rate is never exceeded.

use super::*;
use fanout::engine::scenario::{
    Account, AsyncConfig, Burst, Function, OnFailure, Pattern, ProvisionedStep, RateStep,
    ScalingModel, Source, SourceKind, SqsConfig,
};
use fanout::engine::Distribution;
use fanout::engine::HappeningKind as H;
use proptest::prelude::*;

fn dist() -> impl Strategy<Value = Distribution> {
    prop_oneof![
        (1.0..3_000.0f64).prop_map(|ms| Distribution::Fixed { ms }),
        (1.0..3_000.0f64).prop_map(|mean_ms| Distribution::Exponential { mean_ms }),
        (1.0..1_000.0f64, 1.1..10.0f64).prop_map(|(m, k)| Distribution::LogNormal {
            median_ms: m,
            p99_ms: m * k
        }),
        (0.0..500.0f64, 0.0..3_000.0f64).prop_map(|(a, w)| Distribution::Uniform {
            min_ms: a,
            max_ms: a + w
        }),
    ]
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        (0.1..200.0f64).prop_map(|rate_per_s| Pattern::Poisson { rate_per_s }),
        (0.1..200.0f64).prop_map(|rate_per_s| Pattern::Constant { rate_per_s }),
        (0.0..20.0f64, 20.0..300.0f64).prop_map(|(low, high)| Pattern::DailyCycle {
            low_per_s: low,
            high_per_s: high,
            peak_hour: 0.01,
            period_h: 0.02
        }),
        (1.0..300.0f64, 10.0..40.0f64).prop_map(|(rate, at)| Pattern::Steps {
            steps: vec![
                RateStep {
                    at_s: 0.0,
                    rate_per_s: 1.0
                },
                RateStep {
                    at_s: at,
                    rate_per_s: rate
                },
                RateStep {
                    at_s: at + 10.0,
                    rate_per_s: 2.0
                }
            ],
            poisson: true
        }),
        (1u64..3_000, 0.0..50.0f64).prop_map(|(count, at)| Pattern::Bursts {
            bursts: vec![
                Burst { at_s: at, count },
                Burst {
                    at_s: at + 5.0,
                    count
                }
            ]
        }),
    ]
}

fn source() -> impl Strategy<Value = Source> {
    (
        prop_oneof![
            Just(SourceKind::Api),
            Just(SourceKind::S3),
            Just(SourceKind::Sqs),
            Just(SourceKind::Schedule)
        ],
        pattern(),
        1u32..20,
        prop::option::of(1u32..4),
        2u32..50,
    )
        .prop_map(|(kind, pattern, batch, mrc, maxc)| Source {
            name: String::new(),
            kind,
            pattern,
            payload_kb: 200.0,
            sqs: (kind == SourceKind::Sqs).then(|| SqsConfig {
                batch_size: batch.min(10),
                visibility_timeout_s: 10.0,
                max_receive_count: mrc,
                maximum_concurrency: Some(maxc),
                ..SqsConfig::default()
            }),
            api: None,
        })
}

fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (
        any::<u64>(),
        prop::collection::vec(source(), 1..3),
        dist(),
        dist(),
        1.0..10.0f64,
        0.0..0.3f64,
        0.0..120.0f64,
        prop::option::of(0u32..200),
        prop::option::of((0u32..40, 5.0..40.0f64)),
        prop_oneof![
            Just(ScalingModel::Current),
            Just(ScalingModel::Unlimited),
            Just(ScalingModel::Legacy { initial_burst: 500 })
        ],
        100u32..1_500,
        (0u32..=2, 60.0..200.0f64),
    )
        .prop_map(
            |(
                seed,
                sources,
                duration,
                init,
                timeout_s,
                error_rate,
                keep_alive_s,
                reserved,
                prov,
                scaling,
                limit,
                (retries, age),
            )| {
                let max_reserved = limit - 100;
                let reserved = reserved.map(|r| r.min(max_reserved));
                let cap = reserved.unwrap_or(max_reserved);
                let provisioned = prov
                    .map(|(level, at)| {
                        vec![
                            ProvisionedStep {
                                at_s: 0.0,
                                level: level.min(cap),
                            },
                            ProvisionedStep { at_s: at, level: 0 },
                        ]
                    })
                    .unwrap_or_default();
                Scenario {
                    version: 1,
                    name: String::new(),
                    description: String::new(),
                    seed,
                    duration_s: 60.0,
                    sources,
                    function: Function {
                        timeout_s,
                        duration,
                        init_duration: init,
                        error_rate,
                        keep_alive_s,
                        reserved_concurrency: reserved,
                        provisioned,
                        async_config: AsyncConfig {
                            max_retries: retries,
                            max_event_age_s: age,
                            on_failure: OnFailure::Destination,
                        },
                        ..Function::default()
                    },
                    account: Account {
                        concurrency_limit: limit,
                        scaling,
                    },
                    lambda: true,
                    ec2: None,
                    pricing: Default::default(),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_at_every_step(sc in scenario_strategy()) {
        prop_assert!(sc.validate().is_ok(), "{:?}", sc.validate());
        let mut s = Simulation::new(&sc).unwrap();
        let limit = u64::from(sc.function.reserved_concurrency.unwrap_or(sc.account.concurrency_limit));
        let timeout_us = (sc.function.timeout_s * 1e6).round() as u64;
        let mut cold_times: Vec<u64> = Vec::new();
        // Run past the end so queues drain; check after every event.
        let stop = secs(sc.duration_s + 400.0);
        let mut steps = 0u64;
        while let Some(t) = s.step() {
            if t > stop { break; }
            steps += 1;
            let c = s.counters();
            prop_assert!(c.balances(), "accounting at {t}: {c:?}");
            let in_use = u64::from(s.lambda().concurrency_in_use());
            prop_assert!(in_use <= limit, "concurrency {in_use} over {limit} at {t}");
            if steps % 64 == 0 {
                for h in s.drain_happenings().happenings {
                    if h.kind == H::ColdStart { cold_times.push(h.at.as_micros()); }
                }
            }
        }
        for h in s.drain_happenings().happenings {
            if h.kind == H::ColdStart { cold_times.push(h.at.as_micros()); }
        }
        prop_assert!(s.lambda().max_handler_us <= timeout_us, "{} > {}", s.lambda().max_handler_us, timeout_us);
        let snap = s.snapshot();
        prop_assert!(snap.lambda.busy <= limit);
        // Scaling rate: in any window of length L, at most cap + rate × L new
        // environments (checked for a few L with two pointers).
        let (cap, per_s) = match sc.account.scaling {
            ScalingModel::Current => (1_000.0, 100.0),
            ScalingModel::Legacy { initial_burst } => (f64::from(initial_burst), 500.0 / 60.0),
            ScalingModel::Unlimited => (f64::INFINITY, 0.0),
        };
        let r = s.report();
        prop_assert_eq!(r.lambda.counters.cold_starts as usize, cold_times.len(), "every cold start was seen");
        for window_s in [0.0, 1.0, 10.0, 60.0] {
            let w = (window_s * 1e6) as u64;
            let mut lo = 0;
            for hi in 0..cold_times.len() {
                while cold_times[hi] - cold_times[lo] > w { lo += 1; }
                let n = (hi - lo + 1) as f64;
                prop_assert!(n <= cap + per_s * window_s + 1.0, "{n} new environments within {window_s} s");
            }
        }
    }
}
