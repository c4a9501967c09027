//! The link decoder (`ui::share::decode`, issue 7's URL state): any
//! fragment text opens the closest valid state and never panics; that
//! state's scenario passes the engine's validation and runs (briefly, with
//! the invariants of [`fanout_fuzz::simulate`] checked); and the state's
//! own link opens the very same state with nothing to complain about.
//! Needs the app's modules: build with `--features url` (scripts/fuzz.sh
//! does).
#![no_main]

use fanout::engine::time::SimTime;
use fanout::ui::share::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opened = decode(text);
    let state = &opened.state;
    if let Err(errs) = state.scenario.validate() {
        panic!("a decoded link holds an invalid scenario: {errs:?}");
    }
    fanout_fuzz::simulate(&state.scenario, 2_000, SimTime::from_micros(60_000_000));
    let link = encode(state);
    let again = decode(&link);
    assert!(
        again.problems.is_empty(),
        "the state's own link {link:?} reports problems: {:?}",
        again.problems
    );
    assert_eq!(&again.state, state, "the state's own link {link:?} opens another state");
});
