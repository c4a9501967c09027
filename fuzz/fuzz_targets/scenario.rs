//! Scenario JSON (a file, a preset, or the URL state once decoded): parse,
//! validate, and for an accepted scenario a short bounded simulation with
//! the engine's invariants checked at every step.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fanout_fuzz::scenario(data));
