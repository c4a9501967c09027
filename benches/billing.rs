//! The fast aggregate mode's speed: time to price a whole month of each
//! example scenario's traffic in aggregate (target: under 100 ms). A plain
//! `main` (no harness): run with
//! `cargo bench --bench billing --no-default-features`.

#[path = "../tests/common/examples.rs"]
mod examples;

use examples::AGGREGATE_EXAMPLES;
use fanout::engine::billing::accrual::CostMeter;
use fanout::engine::billing::pricing::Pricing;
use fanout::engine::estimate::{fleet_config, month, AggregateOptions, FleetSizing};
use fanout::engine::scenario::Scenario;
use fanout::engine::SimTime;
use fanout::engine::Simulation;
use std::time::Instant;

/// The example scenario `static/scenarios/{name}.json` (this package sits
/// in benches/, one level below the repository's root).
fn example(name: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../static/scenarios/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let pricing = Pricing::default();
    println!("aggregate month per example scenario (best of 5):");
    for name in AGGREGATE_EXAMPLES {
        let s = example(name);
        let ec2 = fleet_config(&s);
        let mut best = f64::MAX;
        let mut last = None;
        for _ in 0..5 {
            let start = Instant::now();
            let m = month(
                &s,
                &ec2,
                &pricing,
                AggregateOptions {
                    rate_scale: 1.0,
                    sizing: FleetSizing::AsConfigured,
                },
            );
            best = best.min(start.elapsed().as_secs_f64());
            last = Some(m);
        }
        let m = last.expect("ran");
        println!(
            "    {name:>14}: {:>8.3} ms  ({} requests/month: Lambda {}, EC2 {})",
            best * 1e3,
            m.requests_per_month,
            m.lambda.total,
            m.ec2
                .map_or_else(|| "-".to_owned(), |b| b.total.to_string()),
        );
    }

    // What the simulator pays per series boundary to price its cumulative
    // usage (both sides), against the time it spends simulating.
    let s = example("steady-api");
    let mut sim = Simulation::new(&s).expect("valid");
    sim.set_record_happenings(false);
    let start = Instant::now();
    sim.advance_to(sim.end());
    let run = start.elapsed().as_secs_f64();
    let meter = CostMeter::new(&s.pricing);
    let (lu, ls) = (sim.lambda_usage(), sim.event_source_usage());
    let (eu, es) = (
        sim.ec2_usage().expect("has a fleet"),
        sim.ec2_event_source_usage().expect("has a fleet"),
    );
    let n = 2_000u32;
    let start = Instant::now();
    for i in 0..n {
        std::hint::black_box(meter.price(
            SimTime::from_micros(u64::from(i)),
            &lu,
            &ls,
            Some((&eu, &es)),
        ));
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    println!(
        "cost meter: {:.1} µs per series boundary; steady-api ran in {:.1} ms with {} cost points",
        per * 1e6,
        run * 1e3,
        sim.cost_series().len()
    );
}
