//! Live operations on a running simulation: failing an instance, an AZ
//! outage and its end, traffic changes; refused arguments; and the action
//! log replaying to a bit-identical run.

use super::*;
use fanout::engine::HappeningKind;
use fanout::engine::InstanceState;
use fanout::engine::{Action, LoggedAction};

/// Three zones, six instances (two per zone), 300 req/s.
fn fleet(auto_scaling: bool) -> Simulation {
    let asg = if auto_scaling {
        r#", "auto_scaling": {"min": 6, "max": 12, "health_check_grace_s": 0}"#
    } else {
        ""
    };
    quiet_sim(&both(
        1_800.0,
        11,
        &api(300.0, true),
        r#"{"timeout_s": 10, "duration": {"type": "fixed", "ms": 50}}"#,
        &format!(r#"{{"instances": 6, "zones": 3, "worker_slots": 8 {asg}}}"#),
    ))
}

/// Sets source `source`'s peak rate from now on [requests/s].
fn set_rate(source: u16, rate_per_s: f64) -> Action {
    Action::SetRate { source, rate_per_s }
}

/// Scales the traffic of source `source` (None: every source) by `factor`.
fn scale(source: Option<u16>, factor: f64) -> Action {
    Action::ScaleTraffic { source, factor }
}

fn count(s: &Simulation, state: InstanceState) -> usize {
    ec2_snap(s)
        .instances
        .iter()
        .filter(|i| i.state == state)
        .count()
}

#[test]
fn failing_an_instance_gets_it_replaced_by_auto_scaling() {
    let mut s = fleet(true);
    s.advance_to(secs(120.0));
    s.apply(Action::FailInstance { instance: Some(3) }).unwrap();
    let e = ec2_snap(&s);
    let i3 = e.instances.iter().find(|i| i.id == 3).unwrap();
    assert_eq!(i3.state, InstanceState::Failed);
    assert_eq!(e.fleet.failed, 1);
    // Health checks notice, Auto Scaling terminates and launches.
    s.advance_to(secs(400.0));
    let e = ec2_snap(&s);
    assert!(e.instances.iter().all(|i| i.id != 3), "terminated");
    assert_eq!(e.fleet.replaced_automatically, 1);
    assert_eq!(count(&s, InstanceState::InService), 6);
    assert_eq!(s.actions().len(), 1);
    assert_eq!(s.actions()[0].at, secs(120.0));
}

#[test]
fn failing_an_instance_of_a_fixed_fleet_pages_the_operator() {
    let mut s = fleet(false);
    s.advance_to(secs(60.0));
    s.apply(Action::FailInstance { instance: None }).unwrap();
    let e = ec2_snap(&s);
    let failed: Vec<u64> = e
        .instances
        .iter()
        .filter(|i| i.state == InstanceState::Failed)
        .map(|i| i.id)
        .collect();
    assert_eq!(failed, vec![0], "the oldest in service");
    s.advance_to(secs(200.0));
    let e = ec2_snap(&s);
    assert_eq!(e.operator_work.pages, 1);
    assert_eq!(count(&s, InstanceState::Failed), 1, "nothing heals it yet");
}

#[test]
fn az_outage_fails_the_zone_and_auto_scaling_refills_elsewhere() {
    let mut s = fleet(true);
    s.set_record_happenings(true);
    s.advance_to(secs(120.0));
    let _ = s.drain_happenings();
    let zone_of: std::collections::HashMap<u64, u32> = ec2_snap(&s)
        .instances
        .iter()
        .map(|i| (i.id, i.zone))
        .collect();
    s.apply(Action::AzOutage { zone: 1 }).unwrap();
    let e = ec2_snap(&s);
    assert_eq!(e.zones_down, vec![1]);
    for i in &e.instances {
        let failed = i.state == InstanceState::Failed;
        assert_eq!(failed, zone_of[&i.id] == 1, "{i:?}");
    }
    assert_eq!(count(&s, InstanceState::Failed), 2);
    assert_eq!(count(&s, InstanceState::InService), 4, "capacity drops");
    let h = s.drain_happenings().happenings;
    assert!(h
        .iter()
        .any(|h| h.kind == HappeningKind::ZoneDown && h.env == Some(1)));
    assert_eq!(
        h.iter()
            .filter(|h| h.kind == HappeningKind::InstanceFailed)
            .count(),
        2
    );
    // Refused while down; the failed ones are replaced in zones 0 and 2.
    assert!(s.apply(Action::AzOutage { zone: 1 }).is_err());
    s.advance_to(secs(600.0));
    let e = ec2_snap(&s);
    assert_eq!(count(&s, InstanceState::InService), 6);
    assert!(e.instances.iter().all(|i| i.zone != 1), "{:?}", e.instances);
    s.apply(Action::EndAzOutage { zone: 1 }).unwrap();
    assert!(ec2_snap(&s).zones_down.is_empty());
    assert!(s.apply(Action::EndAzOutage { zone: 1 }).is_err());
    assert_eq!(s.actions().len(), 2, "refused actions are not logged");
}

#[test]
fn traffic_changes_apply_from_now_on() {
    let mut s = fleet(true);
    s.advance_to(secs(300.0));
    let before = s.counters().arrived;
    s.apply(set_rate(0, 30.0)).unwrap();
    assert_eq!(s.now(), secs(300.0), "no restart");
    s.advance_to(secs(600.0));
    let slow = s.counters().arrived - before;
    assert!((7_000..11_000).contains(&slow), "{slow} ≈ 30/s × 300 s");
    s.apply(scale(None, 2.0)).unwrap();
    let mid = s.counters().arrived;
    s.advance_to(secs(700.0));
    let fast = s.counters().arrived - mid;
    assert!((5_400..6_600).contains(&fast), "{fast} ≈ 30/s × 2 × 100 s");
    // A new rate under the factor in force; factors replace, not compound.
    s.apply(set_rate(0, 300.0)).unwrap();
    s.apply(scale(Some(0), 0.5)).unwrap();
    let mid = s.counters().arrived;
    s.advance_to(secs(800.0));
    let half = s.counters().arrived - mid;
    assert!(
        (13_500..16_500).contains(&half),
        "{half} ≈ 300/s × 0.5 × 100 s"
    );
    let m = s.apply(set_rate(0, 100_000.0)).err();
    assert!(m.is_none(), "100,000 × 0.5 is within the limit");
    s.apply(scale(None, 1.0)).unwrap();
    let m = s.apply(scale(None, 2.0)).unwrap_err().to_string();
    assert!(m.starts_with("factor: 2 is too large for source 0"), "{m}");
    // Both sides still see the same arrivals.
    assert_eq!(s.counters().arrived, ec2_snap(&s).counters.arrived);
}

#[test]
fn bad_arguments_are_refused_with_the_field_and_range() {
    let mut s = fleet(true);
    s.advance_to(secs(10.0));
    let msg = |s: &mut Simulation, a| s.apply(a).unwrap_err().to_string();
    let m = msg(&mut s, Action::FailInstance { instance: Some(99) });
    assert!(
        m.starts_with("instance: 99 is not a running instance (running: 0, 1, 2, 3, 4, 5)"),
        "{m}"
    );
    let m = msg(&mut s, Action::AzOutage { zone: 3 });
    assert_eq!(m, "zone: 3 is not a zone of this fleet (0 to 2)");
    let m = msg(&mut s, set_rate(0, 1e6));
    assert!(
        m.starts_with("rate_per_s: 1000000 is above the engine maximum of 100000"),
        "{m}"
    );
    let m = msg(&mut s, set_rate(4, 1.0));
    assert_eq!(m, "source: 4 is not a source of this scenario (0 to 0)");
    let m = msg(&mut s, scale(None, 1_000.0));
    assert!(
        m.starts_with("factor: 1000 is above the maximum of 100"),
        "{m}"
    );
    // The rate limit holds for the scaled peak too.
    let mut busy = quiet_sim(&both(
        60.0,
        1,
        &api(2_000.0, true),
        r#"{"timeout_s": 3}"#,
        r#"{"instances": 2}"#,
    ));
    let m = msg(&mut busy, scale(None, 90.0));
    assert!(m.starts_with("factor: 90 is too large for source 0"), "{m}");
    assert!(s.actions().is_empty());
    // No EC2 side.
    let mut l = Simulation::new(&scenario(
        r#"{"version": 1, "duration_s": 60, "sources": [{"kind": "api", "pattern": {"type": "bursts", "bursts": [{"at_s": 1, "count": 3}]}}],
            "function": {"timeout_s": 3}}"#,
    ))
    .unwrap();
    let m = msg(&mut l, Action::FailInstance { instance: None });
    assert_eq!(m, "instance: this scenario has no EC2 fleet");
    let m = msg(&mut l, set_rate(0, 5.0));
    assert!(m.starts_with("sources[0].pattern: has no rate"), "{m}");
    l.apply(scale(Some(0), 2.0)).unwrap();
    l.advance_to(l.end());
    assert_eq!(l.counters().arrived, 6, "a burst scales its count");
}

/// The same scenario, seed and action log give a bit-identical run,
/// whether the actions were applied between frames, after single steps or
/// replayed headless.
#[test]
fn replaying_the_action_log_is_bit_identical() {
    let mut live = fleet(true);
    live.set_record_happenings(true);
    let mut t = SimTime::ZERO;
    let plan = [
        (137.0, Action::FailInstance { instance: None }),
        (200.5, Action::AzOutage { zone: 2 }),
        (260.0, set_rate(0, 450.0)),
        (410.0, Action::EndAzOutage { zone: 2 }),
        (500.0, scale(Some(0), 0.25)),
    ];
    for (i, (at, a)) in plan.iter().enumerate() {
        // Frames of 16.7 ms of wall time at 100×, then land on the instant.
        while t < secs(*at) {
            t = (t + SimDuration::from_micros(1_670_000)).min(secs(*at));
            live.advance_to(t);
            let _ = live.drain_happenings();
        }
        if i == 1 {
            // A few single steps: events may be left at this instant.
            for _ in 0..3 {
                live.step();
            }
        }
        live.apply(*a).unwrap();
        t = live.now();
    }
    let end = secs(900.0);
    live.advance_to(end);
    let log: Vec<LoggedAction> = live.actions().to_vec();
    assert_eq!(log.len(), plan.len());
    let replayed = Simulation::replay(live.scenario(), &log, end).unwrap();
    let (a, b) = (live.report(), replayed.report());
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    assert_eq!(live.snapshot(), replayed.snapshot());
    assert!(a.ec2.as_ref().unwrap().fleet.failed >= 3);
    // The log survives JSON, and a log out of order is refused.
    let json = serde_json::to_string(&log).unwrap();
    let back: Vec<LoggedAction> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
    let mut bad = log.clone();
    bad.swap(0, 1);
    let e = Simulation::replay(live.scenario(), &bad, end)
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("actions[1].at:"), "{e}");
    // A different log gives a different run (the test can fail).
    let other = Simulation::replay(live.scenario(), &log[..2], end).unwrap();
    assert_ne!(other.report().lambda.counters, a.lambda.counters);
}
