//! Engine throughput: invocations simulated per wall-clock second for the
//! three workloads of issue 3. A plain `main` (no harness): run with
//! `cargo bench --bench engine --no-default-features`.
//!
//! (a) the SimFaaS reference workload: 0.9 req/s, exponential warm 1.991 s
//!     and cold 2.244 s, expiry 600 s, 10^6 simulated seconds;
//! (b) 1,000 req/s (Poisson) for one simulated hour at 100 ms;
//! (c) a spike from 10 to 5,000 req/s and back (100 ms, account limit 10,000).
//!
//! (s) the SimFaaS workload of issue 17 at 0.9, 10, 100 and 1,000 req/s,
//!     about 10^6 invocations each (advance_to only is timed), with the
//!     peak resident memory of each run.
//!
//! EC2 cases (issue 4): (b) again with an EC2 fleet fed the same arrivals
//! (invocations counted on both sides), the fleet alone, the fleet with
//! least-outstanding-requests routing and Auto Scaling, and an SQS M/M/4
//! queue at ρ = 0.9.

use fanout::engine::scenario::Scenario;
use fanout::engine::Simulation;
use std::time::Instant;

fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).expect("bench scenario is valid")
}

/// Peak resident memory of this process so far [KB] (Linux; 0 elsewhere).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time this thread has run so far [s] (Linux's schedstat, in ns; 0
/// elsewhere). On a loaded machine it shows what wall time hides.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// Resets the peak resident memory to the current one (Linux; else nothing).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The SimFaaS model (static/scenarios/simfaas.json) at `rate` req/s for
/// about `invocations` invocations.
fn simfaas(rate: f64, invocations: f64) -> Scenario {
    scenario(&format!(
        r#"{{"version":1,"name":"simfaas","seed":1,"duration_s":{},
        "sources":[{{"kind":"api","pattern":{{"type":"poisson","rate_per_s":{rate}}}}}],
        "function":{{"timeout_s":900,"duration":{{"type":"exponential","mean_ms":1991}},
          "cold_duration":{{"type":"exponential","mean_ms":2244}},
          "init_duration":{{"type":"fixed","ms":0}},"keep_alive_s":600}},
        "account":{{"concurrency_limit":100000,"scaling":{{"model":"unlimited"}}}}}}"#,
        (invocations / rate).round()
    ))
}

/// Issue 17's table: the SimFaaS workload at each rate, timing only
/// `advance_to` (best of `repeats`), with each run's peak memory.
fn simfaas_cases(repeats: u32) {
    println!("(s) SimFaaS workload, ~10^6 invocations each, advance_to only (best of {repeats})");
    println!(
        "    {:>7} {:>10} {:>7} {:>9} {:>7} {:>11} {:>8} {:>10} {:>8}",
        "rate/s",
        "invocs",
        "wall s",
        "M inv/s",
        "CPU s",
        "M inv/CPU-s",
        "cold %",
        "mean envs",
        "peak KB"
    );
    for rate in [0.9, 10.0, 100.0, 1_000.0] {
        let s = simfaas(rate, 1e6);
        let mut best = f64::MAX;
        let mut best_cpu = f64::MAX;
        let mut peak = 0;
        let mut last = None;
        for _ in 0..repeats {
            reset_peak_rss();
            let mut sim = Simulation::new(&s).expect("valid");
            sim.set_record_happenings(false);
            let end = sim.end();
            let start = Instant::now();
            let cpu = cpu_secs();
            sim.advance_to(end);
            best = best.min(start.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(cpu_secs() - cpu);
            peak = peak.max(peak_rss_kb());
            last = Some(sim.report());
        }
        let r = last.expect("ran at least once");
        let n = r.lambda.counters.invocations;
        println!(
            "    {rate:>7} {n:>10} {best:>7.3} {:>9.2} {best_cpu:>7.3} {:>11.2} {:>8.4} {:>10.2} {peak:>8}",
            n as f64 / best / 1e6,
            n as f64 / best_cpu / 1e6,
            r.lambda.cold_start_probability * 100.0,
            r.lambda.mean_environments,
        );
    }
}

fn run(label: &str, s: &Scenario, repeats: u32) {
    let mut best = f64::MAX;
    let mut report = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let mut sim = Simulation::new(s).expect("valid");
        sim.set_record_happenings(false);
        sim.advance_to(sim.end());
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        report = Some((sim.report(), sim.events_processed()));
    }
    let (r, events) = report.expect("ran at least once");
    let c = &r.lambda.counters;
    // Both sides' invocations (an EC2 invocation is a request or message
    // started on an instance).
    let invocations = c.invocations + r.ec2.as_ref().map_or(0, |e| e.counters.invocations);
    println!(
        "{label}\n    {:>12} invocations, {:>12} events in {:.3} s (best of {repeats}): {:.2} M invocations/s, {:.2} M events/s\n    cold {:.4} %, rejected {:.4} %, mean environments {:.2}, peak RSS so far {} KB",
        invocations,
        events,
        best,
        invocations as f64 / best / 1e6,
        events as f64 / best / 1e6,
        r.lambda.cold_start_probability * 100.0,
        r.lambda.rejection_probability * 100.0,
        r.lambda.mean_environments,
        peak_rss_kb(),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let a = scenario(
        r#"{"version":1,"name":"simfaas","seed":1,"duration_s":1000000,
        "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":0.9}}],
        "function":{"timeout_s":900,"duration":{"type":"exponential","mean_ms":1991},
          "cold_duration":{"type":"exponential","mean_ms":2244},
          "init_duration":{"type":"fixed","ms":0},"keep_alive_s":600},
        "account":{"concurrency_limit":1000,"scaling":{"model":"unlimited"}}}"#,
    );
    let b = scenario(
        r#"{"version":1,"name":"steady","seed":1,"duration_s":3600,
        "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":1000}}],
        "function":{"timeout_s":10,"duration":{"type":"fixed","ms":100},
          "init_duration":{"type":"fixed","ms":300}}}"#,
    );
    let c = scenario(
        r#"{"version":1,"name":"spike","seed":1,"duration_s":1800,
        "sources":[{"kind":"api","pattern":{"type":"steps","steps":[
          {"at_s":0,"rate_per_s":10},{"at_s":600,"rate_per_s":5000},{"at_s":1200,"rate_per_s":10}]}}],
        "function":{"timeout_s":10,"duration":{"type":"fixed","ms":100},
          "init_duration":{"type":"fixed","ms":300}},
        "account":{"concurrency_limit":10000}}"#,
    );
    // FANOUT_BENCH=b runs only workload (b) (for profiling).
    let only = std::env::var("FANOUT_BENCH").unwrap_or_default();
    if only == "b" {
        run("(b) 1,000 req/s x 1 h x 100 ms", &b, 3);
        return;
    }
    // FANOUT_BENCH=s runs only the SimFaaS table; FANOUT_BENCH=s1000 only
    // its 1,000 req/s case, ten times (for profiling; s0.9, s10 and s100
    // likewise).
    if only == "s" {
        simfaas_cases(5);
        return;
    }
    if let Some(rate) = only.strip_prefix('s').and_then(|r| r.parse::<f64>().ok()) {
        let s = simfaas(rate, 1e6);
        for _ in 0..10 {
            let mut sim = Simulation::new(&s).expect("valid");
            sim.set_record_happenings(false);
            sim.advance_to(sim.end());
        }
        return;
    }
    println!(
        "fanout engine benchmark (native, {} profile)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimized"
        }
    );
    simfaas_cases(3);
    run("(a) SimFaaS reference: 0.9 req/s, 10^6 s", &a, 3);
    run("(b) 1,000 req/s x 1 h x 100 ms", &b, 5);
    run("(c) spike 10 -> 5,000 -> 10 req/s, 30 min", &c, 5);
    // Snapshot cost at the spike's peak (~1,000 environments): the UI calls
    // it up to 60 times a second.
    let mut sim = Simulation::new(&c).expect("valid");
    sim.set_record_happenings(false);
    sim.advance_to(fanout::engine::SimTime::from_micros(900_000_000));
    let start = Instant::now();
    let mut envs = 0;
    for _ in 0..1_000 {
        envs = sim.snapshot().lambda.environments.len();
    }
    println!(
        "snapshot with {envs} environments: {:.1} µs each",
        start.elapsed().as_secs_f64() * 1e3
    );
    ec2_cases(&b);
    // The same steady workload for a simulated day: memory must not grow.
    let mut day = b.clone();
    day.duration_s = 86_400.0;
    run("(b') 1,000 req/s x 24 h (memory check)", &day, 1);
}

/// The EC2 side: issue 4's cases.
fn ec2_cases(b: &Scenario) {
    let fleet = |extra: &str| {
        serde_json::from_str::<fanout::engine::scenario::ec2::Ec2Config>(&format!(
            r#"{{"instance_type": "c7g.large", "instances": 20, "worker_slots": 8,
                "operator": {{"alarm_cpu_percent": null}} {extra}}}"#
        ))
        .expect("bench fleet is valid")
    };
    let mut both = b.clone();
    both.ec2 = Some(fleet(""));
    run(
        "(b+ec2) 1,000 req/s x 1 h x 100 ms, Lambda AND a 20-instance fleet",
        &both,
        5,
    );
    let mut alone = both.clone();
    alone.lambda = false;
    run("(ec2) the fleet alone (round robin)", &alone, 3);
    let mut asg = b.clone();
    asg.lambda = false;
    asg.ec2 = Some(fleet(
        r#", "load_balancer": {"routing": "least_outstanding_requests"},
            "auto_scaling": {"min": 10, "max": 40, "target_tracking": {"metric": "cpu", "target": 50}}"#,
    ));
    run(
        "(ec2') the fleet alone, least outstanding + Auto Scaling",
        &asg,
        3,
    );
    let mmc = scenario(
        r#"{"version":1,"name":"mmc","seed":1,"duration_s":100000,"lambda":false,
        "sources":[{"kind":"sqs","pattern":{"type":"poisson","rate_per_s":36}}],
        "function":{"timeout_s":10,"duration":{"type":"exponential","mean_ms":100}},
        "ec2":{"instances":4,"worker_slots":1,"operator":{"alarm_cpu_percent":null}}}"#,
    );
    run("(sqs) M/M/4 at rho = 0.9, 3.6 M messages", &mmc, 3);
}
