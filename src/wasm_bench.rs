//! The engine's benchmark export for the browser (`scripts/engine-bench-browser.sh`):
//! runs a scenario to its end with no happenings recorded, as
//! `cargo bench --bench engine` does natively, so the page can time the
//! engine alone in the built wasm.

use crate::engine::scenario::Scenario;
use crate::engine::sim::Simulation;
use wasm_bindgen::prelude::wasm_bindgen;

/// Runs `scenario_json` to its end; returns the Lambda invocations it
/// simulated, or -1 for a scenario that does not load.
#[wasm_bindgen]
pub fn fanout_bench(scenario_json: &str) -> f64 {
    let Ok(scenario) = Scenario::from_json(scenario_json) else {
        return -1.0;
    };
    let Ok(mut sim) = Simulation::new(&scenario) else {
        return -1.0;
    };
    sim.set_record_happenings(false);
    sim.advance_to(sim.end());
    sim.lambda().counters.invocations as f64
}
