//! Tests of the aggregate estimate's steps.

use super::arrivals::{pieces, CYCLE_SLICES};
use super::lambda_side::{billed, poisson_min};
use super::*;
use crate::engine::billing::pricing::Pricing;
use crate::engine::billing::usage::MONTH_SECONDS;
use crate::engine::dist::Distribution;
use crate::engine::scenario::{Pattern, Scenario};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

#[test]
fn a_daily_cycle_integrates_to_its_mean_rate() {
    let p = Pattern::DailyCycle {
        low_per_s: 1.0,
        high_per_s: 3.0,
        peak_hour: 14.0,
        period_h: 24.0,
    };
    let pc = pieces(&p, 86_400.0, 1.0);
    assert_eq!(pc.len(), CYCLE_SLICES);
    let n: f64 = pc.iter().map(|x| x.2).sum();
    assert!(close(n, 2.0 * 86_400.0, 1e-9), "{n}");
    // The slice at the peak is the busiest.
    let busiest = pc.iter().max_by(|a, b| (a.2).total_cmp(&b.2)).unwrap();
    assert!((busiest.0 - 14.0 * 3_600.0).abs() <= 900.0, "{busiest:?}");
}

#[test]
fn steps_schedules_and_traces_count_exactly() {
    let steps = Pattern::Steps {
        steps: vec![
            crate::engine::scenario::RateStep {
                at_s: 0.0,
                rate_per_s: 2.0,
            },
            crate::engine::scenario::RateStep {
                at_s: 10.0,
                rate_per_s: 5.0,
            },
        ],
        poisson: true,
    };
    let n: f64 = pieces(&steps, 20.0, 1.0).iter().map(|p| p.2).sum();
    assert!(close(n, 70.0, 1e-12));
    let every = Pattern::Every {
        interval_s: 10.0,
        start_s: 5.0,
    };
    assert_eq!(pieces(&every, 30.0, 1.0)[0].2, 3.0);
    assert_eq!(pieces(&every, 25.0, 2.0)[0].2, 4.0);
    let trace = Pattern::TraceCounts {
        counts_per_s: vec![1, 2, 3],
        csv: String::new(),
    };
    let n: f64 = pieces(&trace, 100.0, 1.0).iter().map(|p| p.2).sum();
    assert_eq!(n, 6.0);
}

#[test]
fn billed_duration_models_rounding_and_timeouts() {
    // Fixed 100.2 ms bills 101 ms each.
    let b = billed(&Distribution::Fixed { ms: 100.2 }, 1.0, 3_000.0);
    assert_eq!(b.billed_ms, 101.0);
    // Exponential mean 100 ms: about 100.5 billed, no timeouts to speak of.
    let e = billed(&Distribution::Exponential { mean_ms: 100.0 }, 1.0, 10_000.0);
    assert!(close(e.billed_ms, 100.5, 1e-6), "{e:?}");
    // Uniform 1,140–1,260 s under a 900 s timeout: always the timeout.
    let u = billed(
        &Distribution::Uniform {
            min_ms: 1_140_000.0,
            max_ms: 1_260_000.0,
        },
        1.0,
        900_000.0,
    );
    assert_eq!((u.billed_ms, u.p_timeout), (900_000.0, 1.0));
    // Log-normal: the untruncated mean when the timeout is far away.
    let d = Distribution::LogNormal {
        median_ms: 50.0,
        p99_ms: 250.0,
    };
    let l = billed(&d, 1.0, 1e7);
    assert!(close(l.mean_ms, d.mean_ms(), 1e-9), "{l:?}");
    // ... and truncated below it when the timeout bites.
    let t = billed(&d, 1.0, 100.0);
    assert!(t.mean_ms < 100.0 && t.p_timeout > 0.05, "{t:?}");
}

#[test]
fn provisioned_busy_is_capped_by_the_level() {
    assert!(close(poisson_min(2.0, 100), 2.0, 1e-9));
    assert!(close(poisson_min(1_700.0, 100), 100.0, 1e-6));
    assert_eq!(poisson_min(5.0, 0), 0.0);
    // E[min(N, 1)] = P(N ≥ 1) = 1 − e^(−a).
    assert!(close(poisson_min(0.5, 1), 1.0 - (-0.5f64).exp(), 1e-12));
}

#[test]
fn a_larger_scale_costs_more_and_counts_more() {
    let s = Scenario::from_json(
        r#"{"version":1,"duration_s":3600,
        "sources":[{"kind":"api","pattern":{"type":"poisson","rate_per_s":50}}],
        "function":{"memory_mb":512,"duration":{"type":"fixed","ms":80}}}"#,
    )
    .unwrap();
    let ec2 = fleet_config(&s);
    let p = Pricing::default();
    let mut last: Option<MonthEstimate> = None;
    for k in [0.1, 1.0, 10.0, 100.0] {
        let m = month(
            &s,
            &ec2,
            &p,
            AggregateOptions {
                rate_scale: k,
                sizing: FleetSizing::AutoScaling,
            },
        );
        if let Some(prev) = &last {
            assert!(m.requests_per_month > prev.requests_per_month);
            assert!(m.lambda.total >= prev.lambda.total);
            assert!(m.ec2.as_ref().unwrap().total >= prev.ec2.as_ref().unwrap().total);
        }
        last = Some(m);
    }
    assert!(close(
        arrivals_per_month(&s),
        50.0 * MONTH_SECONDS as f64,
        1e-12
    ));
}

/// Moved from the scenario's tests (the scenario must not import the
/// simulator); it belongs beside the report: a simulated report's pretty
/// JSON (written compact and re-indented) equals serde_json's.
#[test]
fn report_pretty_json_equals_serde_json_pretty() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios");
    let mut n = 0;
    for f in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        let s = Scenario::from_json(&text).unwrap();
        let mut sim = crate::engine::sim::Simulation::new(&s).unwrap();
        sim.advance_to(crate::engine::time::SimTime::from_micros(2_000_000));
        let r = sim.report();
        assert_eq!(r.to_json(), serde_json::to_string_pretty(&r).unwrap());
        n += 1;
    }
    assert!(n >= 10);
}
