//! SQS in front of c single-slot EC2 workers with Poisson arrivals and
//! exponential service is an M/M/c queue: the mean wait must match Erlang C.
//! Little's law (L = λW) holds on both sides.

use super::*;

/// Erlang C: probability that an arrival waits (c servers, offered load a = λ/μ).
fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) / (1.0 - rho);
    last / (sum + last)
}

/// Mean wait in queue of M/M/c [ms]; service mean 100 ms.
fn erlang_c_wait_ms(c: u32, rho: f64) -> f64 {
    let mu = 10.0;
    let lambda = rho * f64::from(c) * mu;
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda) * 1e3
}

/// Simulated mean wait of `messages` messages, averaged over `seeds` runs
/// (seeds `first_seed ..`).
fn simulated_wait_ms(c: u32, rho: f64, messages: f64, first_seed: u64, seeds: u64) -> f64 {
    let lambda = rho * f64::from(c) * 10.0;
    let duration = messages / lambda;
    let mut sum = 0.0;
    for seed in 0..seeds {
        let json = ec2_only(
            duration,
            first_seed + seed,
            &format!(
                r#"{{"kind": "sqs", "pattern": {{"type": "poisson", "rate_per_s": {lambda}}}}}"#
            ),
            // A fixed fleet with the overload alarm off: nobody resizes it.
            &format!(
                r#"{{"instances": {c}, "worker_slots": 1, "duration": {{"type": "exponential", "mean_ms": 100}},
                    "operator": {{"alarm_cpu_percent": null}}}}"#
            ),
        );
        let mut s = quiet_sim(&json);
        s.advance_to(s.end());
        sum += ec2_report(&s).mean_queue_wait_ms;
    }
    sum / seeds as f64
}

#[test]
fn mean_wait_matches_erlang_c() {
    // Debug-build sizes: 2 x 400,000 messages each (the long variant below
    // runs 4 M at ρ = 0.9 too). Each case has its own seeds, so their
    // errors are independent.
    for (k, (c, rho)) in [(1, 0.5), (1, 0.7), (4, 0.5), (4, 0.7)]
        .into_iter()
        .enumerate()
    {
        let want = erlang_c_wait_ms(c, rho);
        let got = simulated_wait_ms(c, rho, 400_000.0, 10 * k as u64, 2);
        let err = (got - want) / want;
        println!(
            "| {c} | {rho} | {got:.3} | {want:.3} | {:+.2} % |",
            err * 100.0
        );
        assert!(
            err.abs() < 0.02,
            "c={c} ρ={rho}: simulated {got:.3} ms vs Erlang C {want:.3} ms ({:+.2} %)",
            err * 100.0
        );
    }
}

/// The report's table, with ρ = 0.9: `cargo test --release --test ec2 -- --ignored --nocapture`.
#[test]
#[ignore]
fn mean_wait_matches_erlang_c_long() {
    for c in [1, 4] {
        for rho in [0.5, 0.7, 0.9] {
            let want = erlang_c_wait_ms(c, rho);
            let got = simulated_wait_ms(c, rho, 4_000_000.0, 1, 1);
            let err = (got - want) / want;
            println!(
                "| {c} | {rho} | {got:.2} | {want:.2} | {:+.2} % |",
                err * 100.0
            );
            assert!(err.abs() < 0.02, "c={c} ρ={rho}: {got} vs {want}");
        }
    }
}

#[test]
fn littles_law_on_both_sides() {
    // 40 req/s of ~80 ms on Lambda and on a fleet that queues a little.
    let json = both(
        3_000.0,
        5,
        &api(40.0, true),
        r#"{"timeout_s": 10, "duration": {"type": "exponential", "mean_ms": 80}, "init_duration": {"type": "fixed", "ms": 200}}"#,
        r#"{"instances": 2, "worker_slots": 2, "queue_length": 1000, "operator": {"alarm_cpu_percent": null}}"#,
    );
    let mut s = quiet_sim(&json);
    // Past the end, so everything in flight finishes.
    s.advance_to(secs(3_100.0));
    let r = s.report();
    let t = r.simulated_s;
    for (name, arrived, dropped, mean_in_system, mean_latency_ms) in [
        (
            "lambda",
            r.lambda.counters.arrived,
            r.lambda.counters.dropped,
            r.lambda.mean_busy + r.lambda.mean_waiting,
            r.lambda.latency.mean_ms,
        ),
        {
            let e = r.ec2.as_ref().unwrap();
            (
                "ec2",
                e.counters.arrived,
                e.counters.dropped,
                e.mean_busy + e.mean_waiting,
                e.latency.mean_ms,
            )
        },
    ] {
        let lambda = (arrived - dropped) as f64 / t;
        let little = lambda * mean_latency_ms / 1e3;
        let err = (mean_in_system - little) / little;
        assert!(
            err.abs() < 0.02,
            "{name}: L = {mean_in_system:.4} vs λW = {little:.4} ({:+.2} %)",
            err * 100.0
        );
    }
}
