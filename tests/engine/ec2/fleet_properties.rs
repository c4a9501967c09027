//! Property tests over random scenarios with both deployments: accounting
//! balances on both sides at every step, no instance serves while booting,
//! patching or failed, and the desired capacity never exceeds the maximum.

use super::*;
use fanout::engine::InstanceState;
use proptest::prelude::*;

fn source() -> impl Strategy<Value = String> {
    prop_oneof![
        (1.0..120.0f64).prop_map(|r| format!(r#"{{"kind": "api", "pattern": {{"type": "poisson", "rate_per_s": {r}}}}}"#)),
        (1.0..120.0f64).prop_map(|r| format!(r#"{{"kind": "api", "pattern": {{"type": "constant", "rate_per_s": {r}}}}}"#)),
        (1u64..500, 0.0..100.0f64).prop_map(|(n, at)| format!(
            r#"{{"kind": "api", "pattern": {{"type": "bursts", "bursts": [{{"at_s": {at}, "count": {n}}}]}}}}"#
        )),
        (1.0..60.0f64, 1.0..20.0f64).prop_map(|(r, vis)| format!(
            r#"{{"kind": "sqs", "pattern": {{"type": "poisson", "rate_per_s": {r}}},
                "sqs": {{"visibility_timeout_s": {}, "max_receive_count": 3}}}}"#,
            vis + 30.0
        )),
        (0.5..10.0f64).prop_map(|r| format!(r#"{{"kind": "s3", "pattern": {{"type": "poisson", "rate_per_s": {r}}}}}"#)),
    ]
}

fn ec2() -> impl Strategy<Value = String> {
    let fleet = (
        1u32..5,
        1u32..6,
        0u32..30,
        prop::bool::ANY,
        0.0..90.0f64,
        1u32..4,
    );
    let asg = prop::option::of((
        0u32..3,
        0u32..6,
        prop::bool::ANY,
        10.0..90.0f64,
        0.0..200.0f64,
    ));
    let patch = prop::option::of((prop::bool::ANY, 20.0..150.0f64, 0.0..200.0f64));
    let failures = prop::collection::vec(
        (prop::bool::ANY, 0.0..280.0f64, 0u32..3, 10.0..200.0f64),
        0..3,
    );
    let ops = (prop::bool::ANY, 0.0..200.0f64, 0.0..0.2f64, 0.5..3.0f64);
    (fleet, asg, patch, failures, ops).prop_map(|((n, slots, queue, lor, boot, zones), asg, patch, failures, (on_call, response, err, speed))| {
        let routing = if lor { "least_outstanding_requests" } else { "round_robin" };
        let mut max_n = n;
        let asg = match asg {
            None => String::new(),
            Some((min, extra, cpu, target, warm)) => {
                let min = min.min(n);
                let max = n + extra;
                max_n = max;
                let metric = if cpu { r#""cpu""# } else { r#""requests_per_target""# };
                format!(
                    r#", "auto_scaling": {{"min": {min}, "max": {max}, "warmup_s": {warm}, "health_check_grace_s": 30,
                        "target_tracking": {{"metric": {metric}, "target": {target}, "scale_out_datapoints": 1, "scale_in_datapoints": 2}},
                        "scheduled": [{{"at_s": 150, "desired": {min}}}]}}"#
                )
            }
        };
        let patch = match patch {
            None => String::new(),
            Some((rolling, out, first)) => {
                let mode = if rolling { "rolling" } else { "all_at_once" };
                // A period longer than any rolling window.
                let every_days = ((f64::from(max_n) * out + 1.0) / 86_400.0 * 1.5).max(0.002);
                format!(r#", "patching": {{"every_days": {every_days}, "first_at_s": {first}, "out_of_service_s": {out}, "mode": "{mode}"}}"#)
            }
        };
        // Failures must be listed in time order.
        let mut failures = failures;
        failures.sort_by(|a, b| a.1.total_cmp(&b.1));
        let f: Vec<String> = failures
            .iter()
            .map(|&(crash, at, zone, dur)| {
                if crash {
                    format!(r#"{{"type": "instance_crash", "at_s": {at}}}"#)
                } else {
                    format!(r#"{{"type": "az_outage", "at_s": {at}, "zone": {}, "duration_s": {dur}}}"#, zone % zones)
                }
            })
            .collect();
        format!(
            r#"{{"instances": {n}, "worker_slots": {slots}, "queue_length": {queue}, "boot_s": {boot}, "zones": {zones},
                "speed_factor": {speed}, "error_rate": {err},
                "load_balancer": {{"routing": "{routing}", "request_timeout_s": 5, "deregistration_delay_s": 20}},
                "health_check": {{"interval_s": 10, "unhealthy_threshold": 2}},
                "notification_queue": {{"visibility_timeout_s": 20, "max_receive_count": 2}},
                "operator": {{"on_call": {on_call}, "response_s": {response}, "alarm_cpu_percent": 80, "alarm_datapoints": 1}},
                "failures": [{}] {asg} {patch}}}"#,
            f.join(", ")
        )
    })
}

fn case() -> impl Strategy<Value = String> {
    (prop::collection::vec(source(), 1..3), ec2(), any::<u64>(), 1.0..4_000.0f64).prop_map(|(sources, ec2, seed, mean)| {
        both(
            300.0,
            seed,
            &sources.join(", "),
            &format!(r#"{{"timeout_s": 30, "duration": {{"type": "exponential", "mean_ms": {mean}}}, "error_rate": 0.05}}"#),
            &ec2,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn both_sides_balance_and_the_fleet_obeys_its_states(json in case()) {
        let sc = Scenario::from_json(&json).map_err(|e| TestCaseError::fail(format!("{e:?}\n{json}")))?;
        let mut s = quiet(&sc);
        let mut t = 0.0;
        while t < 420.0 {
            t += 3.0;
            s.advance_to(secs(t));
            let snap = s.snapshot();
            prop_assert!(snap.lambda.counters.balances(), "lambda at {}: {:?}", t, snap.lambda.counters);
            let e = snap.ec2.unwrap();
            prop_assert!(e.counters.balances(), "ec2 at {}: {:?}", t, e.counters);
            prop_assert_eq!(e.fleet.served_while_not_in_service, 0);
            prop_assert!(e.bounds.desired <= e.bounds.max, "{:?}", e.bounds);
            prop_assert_eq!(e.fleet.desired_over_max, 0);
            for i in &e.instances {
                if i.in_flight > 0 || i.queue_length > 0 {
                    prop_assert!(matches!(i.state, InstanceState::InService | InstanceState::Draining), "{:?}", i);
                }
            }
        }
        let r = s.report();
        prop_assert!(r.lambda.accounting_balances);
        prop_assert!(r.ec2.unwrap().accounting_balances);
    }
}
