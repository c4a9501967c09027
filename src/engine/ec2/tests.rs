//! Unit tests of the EC2 platform, driven by a small event loop of their
//! own (the engine's loop feeds it the same way).

use super::fleet::{AfterDrain, InstanceState};
use super::*;
use crate::engine::dist::Distribution;
use crate::engine::metrics::Series;
use crate::engine::scenario::ec2::{Ec2Config, PatchMode};
use crate::engine::scenario::{Function, Source};
use crate::engine::traffic::ArrivalGen;

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrival(u16),
    Ec2(Ec2Event),
}

impl From<Ec2Event> for Ev {
    fn from(e: Ec2Event) -> Ev {
        Ev::Ec2(e)
    }
}

struct Run {
    q: EventQueue<Ev>,
    h: Happenings,
    side: Ec2Side,
    gens: Vec<ArrivalGen>,
    series: Series,
    end: SimTime,
}

fn secs(s: f64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs_f64(s)
}

impl Run {
    fn new(cfg: &str, sources: &str, duration_ms: f64, duration_s: f64, seed: u64) -> Run {
        let cfg: Ec2Config = serde_json::from_str(cfg).unwrap();
        let sources: Vec<Source> = serde_json::from_str(sources).unwrap();
        let errs = cfg.validate("ec2", true);
        assert!(errs.is_empty(), "{errs:?}");
        let f = Function {
            duration: Distribution::Fixed { ms: duration_ms },
            ..Function::default()
        };
        let mut q = EventQueue::new();
        let mut h = Happenings::default();
        let mut gens = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            let mut g = ArrivalGen::new(&s.pattern, seed, i as u64, duration_s);
            if let Some(t) = g.next_arrival() {
                q.schedule(t, Ev::Arrival(i as u16)).unwrap();
            }
            gens.push(g);
        }
        let mut side = Ec2Side::new(&cfg, &sources, Some(&f), seed, duration_s);
        side.start(&mut q, &mut h);
        Run {
            q,
            h,
            side,
            gens,
            series: Series::new(1_000_000),
            end: secs(duration_s),
        }
    }

    fn advance_to(&mut self, t: SimTime) {
        while let Some((at, e)) = self.q.pop_until(t) {
            let mut ctx = Ec2Ctx {
                now: at,
                queue: &mut self.q,
                happenings: &mut self.h,
            };
            match e {
                Ev::Arrival(s) => {
                    self.side.on_arrival(s, &mut ctx);
                    if let Some(n) = self.gens[s as usize].next_arrival() {
                        let _ = ctx.queue.schedule(n.max(at), Ev::Arrival(s));
                    }
                }
                Ev::Ec2(e) => self.side.on_event(e, &mut ctx),
            }
            self.check(at);
        }
        self.q.advance_to(t);
        self.side.advance(t);
    }

    /// Invariants after every event.
    fn check(&self, at: SimTime) {
        let s = &self.side;
        assert!(s.counters.balances(), "at {at}: {:?}", s.counters);
        assert_eq!(s.fc.served_while_not_in_service, 0);
        for i in &s.instances {
            if !i.state.runs_work() {
                assert_eq!(i.busy, 0, "instance {} busy while {:?}", i.id, i.state);
                assert!(i.local.is_empty());
            }
            assert!(i.busy <= s.worker_slots);
            assert!(i.local.len() <= s.local_queue_capacity);
        }
        let b = s.bounds();
        assert!(b.desired <= b.max && b.min <= b.desired, "{b:?}");
        if s.patch_schedule
            .is_some_and(|p| p.mode == PatchMode::Rolling)
        {
            let out = s
                .instances
                .iter()
                .filter(|i| {
                    i.state == InstanceState::Patching
                        || (i.state == InstanceState::Draining
                            && i.after_drain == AfterDrain::Patch)
                })
                .count();
            assert!(out <= 1, "rolling patch took {out} out at {at}");
        }
    }

    fn run(&mut self) -> &Ec2Side {
        let end = self.end;
        self.advance_to(end);
        &self.side
    }
}

const API_100: &str = r#"[{"kind": "api", "pattern": {"type": "constant", "rate_per_s": 100}}]"#;

#[test]
fn fixed_fleet_serves_and_bills() {
    let mut r = Run::new(
        r#"{"instance_type": "c7g.large", "instances": 3, "worker_slots": 8}"#,
        API_100,
        50.0,
        600.0,
        1,
    );
    r.run();
    // Let the last requests finish.
    r.advance_to(secs(600.1));
    let s = &r.side;
    let c = s.counters;
    assert_eq!(c.arrived, 60_000);
    assert_eq!(c.succeeded, 60_000);
    assert_eq!(c.throttles, 0);
    let u = s.usage_at(secs(600.0));
    assert_eq!(u.instances["c7g.large"].launches, 3);
    assert_eq!(u.instances["c7g.large"].billable_seconds, 1_800);
    let alb = u.alb.unwrap();
    assert_eq!(alb.total_hours(), 1);
    assert_eq!(alb.hours[0].new_connections, 60_000);
    // 5 requests in flight on average for 600 s = 50 connection-minutes.
    assert_eq!(alb.hours[0].active_connection_minutes, 50);
    let rep = r.side.report("t", secs(600.1), &r.series);
    assert!((rep.latency.p50_ms - 50.0).abs() < 0.1);
    assert!((rep.mean_busy - 5.0).abs() < 0.02, "{}", rep.mean_busy);
    assert!(
        (rep.mean_cpu_percent - 5.0 / 24.0 * 100.0).abs() < 0.1,
        "{}",
        rep.mean_cpu_percent
    );
    assert!(rep.operator_work.is_zero());
}

#[test]
fn full_instance_answers_503_and_queue_absorbs() {
    let burst =
        r#"[{"kind": "api", "pattern": {"type": "bursts", "bursts": [{"at_s": 1, "count": 10}]}}]"#;
    let mut r = Run::new(
        r#"{"instances": 1, "worker_slots": 2, "queue_length": 3}"#,
        burst,
        100.0,
        10.0,
        1,
    );
    let s = r.run();
    assert_eq!(s.counters.succeeded, 5);
    assert_eq!(s.fc.http_503, 5);
    assert_eq!(s.counters.dropped, 5);
    // Two served at once, three queued: the last waits 200 ms.
    assert!((s.latency.summary().max_ms - 300.0).abs() < 0.5);
}

#[test]
fn least_outstanding_avoids_the_busy_target() {
    // Two single-slot instances without a queue: round robin sends to a
    // busy instance while the other is idle; least outstanding does not,
    // so it rejects only when both are busy.
    let src = r#"[{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": 10}}]"#;
    let run = |routing: &str| {
        let cfg = format!(
            r#"{{"instances": 2, "worker_slots": 1, "queue_length": 0, "duration": {{"type": "exponential", "mean_ms": 100}},
                "load_balancer": {{"routing": "{routing}"}}}}"#
        );
        let mut r = Run::new(&cfg, src, 150.0, 600.0, 1);
        let s = r.run();
        s.fc.http_503 as f64 / s.counters.arrived as f64
    };
    let rr = run("round_robin");
    let lor = run("least_outstanding_requests");
    // Least outstanding is Erlang B with 2 servers at 1 Erlang: 20 %. Round
    // robin gives each instance every other arrival (Erlang-2 gaps), so
    // an arrival finds its instance busy about (λ/(λ+μ))² = 25 % of the time.
    assert!((lor - 0.2).abs() < 0.02, "{lor}");
    assert!((rr - 0.25).abs() < 0.02 && rr > lor + 0.03, "{rr} vs {lor}");
}

#[test]
fn fixed_fleet_crash_pages_and_waits_for_the_operator() {
    let cfg = r#"{"instances": 2, "worker_slots": 10, "failures": [{"type": "instance_crash", "at_s": 100, "instance": 0}],
                  "operator": {"response_s": 600, "alarm_cpu_percent": null}}"#;
    let mut r = Run::new(cfg, API_100, 50.0, 1_200.0, 2);
    r.advance_to(secs(100.5));
    assert_eq!(r.side.count(InstanceState::Failed), 1);
    // Until detection (30 s x 2) round robin still sends it half the traffic: 502s.
    r.advance_to(secs(159.0));
    assert!(r.side.fc.http_502 > 2_500, "{}", r.side.fc.http_502);
    assert_eq!(r.side.work.pages, 0);
    r.advance_to(secs(161.0));
    assert_eq!(r.side.work.pages, 1);
    let bad = r.side.fc.http_502;
    // Capacity stays lost until the operator acts, 600 s after the page.
    r.advance_to(secs(759.0));
    assert_eq!(r.side.count(InstanceState::Failed), 1);
    assert_eq!(r.side.count(InstanceState::InService), 1);
    assert_eq!(r.side.fc.http_502, bad, "no 502 after detection");
    r.advance_to(secs(761.0));
    assert_eq!(r.side.work.instances_replaced_by_hand, 1);
    assert_eq!(r.side.count(InstanceState::Booting), 1);
    r.advance_to(secs(761.0 + 75.0));
    assert_eq!(r.side.count(InstanceState::InService), 2);
    let s = r.run();
    assert_eq!(s.fc.launched, 3);
    assert_eq!(s.fc.replaced_automatically, 0);
    // The failed instance billed from 0 to its termination at 760 s.
    let u = s.usage_at(secs(1_200.0));
    assert_eq!(
        u.instances["m5.large"].billable_seconds,
        760 + 1_200 + (1_200 - 760)
    );
}

#[test]
fn nobody_on_call_means_capacity_stays_lost() {
    let cfg = r#"{"instances": 2, "failures": [{"type": "instance_crash", "at_s": 10}], "operator": {"on_call": false}}"#;
    let mut r = Run::new(cfg, API_100, 5.0, 3_000.0, 2);
    let s = r.run();
    assert_eq!(s.work.pages, 0);
    assert_eq!(s.count(InstanceState::Failed), 1);
    assert_eq!(s.fc.launched, 2);
}

#[test]
fn auto_scaling_replaces_a_crash_after_detection_and_grace() {
    let cfg = r#"{"instances": 2, "worker_slots": 10, "boot_s": 60,
                  "auto_scaling": {"min": 2, "max": 4, "target_tracking": null},
                  "failures": [{"type": "instance_crash", "at_s": 400}]}"#;
    let mut r = Run::new(cfg, API_100, 50.0, 1_000.0, 3);
    r.advance_to(secs(459.0));
    assert_eq!(r.side.count(InstanceState::Failed), 1);
    r.advance_to(secs(461.0));
    assert_eq!(r.side.count(InstanceState::Failed), 0);
    assert_eq!(r.side.count(InstanceState::Booting), 1);
    assert_eq!(r.side.fc.replaced_automatically, 1);
    r.advance_to(secs(521.0));
    assert_eq!(r.side.count(InstanceState::InService), 2);
    let s = r.run();
    assert_eq!(s.work, OperatorWork::default(), "no page, nothing by hand");
}

#[test]
fn step_in_traffic_scales_out_after_the_alarm_and_boot_never_above_max() {
    let src = r#"[{"kind": "api", "pattern": {"type": "steps", "poisson": false,
                  "steps": [{"at_s": 0, "rate_per_s": 20}, {"at_s": 600, "rate_per_s": 200}]}}]"#;
    let cfg = r#"{"instances": 2, "worker_slots": 4, "queue_length": 1000, "boot_s": 90,
                  "auto_scaling": {"min": 2, "max": 6, "warmup_s": 120,
                      "target_tracking": {"metric": "cpu", "target": 50}}}"#;
    let mut r = Run::new(cfg, src, 100.0, 1_800.0, 4);
    r.advance_to(secs(600.0));
    assert_eq!(r.side.fc.scale_outs, 0);
    assert_eq!(r.side.bounds().desired, 2);
    // Datapoints at 660, 720, 780 s are above target: the scale-out is at 780 s.
    r.advance_to(secs(779.0));
    assert_eq!(r.side.bounds().desired, 2);
    r.advance_to(secs(781.0));
    // CPU saturates at 100 %: two instances at twice the target ask for four.
    assert_eq!(r.side.bounds().desired, 4);
    assert_eq!(r.side.count(InstanceState::Booting), 2);
    r.advance_to(secs(869.0));
    assert_eq!(r.side.count(InstanceState::InService), 2);
    r.advance_to(secs(871.0));
    assert_eq!(r.side.count(InstanceState::InService), 4);
    // The new ones count once warm (in service at 870 + 120 s warm-up, then a
    // whole period): still at 100 % they ask for 8, capped at the max of 6.
    let s = r.run();
    assert_eq!(s.bounds().desired, 6);
    assert_eq!(s.fc.max_desired, 6);
    assert_eq!(s.fc.desired_over_max, 0);
}

#[test]
fn scale_in_waits_for_warm_up_and_is_gradual() {
    let src = r#"[{"kind": "api", "pattern": {"type": "steps", "poisson": false,
                  "steps": [{"at_s": 0, "rate_per_s": 200}, {"at_s": 1200, "rate_per_s": 5}]}}]"#;
    let cfg = r#"{"instances": 10, "worker_slots": 4, "boot_s": 60,
                  "auto_scaling": {"min": 1, "max": 10, "warmup_s": 300, "scale_in_cooldown_s": 0,
                      "target_tracking": {"metric": "cpu", "target": 50}}}"#;
    let mut r = Run::new(cfg, src, 100.0, 3_600.0, 5);
    r.advance_to(secs(1_200.0));
    assert_eq!(r.side.bounds().desired, 10);
    // 15 one-minute datapoints below target: not before 1,200 + 900 s.
    r.advance_to(secs(2_099.0));
    assert_eq!(r.side.fc.scale_ins, 0);
    r.advance_to(secs(2_101.0));
    assert_eq!(r.side.fc.scale_ins, 1);
    assert_eq!(r.side.bounds().desired, 9, "10 % at a time");
    let s = r.run();
    assert!(s.fc.scale_ins > 3);
    assert!(s.bounds().desired >= 1);
}

#[test]
fn rolling_patch_one_at_a_time_all_at_once_is_an_outage() {
    let rolling = r#"{"instances": 4, "worker_slots": 4, "patching": {"every_days": 1, "first_at_s": 100, "out_of_service_s": 120, "mode": "rolling"}}"#;
    let mut r = Run::new(rolling, API_100, 20.0, 1_200.0, 6);
    let s = r.run();
    assert_eq!(s.work.patches_applied, 4);
    assert_eq!(s.fc.max_patching_out, 1);
    assert_eq!(s.fc.http_503, 0, "three instances carry the load");
    assert_eq!(s.count(InstanceState::InService), 4);

    let all = rolling.replace("rolling", "all_at_once");
    let mut r = Run::new(&all, API_100, 20.0, 1_200.0, 6);
    let s = r.run();
    assert_eq!(s.work.patches_applied, 4);
    assert_eq!(s.fc.max_patching_out, 4);
    // 120 s with no target at 100 req/s.
    let lost = s.fc.http_503_no_target;
    assert!((11_900..=12_100).contains(&lost), "{lost}");
}

#[test]
fn az_outage_takes_its_zone() {
    let cfg = r#"{"instances": 6, "zones": 3, "failures": [{"type": "az_outage", "at_s": 50, "zone": 1, "duration_s": 600}],
                  "auto_scaling": {"min": 6, "max": 6, "target_tracking": null, "health_check_grace_s": 0}}"#;
    let mut r = Run::new(cfg, API_100, 5.0, 1_000.0, 7);
    r.advance_to(secs(51.0));
    assert_eq!(r.side.fc.failed, 2);
    r.advance_to(secs(111.0));
    // Replaced in the two healthy zones.
    assert_eq!(r.side.fc.replaced_automatically, 2);
    assert!(r
        .side
        .instances
        .iter()
        .filter(|i| i.state == InstanceState::Booting)
        .all(|i| i.zone != 1));
}

#[test]
fn fixed_fleet_overload_pages_and_operator_resizes() {
    let src = r#"[{"kind": "api", "pattern": {"type": "steps", "poisson": false,
                  "steps": [{"at_s": 0, "rate_per_s": 10}, {"at_s": 300, "rate_per_s": 38}]}}]"#;
    let cfg = r#"{"instances": 2, "worker_slots": 2, "queue_length": 1000,
                  "operator": {"response_s": 300, "alarm_cpu_percent": 90, "alarm_datapoints": 3, "target_cpu_percent": 60}}"#;
    let mut r = Run::new(cfg, src, 100.0, 1_500.0, 8);
    let s = r.run();
    assert_eq!(s.work.pages, 1);
    assert_eq!(s.work.manual_scaling_changes, 1);
    // 95 % CPU over 2 instances at a 60 % target: 4 instances.
    assert_eq!(s.bounds().desired, 4);
}

#[test]
fn sqs_workers_pull_and_redeliver() {
    let src = r#"[{"kind": "sqs", "pattern": {"type": "poisson", "rate_per_s": 20},
                   "sqs": {"visibility_timeout_s": 30, "max_receive_count": 2}}]"#;
    let cfg = r#"{"instances": 2, "worker_slots": 4, "error_rate": 0.1}"#;
    let mut r = Run::new(cfg, src, 100.0, 600.0, 9);
    r.advance_to(secs(700.0));
    let s = &r.side;
    let c = s.counters;
    assert!(c.redeliveries > 0);
    // About 1 % fail twice and go to the DLQ.
    assert!(c.to_dlq > 50 && c.to_dlq < 200, "{}", c.to_dlq);
    assert_eq!(c.failed, c.to_dlq);
    assert_eq!(c.arrived, c.succeeded + c.failed);
    assert!(s.sqs_requests > 3 * c.succeeded);
    assert!(
        s.usage_at(secs(700.0)).alb.is_none(),
        "no load balancer without API sources"
    );
}

/// Erlang C: probability that an arrival waits, c servers, offered load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) / (1.0 - rho);
    last / (sum + last)
}

#[test]
fn sqs_workers_are_an_m_m_c_queue() {
    // c = 2 single-slot workers, ρ = 0.5, 40,000 messages.
    let (c, mu, rho) = (2u32, 10.0, 0.5);
    let lambda = rho * f64::from(c) * mu;
    let src =
        format!(r#"[{{"kind": "sqs", "pattern": {{"type": "poisson", "rate_per_s": {lambda}}}}}]"#);
    let cfg: Ec2Config = serde_json::from_str(r#"{"instances": 2, "worker_slots": 1, "duration": {"type": "exponential", "mean_ms": 100}}"#).unwrap();
    let mut total = 0.0;
    for seed in 0..4 {
        let mut r = Run::new(
            &serde_json::to_string(&cfg).unwrap(),
            &src,
            100.0,
            2_000.0,
            seed,
        );
        r.run();
        total += r.side.mean_wait_ms();
    }
    let sim = total / 4.0;
    let a = lambda / mu;
    let want = erlang_c(c, a) / (f64::from(c) * mu - lambda) * 1e3;
    assert!(
        (sim - want).abs() / want < 0.06,
        "simulated {sim} ms vs Erlang C {want} ms"
    );
}

#[test]
fn same_seed_same_run() {
    let src = r#"[{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": 50}}]"#;
    let cfg = r#"{"instances": 2, "auto_scaling": {"min": 1, "max": 5}, "failures": [{"type": "instance_crash", "at_s": 200}]}"#;
    let a = Run::new(cfg, src, 80.0, 900.0, 11).run().counters;
    let b = Run::new(cfg, src, 80.0, 900.0, 11).run().counters;
    let c = Run::new(cfg, src, 80.0, 900.0, 12).run().counters;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn snapshot_and_report() {
    let mut r = Run::new(
        r#"{"instances": 3, "worker_slots": 2}"#,
        API_100,
        10.0,
        120.0,
        1,
    );
    r.advance_to(secs(60.0));
    let snap = r.side.snapshot(secs(60.0));
    assert_eq!(snap.instances.len(), 3);
    assert_eq!(snap.by_state.in_service, 3);
    assert!(snap.instances.windows(2).all(|w| w[0].id < w[1].id));
    let rep = r.side.report("x", secs(60.0), &r.series);
    assert!(rep.accounting_balances);
    assert!((rep.mean_by_state.in_service - 3.0).abs() < 1e-9);
    assert!(rep.throughput_per_s > 90.0);
    let json = serde_json::to_string(&rep).unwrap();
    assert!(json.contains("\"operator_work\""));
}

/// The M/M/c table of the report: `cargo test --release -- --ignored mmc_table --nocapture`.
#[test]
#[ignore]
fn mmc_table() {
    for c in [1u32, 4] {
        for rho in [0.5, 0.7, 0.9] {
            let mu = 10.0;
            let lambda = rho * f64::from(c) * mu;
            let src = format!(
                r#"[{{"kind": "sqs", "pattern": {{"type": "poisson", "rate_per_s": {lambda}}}}}]"#
            );
            let cfg = format!(
                r#"{{"instances": {c}, "worker_slots": 1, "duration": {{"type": "exponential", "mean_ms": 100}},
                    "operator": {{"alarm_cpu_percent": null}}}}"#
            );
            let want = erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda) * 1e3;
            let n = 4_000_000.0;
            let dur = n / lambda;
            let mut r = Run::new(&cfg, &src, 100.0, dur, 1);
            r.run();
            let sim = r.side.mean_wait_ms();
            println!(
                "c={c} rho={rho}: simulated {sim:.3} ms, Erlang C {want:.3} ms, error {:+.2} %",
                (sim - want) / want * 100.0
            );
        }
    }
}
