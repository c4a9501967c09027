//! Long runs: the engine's memory stays under its bound for a simulated
//! month. The heap is measured with a counting global allocator (the `cap`
//! crate wraps the system allocator; no `unsafe` in our code), so the figure
//! is every byte the engine holds, not an estimate of its structures.
//!
//! `cargo test --test longrun` runs a 3-day variant (CI). The full month:
//! `cargo test --release --test longrun -- --ignored --nocapture`.

use cap::Cap;
use fanout::engine::scenario::Scenario;
use fanout::engine::Simulation;
use fanout::engine::{SimDuration, SimTime};
use std::alloc::System;
use std::sync::Mutex;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The allocator counts the whole process: one measured run at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const MB: usize = 1 << 20;

/// The bound a run of any length must stay under [bytes]. The engine keeps
/// fixed-size histograms, series of at most `MAX_SERIES_POINTS`, at most
/// `MAX_HAPPENINGS` undrained happenings and at most `MAX_WAITING_EVENTS`
/// queued events (about 28 MB at the limit); this workload stays far from
/// that limit, so 64 MB is a generous ceiling.
const BOUND: usize = 64 * MB;

/// A busy month on both sides: an API with a daily cycle, S3 events
/// (async, with retries), an SQS queue, and the "Steady API" Auto Scaling
/// fleet. `scale` multiplies every rate.
fn scenario(days: u64, scale: f64) -> Scenario {
    let base = include_str!("../static/scenarios/steady-api.json");
    let mut v: serde_json::Value = serde_json::from_str(base).expect("preset parses");
    v["duration_s"] = serde_json::json!(days * 86_400);
    v["sources"] = serde_json::json!([
        {"name": "api", "kind": "api", "payload_kb": 2,
         "pattern": {"type": "daily_cycle", "low_per_s": 2.0 * scale, "high_per_s": 40.0 * scale, "peak_hour": 14}},
        {"name": "uploads", "kind": "s3", "payload_kb": 1,
         "pattern": {"type": "poisson", "rate_per_s": 2.0 * scale}},
        {"name": "orders", "kind": "sqs", "payload_kb": 8,
         "pattern": {"type": "poisson", "rate_per_s": 3.0 * scale},
         "sqs": {"batch_size": 10, "maximum_concurrency": 20, "visibility_timeout_s": 60, "max_receive_count": 3}}
    ]);
    v["function"]["error_rate"] = serde_json::json!(0.02);
    Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("long-run scenario: {e:?}"))
}

struct Figures {
    /// Heap held by the simulation at the end of each simulated day [bytes].
    per_day: Vec<usize>,
    /// Highest heap held at any moment, above the baseline [bytes].
    peak: usize,
    events: u64,
    arrivals: u64,
}

fn run(days: u64, scale: f64) -> Figures {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let sc = scenario(days, scale);
    let baseline = ALLOCATOR.allocated();
    let max_before = ALLOCATOR.max_allocated();
    let mut sim = Simulation::new(&sc).expect("valid");
    let mut per_day = Vec::new();
    for d in 1..=days {
        sim.advance_to(SimTime::ZERO + SimDuration::from_secs(d * 86_400));
        // The UI reads these every frame; they must not leak either.
        let _ = sim.snapshot();
        let _ = sim.cost_now();
        per_day.push(ALLOCATOR.allocated().saturating_sub(baseline));
        assert!(sim.counters().balances(), "day {d}: {:?}", sim.counters());
    }
    let report = sim.report();
    assert!(report.lambda.accounting_balances);
    assert!(report.ec2.as_ref().is_some_and(|e| e.accounting_balances));
    let peak = ALLOCATOR
        .max_allocated()
        .max(max_before)
        .saturating_sub(baseline);
    Figures {
        per_day,
        peak,
        events: sim.events_processed(),
        arrivals: report.lambda.counters.arrived,
    }
}

fn check(days: u64, scale: f64) {
    let f = run(days, scale);
    let mb = |b: usize| b as f64 / MB as f64;
    println!(
        "{days} simulated days, {} arrivals per side, {} events: heap held per day (MB) {:?}, peak {:.2} MB (bound {} MB)",
        f.arrivals,
        f.events,
        f.per_day
            .iter()
            .map(|&b| (mb(b) * 100.0).round() / 100.0)
            .collect::<Vec<_>>(),
        mb(f.peak),
        BOUND / MB
    );
    assert!(f.arrivals > days * 86_400, "the month was busy");
    assert!(
        f.peak <= BOUND,
        "peak heap {:.2} MB over the bound",
        mb(f.peak)
    );
    // Flat after the first day (warm-up: the series buffers and histograms
    // fill): every later day holds at most 10 % or 1 MB more.
    let warm = f.per_day[0];
    for (d, &b) in f.per_day.iter().enumerate().skip(1) {
        assert!(
            b <= warm + (warm / 10).max(MB),
            "day {}: {:.2} MB held, {:.2} MB after day 1",
            d + 1,
            mb(b),
            mb(warm)
        );
    }
}

#[test]
fn three_days_stay_under_the_memory_bound() {
    check(3, 0.15);
}

#[test]
#[ignore = "a simulated month: run with --release -- --ignored"]
fn thirty_days_stay_under_the_memory_bound() {
    check(30, 1.0);
}
