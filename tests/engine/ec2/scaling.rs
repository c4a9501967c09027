//! Auto Scaling: a step in traffic scales out after the metric period and
//! the boot, never above the maximum; scale-in waits for warm-up; a crash
//! is replaced under Auto Scaling and not without it.

use super::*;

const STEP: &str = r#"{"kind": "api", "pattern": {"type": "steps", "poisson": false,
    "steps": [{"at_s": 0, "rate_per_s": 20}, {"at_s": 600, "rate_per_s": 200}]}}"#;

#[test]
fn step_scales_out_after_metric_periods_and_boot_never_above_max() {
    let json = ec2_only(
        1_200.0,
        1,
        STEP,
        r#"{"instances": 2, "worker_slots": 4, "queue_length": 1000, "boot_s": 90,
            "duration": {"type": "fixed", "ms": 100},
            "auto_scaling": {"min": 2, "max": 6, "warmup_s": 120,
                "target_tracking": {"metric": "cpu", "target": 50, "scale_out_datapoints": 3}}}"#,
    );
    let mut s = quiet_sim(&json);
    let mut first_launch = None;
    let mut first_new_in_service = None;
    let mut t = 0.0;
    while t < 1_200.0 {
        t += 1.0;
        s.advance_to(secs(t));
        let e = ec2_snap(&s);
        assert!(
            e.bounds.desired <= e.bounds.max && e.bounds.desired <= 6,
            "{:?}",
            e.bounds
        );
        assert!(e.instances.len() <= 6);
        if first_launch.is_none() && e.by_state.booting > 0 {
            first_launch = Some(t);
        }
        if first_new_in_service.is_none() && e.by_state.in_service > 2 {
            first_new_in_service = Some(t);
        }
    }
    // Three 1-minute datapoints above target after the step at 600 s (at
    // 660, 720 and 780 s): the scale-out is at 780 s, and the new instances
    // serve after their 90 s boot.
    assert_eq!(first_launch, Some(780.0));
    assert_eq!(first_new_in_service, Some(870.0));
    let r = ec2_report(&s);
    assert_eq!(r.fleet.max_desired, 6);
    assert_eq!(r.fleet.desired_over_max, 0);
    assert!(r.fleet.scale_outs >= 2);
    // Lambda would have absorbed the step at once; the fleet queued meanwhile.
    assert!(r.latency.max_ms > 1_000.0, "{:?}", r.latency);
}

#[test]
fn scale_in_waits_for_warm_up() {
    // 150 req/s on 4 x 4 slots (94 % CPU): a scale-out to 8 at the 180 s
    // tick; the new instances serve from 240 s and warm up for 2,400 s from
    // their launch (the group's InService, EC2 Auto Scaling "default
    // instance warmup"), the 60 s boot inside it. The load drops at 1,200 s:
    // 15 low datapoints are in by 2,100 s, but scale-in waits until no
    // instance is warming (180 + 2,400 = 2,580 s, not 2,640 s).
    let json = ec2_only(
        3_000.0,
        2,
        r#"{"kind": "api", "pattern": {"type": "steps", "poisson": false,
            "steps": [{"at_s": 0, "rate_per_s": 150}, {"at_s": 1200, "rate_per_s": 5}]}}"#,
        r#"{"instances": 4, "worker_slots": 4, "queue_length": 1000, "boot_s": 60,
            "duration": {"type": "fixed", "ms": 100},
            "auto_scaling": {"min": 1, "max": 10, "warmup_s": 2400, "scale_in_cooldown_s": 0,
                "target_tracking": {"metric": "cpu", "target": 50}}}"#,
    );
    let mut s = quiet_sim(&json);
    s.advance_to(secs(181.0));
    assert_eq!(ec2_snap(&s).bounds.desired, 8);
    s.advance_to(secs(2_579.0));
    assert_eq!(ec2_snap(&s).fleet.scale_ins, 0);
    s.advance_to(secs(2_581.0));
    let e = ec2_snap(&s);
    assert_eq!(e.fleet.scale_ins, 1, "{:?}", e.fleet);
    assert_eq!(
        e.bounds.desired, 7,
        "gradual: 10 % (at least one) at a time"
    );
}

#[test]
fn target_tracking_scale_in_uses_no_cooldown() {
    // 200 req/s of 100 ms on 10 x 4 slots (50 % CPU), down to 5 req/s at
    // 1,200 s. Target tracking does not use the default cooldown (300 s;
    // simple scaling only, EC2 Auto Scaling docs): after the first scale-in
    // (15 low datapoints, at 2,100 s) the next comes one datapoint later,
    // at 2,160 s, not 300 s later.
    let json = ec2_only(
        3_000.0,
        2,
        r#"{"kind": "api", "pattern": {"type": "steps", "poisson": false,
            "steps": [{"at_s": 0, "rate_per_s": 200}, {"at_s": 1200, "rate_per_s": 5}]}}"#,
        r#"{"instances": 10, "worker_slots": 4, "boot_s": 60,
            "duration": {"type": "fixed", "ms": 100},
            "auto_scaling": {"min": 1, "max": 10, "warmup_s": 300,
                "target_tracking": {"metric": "cpu", "target": 50}}}"#,
    );
    let mut s = quiet_sim(&json);
    s.advance_to(secs(2_099.0));
    assert_eq!(ec2_snap(&s).fleet.scale_ins, 0);
    s.advance_to(secs(2_101.0));
    assert_eq!(ec2_snap(&s).fleet.scale_ins, 1);
    s.advance_to(secs(2_161.0));
    assert_eq!(ec2_snap(&s).fleet.scale_ins, 2, "no 300 s cooldown");
}

const CRASH_API: &str = r#"{"kind": "api", "pattern": {"type": "constant", "rate_per_s": 100}}"#;

#[test]
fn crash_is_replaced_under_auto_scaling() {
    let json = ec2_only(
        1_500.0,
        3,
        CRASH_API,
        r#"{"instances": 3, "worker_slots": 8, "boot_s": 75, "duration": {"type": "fixed", "ms": 50},
            "auto_scaling": {"min": 3, "max": 3, "target_tracking": null},
            "failures": [{"type": "instance_crash", "at_s": 600}]}"#,
    );
    let mut s = quiet_sim(&json);
    s.advance_to(secs(659.0));
    assert_eq!(ec2_snap(&s).by_state.failed, 1);
    s.advance_to(secs(661.0));
    let e = ec2_snap(&s);
    assert_eq!(e.by_state.failed, 0);
    assert_eq!(e.by_state.booting, 1);
    s.advance_to(secs(737.0));
    assert_eq!(ec2_snap(&s).by_state.in_service, 3);
    s.advance_to(s.end());
    let r = ec2_report(&s);
    assert_eq!(r.fleet.replaced_automatically, 1);
    assert_eq!(r.operator_work.pages, 0);
    assert_eq!(r.operator_work.instances_replaced_by_hand, 0);
    // A third of the traffic hit the dead instance for 60 s: ~2,000 502s.
    assert!(
        (1_900..=2_100).contains(&r.fleet.http_502),
        "{}",
        r.fleet.http_502
    );
}

#[test]
fn crash_without_auto_scaling_is_not_replaced_and_pages() {
    let json = ec2_only(
        1_500.0,
        3,
        CRASH_API,
        r#"{"instances": 3, "worker_slots": 8, "duration": {"type": "fixed", "ms": 50},
            "failures": [{"type": "instance_crash", "at_s": 600}],
            "operator": {"response_s": 3600}}"#,
    );
    let mut s = quiet_sim(&json);
    s.advance_to(s.end());
    let r = ec2_report(&s);
    let e = ec2_snap(&s);
    assert_eq!(e.by_state.failed, 1, "still failed at the end");
    assert_eq!(e.by_state.in_service, 2);
    assert_eq!(r.operator_work.pages, 1);
    assert_eq!(
        r.operator_work.instances_replaced_by_hand, 0,
        "the operator answers after 1 h"
    );
    assert_eq!(r.fleet.launched, 3);
    assert_eq!(r.fleet.replaced_automatically, 0);
    // The failed instance is billed to the end like the others.
    assert_eq!(r.instance_seconds, 3 * 1_500);
    // The Lambda side's operator counters are zero, always.
    assert!(s.report().lambda.operator_work.is_zero());
}

#[test]
fn az_outage_takes_a_share_of_the_fleet() {
    let json = ec2_only(
        900.0,
        4,
        CRASH_API,
        r#"{"instances": 6, "zones": 3, "worker_slots": 8, "duration": {"type": "fixed", "ms": 50},
            "failures": [{"type": "az_outage", "at_s": 300, "zone": 2, "duration_s": 3600}],
            "operator": {"response_s": 120}}"#,
    );
    let mut s = quiet_sim(&json);
    s.advance_to(secs(301.0));
    assert_eq!(ec2_snap(&s).by_state.failed, 2);
    s.advance_to(s.end());
    let e = ec2_snap(&s);
    let r = ec2_report(&s);
    // Paged once; the operator replaced both by hand in the healthy zones.
    assert_eq!(r.operator_work.pages, 1);
    assert_eq!(r.operator_work.instances_replaced_by_hand, 2);
    assert!(e.instances.iter().all(|i| i.zone != 2));
    assert_eq!(e.by_state.in_service, 6);
}
