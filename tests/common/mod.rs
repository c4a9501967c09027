//! Helpers shared by the integration tests, written once: scenarios from
//! JSON or from the examples in static/scenarios/, simulations of them,
//! simulated time, the `fanout` binary run on a temporary input file, and
//! the engine's invariants ([`invariants`]). A test folder's main.rs takes
//! it with `#[path = "../common/mod.rs"] mod common;`, a test file at the
//! top of tests/ with `mod common;`, a benchmark with
//! `#[path = "../tests/common/mod.rs"] mod common;`.

// Each test binary compiles its own copy of this module and uses only part
// of it.
#![allow(dead_code)]

pub mod examples;
pub mod invariants;

use fanout::engine::scenario::Scenario;
use fanout::engine::Simulation;
use fanout::engine::{SimDuration, SimTime};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate's root, where `static/` and `tests/snapshots/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scenario from JSON; an invalid one fails the test with its problems.
pub fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap_or_else(|e| panic!("test scenario invalid: {e:?}"))
}

/// A simulation of the scenario `json`, recording its happenings (what the
/// stage draws: cold starts, throttles, ...) for the test to drain.
pub fn sim(json: &str) -> Simulation {
    Simulation::new(&scenario(json)).expect("valid")
}

/// A simulation of `sc` without the happening log: for tests that read
/// counters, snapshots, reports or cost (nobody drains the log).
pub fn quiet(sc: &Scenario) -> Simulation {
    let mut s = Simulation::new(sc).expect("valid");
    s.set_record_happenings(false);
    s
}

/// [`quiet`] for the scenario `json`.
pub fn quiet_sim(json: &str) -> Simulation {
    quiet(&scenario(json))
}

/// The example scenario `static/scenarios/{name}.json`.
pub fn example(name: &str) -> Scenario {
    let path = root().join(format!("static/scenarios/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    scenario(&text)
}

// Not every test binary uses it (see `dead_code` above).
#[allow(unused_imports)]
pub use self::examples::AGGREGATE_EXAMPLES;

/// The instant `s` seconds after the start.
pub fn secs(s: f64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs_f64(s)
}

/// Runs `fanout` with `args` from the crate's root.
pub fn fanout_output(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the fanout binary runs")
}

/// Runs `fanout` with `args`: its exit code (-1 if killed by a signal),
/// stdout and stderr.
pub fn fanout(args: &[&str]) -> (i32, String, String) {
    let out = fanout_output(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `text` to a file `name` in this test process's own folder under
/// Cargo's temporary directory, and returns its path.
pub fn temp(name: &str, text: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fanout-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder created");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("temporary file written");
    p
}
