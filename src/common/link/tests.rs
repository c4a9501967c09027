//! The link codec's tests: round trips, broken parts, limits, and
//! property tests over edited presets and arbitrary fragments.

use super::text::{fmt_secs, parse_secs};
use super::*;
// The scenario edits of the parameter form (a UI module): the tests that
// edit a preset the way a user does need the `ui` feature.
#[cfg(feature = "ui")]
use crate::ui::controls::params::{set, Param};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use serde_json::Value;

#[test]
fn a_preset_link_is_short_and_opens_the_preset() {
    let s = LinkState::preset(2);
    let f = encode(&s);
    let seed = s.scenario.seed;
    assert_eq!(f, format!("v=1&preset=flash-sale&seed={seed}&speed=10"));
    assert!(!s.is_edited());
    let d = decode(&f);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.state, s);
    assert_eq!(decode("#preset=flash-sale").state, s);
}

/// Found by the `url` fuzz target (fuzz/regressions/url/): a link
/// opened paused at 0 s (`t=0`) wrote its own link without `t`, which
/// plays instead. The state's own link must open the same state.
#[test]
fn a_link_paused_at_zero_keeps_its_instant() {
    let d = decode("t=0&vv=9&pp");
    assert_eq!(d.state.at, Some(SimTime::ZERO));
    let f = encode(&d.state);
    assert!(f.contains("t=0"), "{f}");
    let again = decode(&f);
    assert!(again.problems.is_empty(), "{:?}", again.problems);
    assert_eq!(again.state, d.state);
}

#[cfg(feature = "ui")]
#[test]
fn a_changed_scenario_round_trips_as_a_small_patch() {
    let mut s = LinkState::preset(0);
    set(&mut s.scenario, Param::Memory, "512").unwrap();
    s.scenario.seed = 99;
    s.speed = 320.0;
    s.at = Some(SimTime::from_micros(37_412_005));
    s.view = View {
        theme: Theme::Dark,
        projector: true,
    };
    let f = encode(&s);
    assert!(f.contains("&s="), "{f}");
    assert!(f.len() < 200, "a one-field change stays short: {f}");
    assert!(f.contains("t=37.412005"), "{f}");
    let d = decode(&f);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.state.scenario, s.scenario);
    assert_eq!(d.state.speed, 320.0);
    assert_eq!(d.state.at, s.at);
    assert_eq!(d.state.view, s.view);
    assert_eq!(d.state.preset, Some(0), "the preset stays the base");
    assert!(d.state.is_edited());
}

#[test]
fn a_scenario_without_preset_round_trips() {
    let mut s = LinkState::preset(6);
    s.preset = None;
    s.scenario.name = "mine & yours".into();
    let d = decode(&encode(&s));
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.state.scenario, s.scenario);
}

#[test]
fn merge_patch_follows_rfc_7386() {
    let base: Value = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
    let target: Value = serde_json::json!({"a": 1, "b": {"c": 5}, "e": [2], "f": "x"});
    let p = diff(&base, &target);
    assert_eq!(
        p,
        serde_json::json!({"b": {"c": 5, "d": null}, "e": [2], "f": "x"})
    );
    let mut v = base.clone();
    merge(&mut v, &p);
    assert_eq!(v, target);
}

#[test]
fn broken_parts_are_named_and_the_rest_opens() {
    let d = decode("#v=1&preset=steady-api&seed=abc&speed=1e9&theme=purple&bogus=1&t=-3");
    assert_eq!(d.state.preset, Some(1), "the preset still opens");
    assert_eq!(d.state.scenario, PRESETS[1].scenario().unwrap());
    let all = d.problems.join("\n");
    for needle in ["seed:", "speed:", "theme:", "“bogus”", "t:"] {
        assert!(all.contains(needle), "{needle} in {all}");
    }
    let d = decode("#preset=nope&speed=100");
    assert_eq!(d.state.preset, Some(0));
    assert_eq!(d.state.speed, 100.0);
    assert!(
        d.problems[0].contains("“nope” is not a preset"),
        "{:?}",
        d.problems
    );
}

#[cfg(feature = "ui")]
#[test]
fn a_corrupted_patch_falls_back_to_the_preset() {
    let mut s = LinkState::preset(2);
    set(&mut s.scenario, Param::Memory, "512").unwrap();
    let f = encode(&s);
    let cut = &f[..f.len() - 6];
    let d = decode(cut);
    assert_eq!(
        d.state.scenario.function.memory_mb,
        PRESETS[2].scenario().unwrap().function.memory_mb
    );
    assert_eq!(d.state.preset, Some(2));
    assert!(
        d.problems[0].starts_with("s (the changed scenario)"),
        "{:?}",
        d.problems
    );
    for junk in ["s=%%%", "s=!!!!", "s=AAAA", "s="] {
        let d = decode(&format!("preset=flash-sale&{junk}"));
        assert_eq!(d.problems.len(), 1, "{junk}: {:?}", d.problems);
    }
}

#[test]
fn an_invalid_scenario_in_a_link_is_refused_with_its_paths() {
    let patch = r#"{"function":{"timeout_s":1200,"memory_mb":1}}"#;
    let d = decode(&format!("preset=flash-sale&s={}", pack(patch.as_bytes())));
    let p = &d.problems[0];
    assert!(
        p.contains("function.timeout_s: 1200 is above the Lambda maximum of 900"),
        "{p}"
    );
    assert!(p.contains("function.memory_mb"), "{p}");
    assert_eq!(d.state.scenario, PRESETS[2].scenario().unwrap());
    let d = decode(&format!(
        "preset=flash-sale&s={}",
        pack(br#"{"nonsense":1}"#)
    ));
    assert!(d.problems[0].contains("nonsense"), "{:?}", d.problems);
}

#[test]
fn size_limits_come_before_decoding() {
    let d = decode(&"a".repeat(MAX_FRAGMENT + 1));
    assert_eq!(d.state, LinkState::preset(0));
    assert!(d.problems[0].contains("over the limit"), "{:?}", d.problems);
    let long = "A".repeat(MAX_PATCH_CHARS + 4);
    assert!(unpack(&long).unwrap_err().contains("over the limit"));
    // A bomb: 4 MB of spaces deflate to about 5 KB of link and would inflate
    // far beyond the bound; refused while inflating.
    let bomb = pack(&vec![b' '; 4 * 1024 * 1024]);
    assert!(bomb.len() < MAX_PATCH_CHARS, "{}", bomb.len());
    let e = unpack(&bomb).unwrap_err();
    assert!(e.contains("more than"), "{e}");
    let d = decode(&format!("preset=thumbnails&s={bomb}"));
    assert!(d.problems[0].contains("refused"), "{:?}", d.problems);
}

#[test]
fn newer_links_say_what_they_skip() {
    let d = decode("v=2&preset=steady-api&zoom=3");
    assert_eq!(d.state.preset, Some(1));
    assert!(d.problems[0].contains("newer version"), "{:?}", d.problems);
    assert_eq!(d.problems.len(), 2);
}

#[test]
fn tours_stay_on_this_site() {
    assert_eq!(tour_source("intro").unwrap(), "tours/intro.json");
    assert_eq!(tour_source("mine/t.json").unwrap(), "mine/t.json");
    for bad in [
        "https://evil.example/t.json",
        "//evil/t.json",
        "../x.json",
        "/etc/x.json",
        "a b",
        "x.txt",
        "",
    ] {
        assert!(tour_source(bad).is_err(), "{bad}");
    }
    let d = decode("tour=intro&step=3");
    assert_eq!(d.state.tour, Some(("intro".into(), 2)));
    let d = decode("tour=https%3A%2F%2Fevil.example%2Ft.json");
    assert_eq!(d.state.tour, None);
    assert_eq!(d.problems.len(), 1);
}

#[test]
fn seconds_are_exact() {
    assert_eq!(
        parse_secs("37.412005"),
        Some(SimTime::from_micros(37_412_005))
    );
    assert_eq!(parse_secs("60"), Some(SimTime::from_micros(60_000_000)));
    assert_eq!(parse_secs(".5"), Some(SimTime::from_micros(500_000)));
    for bad in ["", ".", "1.2345678", "-1", "1e3", "99999999999999999999"] {
        assert_eq!(parse_secs(bad), None, "{bad}");
    }
    assert_eq!(fmt_secs(SimTime::from_micros(1_500_000)), "1.5");
}

/// A parameter and a text for it, drawn from each control's range.
#[cfg(feature = "ui")]
fn edit() -> impl Strategy<Value = (Param, String)> {
    prop_oneof![
        (1u32..=10_240).prop_map(|v| (Param::Memory, v.to_string())),
        (1u32..=900).prop_map(|v| (Param::Timeout, v.to_string())),
        (0u32..=3_600).prop_map(|v| (Param::KeepAlive, v.to_string())),
        (1u32..=5_000).prop_map(|v| (Param::PeakRate, v.to_string())),
        (60u32..=86_400).prop_map(|v| (Param::Duration, v.to_string())),
        (0u32..=50).prop_map(|v| (Param::Reserved, v.to_string())),
    ]
}

proptest! {
    #[cfg(feature = "ui")]
    #[test]
    fn any_edited_preset_round_trips(
        i in 0..PRESETS.len(),
        edits in proptest::collection::vec(edit(), 0..4),
        seed in any::<u64>(),
        speed in 1.0f64..10_000.0,
        at_us in proptest::option::of(0u64..3_600_000_000),
        keep_preset in any::<bool>(),
    ) {
        let mut s = LinkState::preset(i);
        for (p, t) in &edits {
            let mut c = s.scenario.clone();
            if set(&mut c, *p, t).is_ok() && c.validate().is_ok() {
                s.scenario = c;
            }
        }
        s.scenario.seed = seed;
        s.speed = speed;
        s.at = at_us.map(SimTime::from_micros).filter(|t| t.as_secs_f64() <= s.scenario.duration_s && *t > SimTime::ZERO);
        if !keep_preset { s.preset = None; }
        let d = decode(&encode(&s));
        prop_assert!(d.problems.is_empty(), "{:?}", d.problems);
        prop_assert_eq!(&d.state.scenario, &s.scenario);
        prop_assert_eq!(d.state.speed, s.speed);
        prop_assert_eq!(d.state.at, s.at);
    }

    #[test]
    fn no_fragment_breaks_decoding(text in ".{0,300}") {
        let d = decode(&text);
        prop_assert!(d.state.scenario.validate().is_ok());
    }

    #[test]
    fn no_patch_breaks_decoding(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let d = decode(&format!("preset=flash-sale&s={}", URL_SAFE_NO_PAD.encode(&bytes)));
        prop_assert!(d.state.scenario.validate().is_ok());
    }
}
