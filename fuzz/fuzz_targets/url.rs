//! The link decoder (`common::link::decode`, issue 7's URL state): any
//! fragment text opens the closest valid state and never panics; that
//! state's scenario passes the engine's validation and runs (briefly, with
//! the invariants of [`fanout_fuzz::simulate`] checked); and the state's
//! own link opens the very same state with nothing to complain about.
//! The codec is Yew-free: no feature needed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fanout_fuzz::url(data));
