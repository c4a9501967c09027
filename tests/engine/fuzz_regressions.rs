//! Replays the fuzz targets' committed inputs in plain `cargo test`: the
//! seeds (`fuzz/seeds/<target>/`) and every crash the fuzzers found, kept
//! in `fuzz/regressions/<target>/` (a file per crash, named after it). The
//! checks are the fuzz targets' own (`fuzz/src/lib.rs`), so a fixed bug
//! stays fixed.

// The fuzz checks include the shared invariants (tests/common/invariants.rs)
// themselves, as this binary's `common` module does: the same file, compiled
// twice in this binary, by design.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::path::Path;

/// Every file under `fuzz/<dir>/<target>/`, sorted.
fn inputs(dir: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(dir)
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file() && e.file_name() != ".gitkeep")
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("readable"))
        })
        .collect();
    out.sort();
    out
}

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        for (name, data) in inputs(dir, target) {
            let r = std::panic::catch_unwind(|| check(&data));
            assert!(
                r.is_ok(),
                "fuzz/{dir}/{target}/{name} fails its check again"
            );
            n += 1;
        }
    }
    n
}

#[test]
fn scenario_inputs_pass() {
    assert!(replay("scenario", checks::scenario) >= 10);
}

#[test]
fn usage_inputs_pass() {
    assert!(replay("usage", checks::usage) >= 3);
}

#[test]
fn trace_inputs_pass() {
    assert!(replay("trace", checks::trace) >= 5);
}

/// The link (URL state) inputs, decoded by the Yew-free link codec
/// (`common::link`), so they replay with or without the `ui` feature.
#[test]
fn url_inputs_pass() {
    assert!(replay("url", checks::url) >= 15);
    // The seeds with a real payload (`j-*` a whole scenario, `patch-*` a
    // patch against a preset) open without a problem, so the fuzzer starts
    // from links that reach the inflated JSON, not only from refusals.
    let mut real = 0;
    for (name, data) in inputs("seeds", "url") {
        if name.starts_with("j-") || name.starts_with("patch-") {
            let text = std::str::from_utf8(&data).expect("text");
            let opened = fanout::common::link::decode(text);
            assert!(opened.problems.is_empty(), "{name}: {:?}", opened.problems);
            real += 1;
        }
    }
    assert!(real >= 5);
}

/// Found while writing the fuzz targets (a hand-made input: the targets'
/// event cap hid a loop that never advances time, which the progress check
/// of `engine::sim::progress` now reports; its unit test re-creates this loop): an SQS queue read by the EC2 workers with a 0 s
/// visibility timeout and a handler that fails in 0 ms sent the message
/// back at the same instant forever, so simulated time stopped (`fanout
/// run` hung, the app's clock froze). Validation now refuses a visibility
/// timeout below 1 s, naming the field.
#[test]
fn zero_visibility_timeouts_are_refused_and_one_second_runs() {
    use fanout::engine::scenario::Scenario;
    use fanout::engine::Simulation;
    let source_queue = |vis: f64| {
        format!(
            r#"{{"version": 1, "duration_s": 10, "lambda": false,
                "sources": [{{"kind": "sqs", "pattern": {{"type": "constant", "rate_per_s": 1}}, "sqs": {{"visibility_timeout_s": {vis}}}}}],
                "function": {{"timeout_s": 3, "duration": {{"type": "fixed", "ms": 0}}, "error_rate": 1}},
                "ec2": {{"instance_type": "t3.micro", "instances": 1, "worker_slots": 1, "queue_length": 0}}}}"#
        )
    };
    let notification_queue = |vis: f64| {
        format!(
            r#"{{"version": 1, "duration_s": 10,
                "sources": [{{"kind": "s3", "pattern": {{"type": "constant", "rate_per_s": 1}}}}],
                "function": {{"timeout_s": 3, "duration": {{"type": "fixed", "ms": 0}}, "error_rate": 1}},
                "ec2": {{"instance_type": "t3.micro", "instances": 1, "worker_slots": 1, "queue_length": 0,
                         "notification_queue": {{"visibility_timeout_s": {vis}}}}}}}"#
        )
    };
    for (make, path) in [
        (
            &source_queue as &dyn Fn(f64) -> String,
            "sources[0].sqs.visibility_timeout_s",
        ),
        (
            &notification_queue,
            "ec2.notification_queue.visibility_timeout_s",
        ),
    ] {
        for vis in [0.0, 0.5] {
            let errors = Scenario::from_json(&make(vis)).expect_err("refused");
            assert!(
                errors
                    .iter()
                    .any(|e| e.path == path && e.to_string().contains("engine minimum of 1")),
                "{errors:?}"
            );
        }
        // At the minimum the run finishes: every redelivery moves time on.
        let sc = Scenario::from_json(&make(1.0)).expect("1 s is accepted");
        let mut sim = Simulation::new(&sc).expect("valid");
        let end = sim.end();
        let mut watch = fanout::engine::InstantWatch::new();
        let mut events = 0u64;
        while watch
            .step(&mut sim)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .is_some_and(|t| t <= end)
        {
            events += 1;
            assert!(events < 1_000_000, "{path}: the run does not advance");
        }
        assert!(events > 0, "{path}: something was simulated");
    }
}
