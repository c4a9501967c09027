//! Every example scenario in static/scenarios validates and runs.

use super::*;

#[test]
fn example_scenarios_validate_and_run() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir("static/scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut sc =
            Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        // Debug builds are slow: long scenarios are checked on a shorter window.
        sc.duration_s = sc.duration_s.min(120.0);
        let mut s = Simulation::new(&sc).unwrap();
        s.advance_to(s.end());
        let r = s.report();
        assert!(r.lambda.accounting_balances, "{}", path.display());
        names.push(path.file_name().unwrap().to_string_lossy().to_string());
    }
    for want in [
        "thumbnails.json",
        "steady-api.json",
        "flash-sale.json",
        "sqs-worker.json",
        "nightly-batch.json",
    ] {
        assert!(names.iter().any(|n| n == want), "missing {want}");
    }
}

#[test]
fn nightly_batch_cannot_finish_on_lambda() {
    let mut s = Simulation::new(&example("nightly-batch")).unwrap();
    s.advance_to(s.end());
    let c = *s.counters();
    assert_eq!(
        (
            c.arrived,
            c.succeeded,
            c.timed_out,
            c.timeouts,
            c.to_destination
        ),
        (1, 0, 1, 3, 1)
    );
    assert_eq!(s.report().lambda.billable.on_demand.billed_ms, 3 * 900_000);
}

#[test]
fn flash_sale_hits_the_scaling_rate() {
    let mut sc = example("flash-sale");
    sc.duration_s = 310.0;
    let mut s = Simulation::new(&sc).unwrap();
    s.advance_to(s.end());
    let c = *s.counters();
    assert!(c.throttles_scaling > 0, "{c:?}");
    assert!(c.provisioned_invocations > 0);
}
