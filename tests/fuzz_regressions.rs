//! Replays the fuzz targets' committed inputs in plain `cargo test`: the
//! seeds (`fuzz/seeds/<target>/`) and every crash the fuzzers found, kept
//! in `fuzz/regressions/<target>/` (a file per crash, named after it). The
//! checks are the fuzz targets' own (`fuzz/src/lib.rs`), so a fixed bug
//! stays fixed.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
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
