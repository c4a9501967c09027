use super::*;
use crate::common::presets::{self, CONCEPTS, PRESETS};
use crate::engine::sim::Simulation;
use crate::engine::time::SimTime;

fn preset(id: &str) -> (usize, Scenario) {
    let i = presets::index_of(id).unwrap();
    (i, PRESETS[i].scenario().unwrap())
}

fn marker(t_s: f64, kind: MarkKind) -> Marker {
    Marker {
        t_s,
        kind,
        label: String::new(),
    }
}

#[test]
fn markers_come_from_the_scenario() {
    let (_, s) = preset("flash-sale");
    let m = scenario_markers(&s);
    let got: Vec<(f64, MarkKind, &str)> = m
        .iter()
        .map(|m| (m.t_s, m.kind, m.label.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (240.0, MarkKind::Provisioned, "provisioned concurrency 100"),
            (300.0, MarkKind::TrafficUp, "traffic rises to 12,000/s"),
            (900.0, MarkKind::TrafficDown, "traffic falls to 20/s"),
            (1200.0, MarkKind::Provisioned, "provisioned concurrency off"),
        ]
    );
    let (_, s) = preset("nightly-batch");
    let m = scenario_markers(&s);
    let kinds: Vec<(f64, MarkKind)> = m.iter().map(|m| (m.t_s, m.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (6900.0, MarkKind::Scaling),
            (7200.0, MarkKind::Schedule),
            (8100.0, MarkKind::Wall),
            (9000.0, MarkKind::Scaling),
        ]
    );
    assert_eq!(m[2].label, "15-minute limit");
    let (_, s) = preset("patch-tuesday");
    assert_eq!(scenario_markers(&s)[0].kind, MarkKind::Patch);
    assert_eq!(scenario_markers(&s)[0].t_s, 1800.0);
    let (_, s) = preset("instance-failure");
    assert_eq!(scenario_markers(&s)[0].label, "instance fails");
    let (_, s) = preset("quiet-night");
    let m = scenario_markers(&s);
    assert_eq!((m[0].t_s, m[0].label.as_str()), (7200.0, "quietest hour"));
    assert_eq!((m[1].t_s, m[1].label.as_str()), (50400.0, "busiest hour"));
    // A steady API has nothing to mark; a function that can finish has no wall.
    let (_, s) = preset("steady-api");
    assert!(scenario_markers(&s).is_empty());
}

#[test]
fn the_first_happening_of_each_kind_marks_the_run() {
    let h = |t: u64, side, kind| Happening {
        at: SimTime::from_micros(t * 1_000_000),
        side,
        kind,
        source: None,
        env: None,
    };
    let mut f = Firsts::default();
    f.note(&[
        h(1, Side::Lambda, HappeningKind::ColdStart),
        h(2, Side::Lambda, HappeningKind::RoutedWarm),
        h(3, Side::Lambda, HappeningKind::ColdStart),
        h(5, Side::Ec2, HappeningKind::Throttled),
    ]);
    f.note(&[
        h(4, Side::Lambda, HappeningKind::Throttled),
        h(6, Side::Lambda, HappeningKind::Throttled),
        h(7, Side::Lambda, HappeningKind::TimedOut),
    ]);
    assert_eq!(f.seen, 4);
    let m = f.markers(900.0);
    let got: Vec<(f64, &str)> = m.iter().map(|m| (m.t_s, m.label.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (1.0, "first cold start"),
            (4.0, "first throttle (429)"),
            (5.0, "first 503"),
            (7.0, "stopped at 15:00"),
        ]
    );
    assert_eq!(f.markers(30.0)[3].label, "first timeout");
    assert!(m.iter().all(|m| m.kind.from_run()));
}

#[test]
fn slow_motion_steps_down_before_and_after_a_marker() {
    let m = [marker(8100.0, MarkKind::Wall)];
    let s = schedule(&m, 10_000.0, 86_400.0);
    let got: Vec<(f64, f64, f64)> = s.iter().map(|s| (s.from_s, s.to_s, s.speed)).collect();
    assert_eq!(
        got,
        vec![
            (0.0, 7100.0, 10_000.0),
            (7100.0, 8000.0, 1_000.0),
            (8000.0, 8250.0, 100.0),
            (8250.0, 9600.0, 1_000.0),
            (9600.0, 86_400.0, 10_000.0),
        ]
    );
    assert_eq!(speed_at(&s, 8099.0, 10_000.0), 100.0);
    assert_eq!(speed_at(&s, 0.0, 10_000.0), 10_000.0);
    // 1 s a level before: 0.9 s at 1,000×, 1 s at 100×.
    assert!((wall_between(&s, 7000.0, 8100.0, 10_000.0) - 1.91).abs() < 1e-9);
    // A marker of the run slows only what follows it.
    let s = schedule(&[marker(300.0, MarkKind::Throttle)], 10.0, 1800.0);
    assert_eq!(
        s[1],
        Segment {
            from_s: 300.0,
            to_s: 301.5,
            speed: 1.0
        }
    );
    // The first cold start does not slow the run down.
    assert!(schedule(&[marker(0.5, MarkKind::ColdStart)], 100.0, 60.0).len() == 1);
    // At 1× there is nothing slower.
    assert_eq!(schedule(&m, 1.0, 86_400.0).len(), 1);
    assert_eq!(levels(30.0), vec![3.0, 1.0]);
}

#[test]
fn playback_and_wall_time_agree() {
    let m = [
        marker(300.0, MarkKind::TrafficUp),
        marker(900.0, MarkKind::Failure),
    ];
    let s = schedule(&m, 100.0, 1800.0);
    // Frames of 16 ms from 250 s reach 300 s after the computed wall time.
    let want = wall_between(&s, 250.0, 300.0, 100.0);
    let (mut t, mut wall) = (250.0, 0.0);
    while t < 300.0 {
        t = advance(&s, t, 0.016, 100.0);
        wall += 0.016;
    }
    assert!((wall - want).abs() < 0.017, "{wall} vs {want}");
    // One long step crosses segments exactly.
    let to = advance(&s, 0.0, 10.0, 100.0);
    assert!((wall_between(&s, 0.0, to, 100.0) - 10.0).abs() < 1e-9);
    // Past the schedule: the speed.
    assert_eq!(advance(&[], 5.0, 2.0, 10.0), 25.0);
}

#[test]
fn a_preset_starts_a_lead_before_its_key_moment() {
    let (i, s) = preset("flash-sale");
    let start = presets::start_s(i, 10.0);
    let m = scenario_markers(&s);
    let seg = schedule(&m, 10.0, s.duration_s);
    assert!((wall_between(&seg, start, 300.0, 10.0) - LEAD_WALL_S).abs() < 1e-9);
    assert!(start > 250.0 && start < 300.0, "{start}");
    // At another speed (a link's), the same lead of playback at that speed.
    for speed in [3.0, 100.0] {
        let start = presets::start_s(i, speed);
        let seg = schedule(&m, speed, s.duration_s);
        let wall = wall_between(&seg, start, 300.0, speed);
        assert!((wall - LEAD_WALL_S).abs() < 1e-9, "{speed}×: {wall}");
    }
    // Key moments in the first seconds: start at 0.
    assert_eq!(
        presets::start_s(presets::index_of("thumbnails").unwrap(), 1_000.0),
        0.0
    );
    assert_eq!(start_s(&[], 5.0, 10.0), 0.0);
}

/// Runs a preset from 0 and returns the run's markers (from happenings).
fn run_markers(s: &Scenario, until_s: f64) -> Vec<Marker> {
    let mut sim = Simulation::new(s).unwrap();
    sim.set_record_happenings(true);
    let mut f = Firsts::default();
    let mut t = 0.0;
    while t < until_s {
        t += 1.0;
        sim.advance_to(SimTime::from_micros((t * 1e6) as u64));
        f.note(&sim.drain_happenings().happenings);
    }
    f.markers(s.function.timeout_s)
}

#[test]
fn every_concepts_key_moment_comes_within_5_s_of_playback() {
    for c in CONCEPTS {
        let (i, s) = preset(c.preset);
        let speed = PRESETS[i].speed;
        let start = presets::start_s(i, speed);
        let mut all = scenario_markers(&s);
        let key_kind = c.key.unwrap();
        let key = if key_kind.from_run() {
            let run = run_markers(&s, start + LEAD_WALL_S * speed * 3.0);
            let k = run.iter().find(|m| m.kind == key_kind).cloned();
            all.extend(run);
            k
        } else {
            all.iter().find(|m| m.kind == key_kind).cloned()
        };
        let key = key.unwrap_or_else(|| panic!("{}: no key moment", c.preset));
        assert!(key.t_s >= start, "{}: {} before {start}", c.preset, key.t_s);
        let seg = schedule(&all, speed, s.duration_s);
        let wall = wall_between(&seg, start, key.t_s, speed);
        assert!(wall <= 5.0, "{}: {wall} s", c.preset);
        assert!(!c.takeaway.is_empty() && c.takeaway.ends_with('.'));
    }
    // Without slow motion and from 0 the flash sale's throttle comes 30 s in.
    let (_, s) = preset("flash-sale");
    let run = run_markers(&s, 310.0);
    let t = run
        .iter()
        .find(|m| m.kind == MarkKind::Throttle)
        .unwrap()
        .t_s;
    assert!(wall_between(&[], 0.0, t, 10.0) > 29.0);
}

#[test]
fn moments_take_the_runs_markers_and_count_down() {
    let (_, s) = preset("flash-sale");
    let mut m = Moments::new(&s, 10.0, true);
    assert_eq!(m.markers.len(), 4);
    let (next, wall) = m.next(270.0).unwrap();
    assert_eq!(next.label, "traffic rises to 12,000/s");
    // 29 s at 10×, then 1 s at 1×.
    assert!((wall - 3.9).abs() < 1e-9, "{wall}");
    assert_eq!(m.speed_at(299.5), 1.0);
    let mut f = Firsts::default();
    assert!(!m.update(&f, 10.0, true));
    f.note(&[Happening {
        at: SimTime::from_micros(300_200_000),
        side: Side::Lambda,
        kind: HappeningKind::Throttled,
        source: None,
        env: None,
    }]);
    assert!(m.update(&f, 10.0, true));
    assert_eq!(m.markers[2].label, "first throttle (429)");
    assert_eq!(m.speed_at(301.6), 1.0, "slowed after the throttle");
    assert!(m.update(&f, 10.0, false));
    assert!(m.segments.is_empty());
    assert_eq!(m.speed_at(299.5), 10.0);
    assert!((m.next(270.0).unwrap().1 - 3.0).abs() < 1e-9);
    assert_eq!(m.advance(0.0, 1.0), 10.0);
    assert_eq!(m.lead_in(300.0), 265.0);
}
