//! Patching: rolling never takes more than one instance out at a time;
//! all at once is an outage for the patch window. Operator work is counted
//! on the EC2 side and stays zero on the Lambda side.

use super::*;

fn patched(mode: &str) -> Simulation {
    quiet_sim(&both(
        1_000.0,
        7,
        &api(100.0, false),
        r#"{"timeout_s": 10, "duration": {"type": "fixed", "ms": 40}}"#,
        &format!(
            r#"{{"instances": 4, "worker_slots": 4, "duration": {{"type": "fixed", "ms": 40}},
                "patching": {{"every_days": 1, "first_at_s": 300, "out_of_service_s": 120, "mode": "{mode}"}}}}"#
        ),
    ))
}

#[test]
fn rolling_patch_takes_one_instance_out_at_a_time() {
    let mut s = patched("rolling");
    let mut most_out = 0;
    let mut t = 0.0;
    while t < 1_000.0 {
        t += 0.5;
        s.advance_to(secs(t));
        let e = ec2_snap(&s);
        let out = e.by_state.patching + e.by_state.draining;
        most_out = most_out.max(out);
        assert!(out <= 1, "{out} instances out at {t} s");
        for i in &e.instances {
            if i.in_flight > 0 {
                assert!(
                    matches!(
                        i.state,
                        fanout::engine::InstanceState::InService
                            | fanout::engine::InstanceState::Draining
                    ),
                    "{i:?}"
                );
            }
        }
    }
    assert_eq!(most_out, 1);
    let r = s.report();
    let e = r.ec2.as_ref().unwrap();
    assert_eq!(e.operator_work.patches_applied, 4);
    assert_eq!(e.fleet.http_503, 0, "three instances carry 100 req/s");
    assert!(e.accounting_balances);
    // AWS patches Lambda: nothing counted on that side.
    assert!(r.lambda.operator_work.is_zero());
    assert_eq!(r.lambda.counters.throttles, 0);
}

#[test]
fn all_at_once_is_an_outage_for_the_window() {
    let mut s = patched("all_at_once");
    s.advance_to(secs(299.0));
    assert_eq!(ec2_snap(&s).fleet.http_503, 0);
    s.advance_to(secs(301.0));
    assert_eq!(ec2_snap(&s).by_state.in_service, 0);
    s.advance_to(secs(300.0 + 120.0 + 1.0));
    let e = ec2_snap(&s);
    assert_eq!(e.by_state.in_service, 4);
    // 120 s of 100 req/s with no healthy target.
    let lost = e.fleet.http_503_no_target;
    assert!((11_900..=12_100).contains(&lost), "{lost}");
    s.advance_to(s.end());
    let r = s.report();
    assert_eq!(
        r.ec2.as_ref().unwrap().fleet.http_503,
        lost,
        "no 503 outside the window"
    );
    assert_eq!(r.ec2.as_ref().unwrap().operator_work.patches_applied, 4);
    // The same traffic on Lambda was served throughout.
    assert_eq!(r.lambda.counters.dropped, 0);
}
