//! The checks of the fuzz targets, one function per target. The same file
//! replays the committed seeds and every crash found (`fuzz/regressions/`)
//! in plain `cargo test` (`tests/engine/fuzz_regressions.rs` includes it).
//!
//! Each function takes any bytes and panics only when an invariant breaks.

use fanout::engine::scenario::{Pattern, Scenario, Source, SourceKind};
use fanout::engine::ArrivalGen;
use fanout::engine::InstantWatch;
use fanout::engine::Simulation;
use fanout::engine::{SimDuration, SimTime};

// The engine's invariants, written once for the property tests and the
// fuzz targets alike.
#[allow(dead_code)] // `last_cost` serves the property tests only
#[path = "../../tests/common/invariants.rs"]
mod invariants;
use invariants::Invariants;

/// Events simulated per scenario input (keeps every input well under
/// libFuzzer's -timeout; the engine's own limits bound a full run). Not a
/// hiding place for a hang: the instant reached at the cap is always
/// finished, under the progress check of `engine::sim::progress`.
const MAX_EVENTS: u64 = 20_000;
/// Steps allowed to finish the instant reached at the cap. A loop at an
/// instant with fewer than `FINISH_STEPS / K` arrivals breaks the progress
/// bound before this; an instant that legitimately holds more (up to 1,000
/// bursts of 1,000,000 requests can share one) is cut here.
const FINISH_STEPS: u64 = 1_000_000;
/// Simulated time per scenario input at most [s].
const MAX_SIM_S: f64 = 6.0 * 3_600.0;
/// Arrivals drawn per trace input at most.
const MAX_DRAWN: u64 = 200_000;

/// Scenario JSON (a file, a preset, or the URL state once decoded): parse,
/// validate, and for an accepted scenario a short bounded simulation with
/// the engine's invariants checked at every step.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    scenario_text(text);
}

/// [`scenario`] on text (also the entry point for a future URL-state
/// target: decode the URL, then call this on the JSON).
pub fn scenario_text(text: &str) {
    // Bad input gives a list of problems, never a panic.
    let sc = match Scenario::from_json(text) {
        Ok(sc) => sc,
        Err(errors) => {
            assert!(!errors.is_empty(), "an error result lists its problems");
            for e in &errors {
                let _ = e.to_string();
            }
            return;
        }
    };
    // What the engine accepted, it writes back and reads again unchanged
    // (the URL state and "save scenario" depend on it).
    let again = Scenario::from_json(&sc.to_json())
        .unwrap_or_else(|e| panic!("accepted scenario does not round-trip: {e:?}"));
    assert_eq!(again, sc, "round trip changed the scenario");
    simulate(
        &sc,
        MAX_EVENTS,
        SimTime::ZERO + SimDuration::from_secs_f64(MAX_SIM_S),
    );
}

/// Runs an accepted scenario for about `max_events` events or until
/// `stop`, checking the invariants after every event: time never goes
/// backwards and never stops (at most `K · (pending + arrivals + waiting +
/// instances) + C` steps at one instant, `engine::sim::progress`; the instant
/// reached at `max_events` is finished, so a loop at one instant cannot
/// hide behind the cap), every arrival is accounted for on both sides,
/// concurrency stays within its limit, cost is never negative and never
/// decreases, and the report's bills sum to their totals.
pub fn simulate(sc: &Scenario, max_events: u64, stop: SimTime) {
    let mut sim = Simulation::new(sc).expect("a validated scenario builds a simulation");
    let mut watch = InstantWatch::new();
    let mut checks = Invariants::new(sc, &sim);
    let mut events = 0u64;
    // Set once the cap is reached: the instant to finish before stopping.
    let mut finishing: Option<SimTime> = None;
    while let Some(t) = watch.step(&mut sim).unwrap_or_else(|e| panic!("{e}")) {
        checks
            .after_event(&sim, t)
            .unwrap_or_else(|e| panic!("{e}"));
        events += 1;
        if events % 512 == 0 {
            checks
                .full_picture(&sim, t)
                .unwrap_or_else(|e| panic!("{e}"));
            let _ = sim.drain_happenings();
        }
        if t >= stop || finishing.is_some_and(|f| t > f || events >= max_events + FINISH_STEPS) {
            break;
        }
        if events >= max_events && finishing.is_none() {
            finishing = Some(t);
        }
    }
    let _ = sim.snapshot();
    let report = sim.report();
    checks.report(sc, &report).unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.to_json().is_empty());
}

/// The usage file of the pricing calculator (`fanout bill`): decode,
/// validate, price, and print as a table and as JSON. Bad input must give a
/// list of problems; a priced bill's lines must sum to its total.
pub fn usage(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match fanout::engine::scenario::usage::price(text) {
        Ok(priced) => {
            for b in &priced.bills {
                assert_eq!(
                    b.sum_of_lines(),
                    b.total,
                    "{}: lines do not sum to the total",
                    b.title
                );
                assert!(b.total.as_micros() >= 0, "{}: negative total", b.title);
            }
            let table = fanout::engine::billing::render_table(&priced);
            assert!(table.contains("Total"));
            serde_json::to_string(&fanout::engine::billing::StatementJson::from(&priced))
                .expect("the bill serializes");
        }
        Err(problems) => assert!(!problems.is_empty(), "an error lists its problems"),
    }
}

fn check(pattern: Pattern, duration_s: f64, expected: Option<u64>) {
    let mut sc = Scenario::parse_json(
        r#"{"version": 1, "duration_s": 1, "sources": [], "function": {"timeout_s": 3}}"#,
    )
    .expect("the base scenario parses");
    sc.duration_s = duration_s;
    sc.sources = vec![Source {
        name: String::new(),
        kind: SourceKind::Api,
        pattern: pattern.clone(),
        payload_kb: 1.0,
        sqs: None,
        api: None,
    }];
    if sc.validate().is_err() {
        return;
    }
    let mut gen = ArrivalGen::new(&pattern, 7, 0, duration_s);
    let end = (duration_s * 1e6).round() as u64;
    let mut last = 0u64;
    let mut n = 0u64;
    while let Some(t) = gen.next_arrival() {
        let t = t.as_micros();
        assert!(t >= last, "arrivals out of order: {last} then {t}");
        assert!(t <= end, "arrival at {t} µs after the end {end} µs");
        last = t;
        n += 1;
        if n >= MAX_DRAWN {
            return;
        }
    }
    if let Some(e) = expected {
        assert_eq!(n, e, "replayed arrivals differ from the counts");
    }
}

/// The trace readers: `trace_counts` CSV text (any separators, an optional
/// header, `second,count` pairs) when the first byte is even, else
/// `trace_times` instants as raw little-endian f64s. Whatever the reader
/// accepts and validation passes, the arrival generator replays in time
/// order, within the run, with exactly the counted arrivals.
pub fn trace(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        // CSV text of per-second counts.
        let Ok(csv) = std::str::from_utf8(rest) else {
            return;
        };
        let Ok(counts) = Pattern::trace_counts(&[], csv) else {
            return;
        };
        let duration_s = (counts.len() as f64).max(1.0);
        let total: u64 = counts.iter().fold(0u64, |a, &c| a.saturating_add(c));
        check(
            Pattern::TraceCounts {
                counts_per_s: Vec::new(),
                csv: csv.to_string(),
            },
            duration_s,
            Some(total),
        );
    } else {
        // Arrival instants as raw f64s (NaN, infinities, negatives included).
        let times_s: Vec<f64> = rest
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        let duration_s = f64::from(mode >> 1).max(1.0) * 10.0;
        let n = times_s.len() as u64;
        check(Pattern::TraceTimes { times_s }, duration_s, Some(n));
    }
}

/// The link decoder (`common::link::decode`, the URL state): any fragment
/// text opens the closest valid state and never panics; that state's
/// scenario passes the engine's validation and runs (briefly, with the
/// invariants of [`simulate`] checked); and the state's own link opens the
/// very same state with nothing to complain about. The codec is Yew-free,
/// so this builds without the app's `ui` feature.
///
/// Input starting with `{` is taken as the JSON inside a link instead
/// (structure-aware: the fuzzer mutates JSON, which deflate would hide):
/// it is packed as a whole scenario (`j=`) and as a patch against a preset
/// (`s=`), and both links are checked.
pub fn url(data: &[u8]) {
    use fanout::common::link::pack;
    if data.first() == Some(&b'{') {
        let packed = pack(data);
        url_text(&format!("v=1&j={packed}"));
        url_text(&format!("v=1&preset=flash-sale&seed=3&s={packed}"));
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    url_text(text);
}

fn url_text(text: &str) {
    use fanout::common::link::{decode, encode};
    let opened = decode(text);
    let state = &opened.state;
    if let Err(errs) = state.scenario.validate() {
        panic!("a decoded link holds an invalid scenario: {errs:?}");
    }
    simulate(&state.scenario, 2_000, SimTime::from_micros(60_000_000));
    let link = encode(state);
    let again = decode(&link);
    assert!(
        again.problems.is_empty(),
        "the state's own link {link:?} reports problems: {:?}",
        again.problems
    );
    assert_eq!(
        &again.state, state,
        "the state's own link {link:?} opens another state"
    );
}
