use super::*;
use crate::common::presets::PRESETS;
use crate::engine::sim::Simulation;
use crate::engine::time::SimTime;

fn preset(id: &str) -> Scenario {
    let p = PRESETS.iter().find(|p| p.id == id).expect(id);
    Scenario::from_json(p.json).unwrap()
}

fn snap(s: &Scenario) -> Snapshot {
    Simulation::new(s).unwrap().snapshot()
}

fn h(side: Side, kind: K, source: Option<u32>, env: Option<u64>) -> Happening {
    Happening {
        at: SimTime::ZERO,
        side,
        kind,
        source,
        env,
    }
}

fn text(hp: &Happening, s: &Scenario, sn: &Snapshot) -> Option<String> {
    caption_of(hp, &Facts::new(s), sn).map(|c| c.0)
}

#[test]
fn each_happening_names_its_cause_and_number_from_the_scenario() {
    let s = preset("flash-sale");
    let mut sn = snap(&s);
    let cold = h(Side::Lambda, K::ColdStart, Some(0), Some(99));
    let init = secs(s.function.init_duration.mean_ms() / 1e3);
    assert_eq!(
        text(&cold, &s, &sn).unwrap(),
        format!("cold start: a new environment initializes ({init})")
    );
    let thr = h(Side::Lambda, K::Throttled, Some(0), None);
    sn.lambda.concurrency_in_use = 10;
    assert_eq!(
        text(&thr, &s, &sn).unwrap(),
        "throttled: scaling rate reached (1,000 new environments per 10 s)"
    );
    sn.lambda.concurrency_in_use = sn.lambda.concurrency_limit;
    assert_eq!(
        text(&thr, &s, &sn).unwrap(),
        format!(
            "throttled: concurrency limit ({})",
            count(u64::from(sn.lambda.concurrency_limit))
        )
    );
    let rate = h(Side::Lambda, K::ThrottledRate, Some(0), None);
    assert!(text(&rate, &s, &sn)
        .unwrap()
        .contains(&count(sn.lambda.request_rate_limit)));
    // Things of no lesson say nothing.
    assert_eq!(
        text(&h(Side::Lambda, K::RoutedWarm, Some(0), Some(1)), &s, &sn),
        None
    );
    assert_eq!(
        text(&h(Side::Lambda, K::Succeeded, Some(0), Some(1)), &s, &sn),
        None
    );
}

#[test]
fn the_real_init_is_quoted_when_the_engine_shows_it() {
    let s = preset("steady-api");
    let mut sim = Simulation::new(&s).unwrap();
    sim.set_record_happenings(true);
    sim.advance_to(SimTime::from_micros(200_000));
    let sn = sim.snapshot();
    let env = sn
        .lambda
        .environments
        .iter()
        .find(|e| e.init_us > 0)
        .expect("a cold start in the first 0.2 s");
    let c = h(Side::Lambda, K::ColdStart, Some(0), Some(env.id));
    let t = text(&c, &s, &sn).unwrap();
    assert!(
        t.ends_with(&format!("({})", secs(env.init_us as f64 / 1e6))),
        "{t}"
    );
}

#[test]
fn ec2_captions_quote_the_health_check_and_the_operator() {
    let s = preset("instance-failure");
    let sn = snap(&s);
    let e = s.ec2.as_ref().unwrap();
    let failed = h(Side::Ec2, K::InstanceFailed, None, Some(2));
    let (t, anchor, _) = caption_of(&failed, &Facts::new(&s), &sn).unwrap();
    assert_eq!(
        t,
        format!(
            "instance #2 failed; the health check notices in {}",
            secs(e.health_check.detection_s())
        )
    );
    assert_eq!(anchor, Anchor::Instance(2));
    assert_eq!(anchor.selector(), ".instance[data-id=\"2\"]");
    let paged = text(&h(Side::Ec2, K::Paged, None, None), &s, &sn).unwrap();
    assert!(paged.starts_with("on-call operator paged"), "{paged}");
    let patch = text(&h(Side::Ec2, K::PatchStarted, None, Some(1)), &s, &sn).unwrap();
    assert_eq!(patch, "patching instance #1");
}

#[test]
fn timeouts_and_gateway_504s_quote_their_limits() {
    let s = preset("nightly-batch");
    let sn = snap(&s);
    let t = text(&h(Side::Lambda, K::TimedOut, Some(0), Some(1)), &s, &sn).unwrap();
    assert_eq!(t, "stopped at 15:00: Lambda's maximum");
    let mut s2 = s.clone();
    s2.function.timeout_s = 30.0;
    let t = text(&h(Side::Lambda, K::TimedOut, Some(0), Some(1)), &s2, &sn).unwrap();
    assert_eq!(t, "timed out: function timeout (30 s)");
    let api = preset("api-timeout");
    let want = secs(api.sources[0].api.as_ref().unwrap().timeout_s());
    let t = text(
        &h(Side::Lambda, K::GatewayTimeout, Some(0), Some(1)),
        &api,
        &snap(&api),
    )
    .unwrap();
    assert_eq!(t, format!("API Gateway 504: integration timeout ({want})"));
}

#[test]
fn a_tour_step_highlights_the_panel_it_talks_about() {
    let tour = crate::common::tour::parse("intro", crate::common::tour::INTRO).unwrap();
    let focus: Vec<_> = tour.steps.iter().map(|s| focus_of(&s.caption)).collect();
    // Step 1 is about the EC2 fleet you patch; the 15-minute step about Lambda.
    assert_eq!(focus[0], Some(Anchor::Ec2));
    assert_eq!(focus[1], Some(Anchor::Lambda));
    assert_eq!(focus[5], Some(Anchor::Lambda));
    assert_eq!(focus_of("Compare the two cost meters."), None);
}

#[test]
fn words_stay_short() {
    for (text, max) in [
        ("cold start: a new environment initializes (450 ms)", 8),
        ("instance #2 failed; the health check notices in 60 s", 10),
    ] {
        assert!(text.split_whitespace().count() <= max, "{text}");
    }
    assert_eq!(secs(0.45), "450 ms");
    assert_eq!(secs(29.0), "29 s");
    assert_eq!(secs(1_800.0), "30 min");
}

#[test]
fn a_flood_yields_one_calm_caption_at_most_two_at_once() {
    let s = preset("flash-sale");
    let mut sn = snap(&s);
    sn.lambda.concurrency_in_use = 0;
    let f = Facts::new(&s);
    let mut n = Narrator::default();
    let flood: Vec<Happening> = (0..5_000)
        .map(|i| {
            h(
                Side::Lambda,
                if i % 3 == 0 {
                    K::ColdStart
                } else {
                    K::Throttled
                },
                Some(0),
                None,
            )
        })
        .collect();
    // A frame of 5,000 happenings: one caption, the most important.
    n.observe(&flood, &f, &sn, 0.0);
    let shown = n.shown(0.0);
    assert_eq!(shown.len(), 1);
    assert!(shown[0].0.text.starts_with("throttled"), "{:?}", shown);
    // Sixty frames of the same flood: the same caption, not flicker.
    for frame in 1..60 {
        n.observe(&flood, &f, &sn, frame as f64 * 16.0);
    }
    let shown = n.shown(960.0);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].0.id, 1, "the same caption stays");
    // After the gap, the next kind (a cold start) joins: two at most.
    for frame in 60..200 {
        n.observe(&flood, &f, &sn, frame as f64 * 16.0);
    }
    let shown = n.shown(200.0 * 16.0);
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[1].0.text.starts_with("cold start"));
    // A third (more important) one pushes the oldest out, at once.
    let fail = [h(Side::Ec2, K::InstanceFailed, None, Some(3))];
    n.observe(&fail, &f, &sn, 3_250.0);
    let shown = n.shown(3_250.0);
    assert_eq!(shown.len(), MAX_SHOWN);
    assert!(shown[1].0.text.starts_with("instance #3 failed"));
    assert!(shown[0].0.text.starts_with("cold start"));
    // Captions fade and go.
    assert!(n.shown(3_250.0 + LIFE_MS).is_empty());
}

#[test]
fn a_less_important_caption_waits_for_the_gap() {
    let s = preset("patch-tuesday");
    let sn = snap(&s);
    let f = Facts::new(&s);
    let mut n = Narrator::default();
    n.observe(&[h(Side::Ec2, K::Paged, None, None)], &f, &sn, 0.0);
    n.observe(
        &[h(Side::Ec2, K::PatchStarted, None, Some(1))],
        &f,
        &sn,
        100.0,
    );
    assert_eq!(n.shown(100.0).len(), 1, "within the gap it waits");
    n.observe(&[], &f, &sn, GAP_MS + 1.0);
    let shown = n.shown(GAP_MS + 1.0);
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[1].0.text, "patching instance #1");
}

#[test]
fn the_wall_counts_the_longest_invocation_against_15_minutes() {
    let s = preset("nightly-batch");
    let mut sim = Simulation::new(&s).unwrap();
    // The rule fires at 02:00; ten minutes later the job is running.
    sim.advance_to(SimTime::from_micros(7_800 * 1_000_000));
    let w = Wall::of(&sim.snapshot(), s.function.timeout_s).expect("a long invocation");
    assert!((w.elapsed_s - 600.0).abs() < 5.0, "{w:?}");
    assert_eq!(
        w.text(),
        format!("longest invocation {} of 15:00 max", {
            let e = w.elapsed_s as u64;
            format!("{}:{:02}", e / 60, e % 60)
        })
    );
    assert!((w.share() - 600.0 / 900.0).abs() < 0.01);
    // It is stopped at 15:00: never past it.
    sim.advance_to(SimTime::from_micros(8_200 * 1_000_000));
    assert!(Wall::of(&sim.snapshot(), 900.0).is_none_or(|w| w.elapsed_s <= 900.0));
    let low = Wall {
        elapsed_s: 75.0,
        timeout_s: 300.0,
        stopped: false,
    };
    assert_eq!(
        low.text(),
        "longest invocation 1:15 of 15:00 max · timeout 5:00"
    );
    // Short invocations show no wall.
    assert_eq!(Wall::of(&snap(&preset("steady-api")), 30.0), None);
}

#[test]
fn the_wall_says_stopped_at_15_00_after_the_kill_for_a_while() {
    let s = preset("nightly-batch");
    let f = Facts::new(&s);
    let mut sim = Simulation::new(&s).unwrap();
    sim.set_record_happenings(true);
    let mut n = Narrator::default();
    let frame = |sim: &mut Simulation, n: &mut Narrator, t_s: u64, ms: f64| {
        sim.advance_to(SimTime::from_micros(t_s * 1_000_000));
        let sn = sim.snapshot();
        n.observe(&sim.drain_happenings().happenings, &f, &sn, ms);
        n.wall(&sn, 900.0, ms)
    };
    let w = frame(&mut sim, &mut n, 7_200 + 800, 0.0).expect("running");
    assert!(!w.stopped());
    // The kill at 15:00 (the INIT first: 1.2 s).
    let w = frame(&mut sim, &mut n, 7_200 + 905, 16.0).expect("stopped, still shown");
    assert!(w.stopped());
    assert_eq!(w.text(), "stopped at 15:00, Lambda's maximum");
    assert_eq!(w.elapsed_s, 900.0);
    let shown = n.shown(16.0);
    assert_eq!(
        shown.last().unwrap().0.text,
        "stopped at 15:00: Lambda's maximum"
    );
    assert!(
        frame(&mut sim, &mut n, 7_200 + 906, 16.0 + LIFE_MS).is_none(),
        "then it goes"
    );
}
