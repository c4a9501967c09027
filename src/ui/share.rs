//! The state that matters, in a link: which preset, how the scenario
//! differs from it, the seed, the speed, the theme and view, and optionally
//! the simulated instant to open at.
//!
//! Pure (no browser calls), so `cargo test` checks it natively. The
//! fragment is `key=value` pairs joined by `&`:
//!
//! `#v=1&preset=flash-sale&seed=42&speed=100&s=<patch>&t=37.5&theme=dark&hc=1`
//!
//! `s` is the changed scenario as a JSON merge patch (RFC 7386) against the
//! preset (against nothing when there is no preset), deflated and written
//! in URL-safe base64 without padding. Everything read is untrusted: the
//! fragment and the patch are size-limited before decoding, the inflated
//! size is bounded (a decompression bomb is refused), the scenario goes
//! through the engine's validation, and each problem is reported as text.
//! A bad part never spoils the rest: the closest valid state opens and the
//! problems say what could not be restored.

use super::presets::PRESETS;
use crate::engine::scenario::Scenario;
use crate::engine::time::SimTime;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

/// The link format written; links without `v` are read as version 1.
pub const LINK_VERSION: u32 = 1;
/// Longest fragment read [characters]; longer ones are refused unread.
pub const MAX_FRAGMENT: usize = 16 * 1024;
/// Longest encoded scenario patch read [characters].
pub const MAX_PATCH_CHARS: usize = 12 * 1024;
/// Largest inflated scenario patch [bytes]; more is a decompression bomb.
pub const MAX_INFLATED: usize = 256 * 1024;
/// Slowest and fastest speed a link may ask for [× real time].
pub const SPEED_RANGE: (f64, f64) = (1.0, 10_000.0);

/// The page's colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// As the system prefers.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The next theme for the T key: auto → dark → light → auto.
    pub fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Auto,
        }
    }
}

/// How the page is shown (part of the link, not of the simulation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub theme: Theme,
    /// Large type and high contrast, for projectors.
    pub projector: bool,
}

/// Everything a link restores.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkState {
    /// Index into [`PRESETS`] of the preset the scenario starts from.
    pub preset: Option<usize>,
    /// The scenario to run (seed included).
    pub scenario: Scenario,
    /// [× real time]
    pub speed: f64,
    /// Open paused at this simulated instant.
    pub at: Option<SimTime>,
    pub view: View,
    /// A guided tour to load (a name in `tours/` or a same-origin URL) and
    /// its step (0-based).
    pub tour: Option<(String, usize)>,
}

impl LinkState {
    /// Whether the scenario differs from its preset (the seed aside).
    pub fn is_edited(&self) -> bool {
        is_edited(self.preset, &self.scenario)
    }

    /// Preset `i` as it ships (its seed and speed).
    pub fn preset(i: usize) -> LinkState {
        let p = &PRESETS[i.min(PRESETS.len() - 1)];
        LinkState {
            preset: Some(i.min(PRESETS.len() - 1)),
            scenario: p
                .scenario()
                .expect("the presets are valid scenarios (checked by a unit test)"),
            speed: p.speed,
            at: None,
            view: View::default(),
            tour: None,
        }
    }
}

/// Whether `scenario` differs from preset `preset` (the seed aside); true
/// without a preset.
pub fn is_edited(preset: Option<usize>, scenario: &Scenario) -> bool {
    let Some(mut p) = preset
        .and_then(|i| PRESETS.get(i))
        .and_then(|p| p.scenario().ok())
    else {
        return true;
    };
    p.seed = scenario.seed;
    p != *scenario
}

/// What opening a link gave: the closest valid state and what could not
/// be restored (empty when everything was).
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub state: LinkState,
    pub problems: Vec<String>,
}

/// The JSON merge patch (RFC 7386) that turns `base` into `target`.
/// `null` members of `target` are treated as absent (the scenario reads an
/// absent optional field as none).
pub fn diff(base: &Value, target: &Value) -> Value {
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => {
            let mut out = Map::new();
            for (k, tv) in t {
                if tv.is_null() {
                    if b.get(k).is_some_and(|bv| !bv.is_null()) {
                        out.insert(k.clone(), Value::Null);
                    }
                    continue;
                }
                match b.get(k) {
                    Some(bv) if bv == tv => {}
                    Some(bv) if bv.is_object() && tv.is_object() => {
                        out.insert(k.clone(), diff(bv, tv));
                    }
                    _ => {
                        out.insert(k.clone(), strip_nulls(tv));
                    }
                }
            }
            for (k, bv) in b {
                if !t.contains_key(k) && !bv.is_null() {
                    out.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(out)
        }
        _ => strip_nulls(target),
    }
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            // Inserted one by one, not collected: collecting into the map
            // (a BTreeMap) sorts first, and that sort of (String, Value)
            // pairs is about 4 KB of wasm used nowhere else.
            let mut out = Map::new();
            for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                out.insert(k.clone(), strip_nulls(v));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Applies a JSON merge patch (RFC 7386) to `target`.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, pv) in p {
            if pv.is_null() {
                t.remove(k);
            } else {
                merge(t.entry(k.clone()).or_insert(Value::Null), pv);
            }
        }
    }
}

/// Deflates and writes `bytes` URL-safe.
pub fn pack(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, 9))
}

/// Reverses [`pack`], refusing input over [`MAX_PATCH_CHARS`] before
/// decoding and output over [`MAX_INFLATED`] while inflating.
pub fn unpack(text: &str) -> Result<Vec<u8>, String> {
    if text.len() > MAX_PATCH_CHARS {
        return Err(format!(
            "is {} characters long, over the limit of {MAX_PATCH_CHARS}",
            text.len()
        ));
    }
    let raw = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| "is not URL-safe base64 (the link may be cut short)".to_string())?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&raw, MAX_INFLATED).map_err(|e| {
        if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
            format!("would inflate to more than {MAX_INFLATED} bytes: refused")
        } else {
            "is not valid compressed data (the link may be cut short)".to_string()
        }
    })
}

fn preset_value(i: Option<usize>) -> Value {
    i.and_then(|i| PRESETS.get(i))
        .and_then(|p| p.scenario().ok())
        .and_then(|s| scenario_value(&s))
        .unwrap_or(Value::Object(Map::new()))
}

/// The scenario as a JSON value, through its compact text rather than
/// `serde_json::to_value` (which would add a second serializer of the whole
/// scenario tree to the wasm bundle). `float_roundtrip` reads every number
/// back bit for bit, so the value is the same.
fn scenario_value(s: &Scenario) -> Option<Value> {
    serde_json::from_str(&s.to_compact_json()).ok()
}

/// Seconds, with at most 6 decimals, as written in a link.
fn fmt_secs(t: SimTime) -> String {
    let us = t.as_micros();
    let (s, frac) = (us / 1_000_000, us % 1_000_000);
    if frac == 0 {
        s.to_string()
    } else {
        format!("{s}.{frac:06}").trim_end_matches('0').to_string()
    }
}

/// Parses decimal seconds exactly (no float rounding) into a time.
fn parse_secs(text: &str) -> Option<SimTime> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 6
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let s: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().ok()?
    };
    s.checked_mul(1_000_000)?
        .checked_add(f)
        .map(SimTime::from_micros)
}

fn fmt_speed(s: f64) -> String {
    if s.fract() == 0.0 && s.abs() < 1e15 {
        format!("{}", s as i64)
    } else {
        format!("{s}")
    }
}

/// The link fragment (without `#`) for `state`.
pub fn encode(state: &LinkState) -> String {
    let mut parts = vec![format!("v={LINK_VERSION}")];
    let preset = state.preset.and_then(|i| PRESETS.get(i).map(|p| (i, p)));
    if let Some((_, p)) = preset {
        parts.push(format!("preset={}", p.id));
    }
    parts.push(format!("seed={}", state.scenario.seed));
    parts.push(format!("speed={}", fmt_speed(state.speed)));
    parts.extend(scenario_part(preset.map(|(i, _)| i), &state.scenario));
    // Any instant, 0 included: `t=0` opens paused at the start, which a
    // link without `t` (it plays) would not.
    if let Some(at) = state.at {
        parts.push(format!("t={}", fmt_secs(at)));
    }
    if state.view.theme != Theme::Auto {
        parts.push(format!("theme={}", state.view.theme.as_str()));
    }
    if state.view.projector {
        parts.push("hc=1".into());
    }
    if let Some((tour, step)) = &state.tour {
        parts.push(format!("tour={}", percent_encode(tour)));
        parts.push(format!("step={}", step + 1));
    }
    parts.join("&")
}

/// The changed scenario's part of a link: `s=` a merge patch against the
/// preset when that reproduces it exactly, else `j=` the whole scenario
/// (a merge patch cannot say "this field is null"); none when unchanged.
fn scenario_part(preset: Option<usize>, scenario: &Scenario) -> Option<String> {
    let mut target = scenario.clone();
    if preset.is_some() {
        let base = preset_value(preset);
        target.seed = base.get("seed").and_then(Value::as_u64).unwrap_or(0);
        let t = scenario_value(&target)?;
        let patch = diff(&base, &t);
        if patch.as_object().is_some_and(|m| m.is_empty()) {
            return None;
        }
        let packed = pack(patch.to_string().as_bytes());
        if restore(&packed, preset, true).is_ok_and(|s| s == target) {
            return Some(format!("s={packed}"));
        }
    }
    target.seed = 0;
    let json = Some(target.to_compact_json()).filter(|j| !j.is_empty())?;
    Some(format!("j={}", pack(json.as_bytes())))
}

/// Escapes everything but unreserved characters and `/` `:` `.`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`percent_encode`] (and any `%XX` escape); None when the
/// escapes are broken or do not make UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Shortens untrusted text for a message.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        q.push('…');
    }
    format!("“{q}”")
}

/// Reads a link fragment (with or without `#`). Never fails: whatever
/// cannot be restored is left at the preset's value and named in
/// [`Decoded::problems`].
pub fn decode(fragment: &str) -> Decoded {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let mut problems = Vec::new();
    let mut state = LinkState::preset(0);
    if fragment.is_empty() {
        return Decoded { state, problems };
    }
    if fragment.len() > MAX_FRAGMENT {
        problems.push(format!(
            "The link's settings are {} characters long, over the limit of {MAX_FRAGMENT}: none were read.",
            fragment.len()
        ));
        return Decoded { state, problems };
    }
    let mut preset_id = None;
    let mut patch = None;
    let mut seed = None;
    let mut speed = None;
    let mut at = None;
    let mut tour = None;
    let mut step = None;
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (k, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(v) = percent_decode(raw) else {
            problems.push(format!(
                "{}: the value is badly escaped; ignored.",
                quote(k)
            ));
            continue;
        };
        match k {
            "v" => match v.parse::<u32>() {
                Ok(n) if n <= LINK_VERSION => {}
                Ok(n) => problems.push(format!(
                    "v: this link was made by a newer version of Fanout (format {n}; this one reads {LINK_VERSION}); settings it does not know were skipped."
                )),
                Err(_) => problems.push(format!(
                    "v: {} is not a link format version; read as version {LINK_VERSION}.",
                    quote(&v)
                )),
            },
            "preset" => preset_id = Some(v),
            "s" => patch = Some((v, false)),
            "j" => patch = Some((v, true)),
            "seed" => match v.parse::<u64>() {
                Ok(n) => seed = Some(n),
                Err(_) => problems.push(format!(
                    "seed: {} is not a whole number from 0 to {}; the preset's seed is used.",
                    quote(&v),
                    u64::MAX
                )),
            },
            "speed" => match super::format::parse_f64(&v) {
                Some(x) if x.is_finite() && (SPEED_RANGE.0..=SPEED_RANGE.1).contains(&x) => {
                    speed = Some(x)
                }
                _ => problems.push(format!(
                    "speed: {} is not a speed from {}× to {}×; the preset's speed is used.",
                    quote(&v),
                    SPEED_RANGE.0,
                    SPEED_RANGE.1
                )),
            },
            "t" => match parse_secs(&v) {
                Some(t) => at = Some(t),
                None => problems.push(format!(
                    "t: {} is not a simulated time in seconds; the run starts at 0.",
                    quote(&v)
                )),
            },
            "theme" => match Theme::parse(&v) {
                Some(t) => state.view.theme = t,
                None => problems.push(format!(
                    "theme: {} is not one of auto, light, dark; ignored.",
                    quote(&v)
                )),
            },
            "hc" => match v.as_str() {
                "1" => state.view.projector = true,
                "0" => state.view.projector = false,
                _ => problems.push(format!("hc: {} is not 0 or 1; ignored.", quote(&v))),
            },
            "tour" => tour = Some(v),
            "step" => match v.parse::<usize>() {
                Ok(n) if n >= 1 => step = Some(n - 1),
                _ => problems.push(format!(
                    "step: {} is not a tour step number (1, 2, …); the tour starts at step 1.",
                    quote(&v)
                )),
            },
            other => problems.push(format!("{}: not a setting Fanout knows; ignored.", quote(other))),
        }
    }

    // The preset: the base of everything else.
    let mut preset_ok = true;
    if let Some(id) = &preset_id {
        match PRESETS.iter().position(|p| p.id == id) {
            Some(i) => {
                state = LinkState {
                    view: state.view,
                    ..LinkState::preset(i)
                }
            }
            None => {
                preset_ok = false;
                problems.push(format!(
                    "preset: {} is not a preset (known: {}); opened “{}” instead.",
                    quote(id),
                    PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", "),
                    PRESETS[0].title
                ));
            }
        }
    }

    // The changed scenario, when there is one.
    if let Some((p, whole)) = patch {
        let base_index = if preset_id.is_some() {
            state.preset
        } else {
            None
        };
        let restored = if whole {
            restore_whole(&p)
        } else {
            restore(&p, base_index, preset_ok)
        };
        match restored {
            Ok(s) => {
                state.scenario = s;
                state.preset = base_index;
            }
            Err(why) => problems.push(format!(
                "{} (the changed scenario) {why}; opened the preset “{}” as it ships instead.",
                if whole { "j" } else { "s" },
                PRESETS[state.preset.unwrap_or(0)].title
            )),
        }
    }
    if let Some(seed) = seed {
        state.scenario.seed = seed;
    }
    if let Some(x) = speed {
        state.speed = x;
    }
    if let Some(t) = at {
        let end = SimTime::from_micros((state.scenario.duration_s * 1e6) as u64);
        if t > end {
            problems.push(format!(
                "t: {} s is after the run's end at {} s; opened at the end.",
                fmt_secs(t),
                fmt_secs(end)
            ));
        }
        state.at = Some(t.min(end));
    }
    if let Some(name) = tour {
        match tour_source(&name) {
            Ok(_) => state.tour = Some((name, step.unwrap_or(0))),
            Err(why) => problems.push(format!("tour: {why}; no tour was loaded.")),
        }
    }
    Decoded { state, problems }
}

/// A whole scenario from its encoded JSON.
fn restore_whole(text: &str) -> Result<Scenario, String> {
    let bytes = unpack(text)?;
    let json = std::str::from_utf8(&bytes).map_err(|_| "is not UTF-8 text after decoding")?;
    Scenario::from_json(json).map_err(|errs| invalid(&errs))
}

fn invalid(errs: &[crate::engine::scenario::ScenarioError]) -> String {
    format!(
        "is not a valid scenario: {}",
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// The changed scenario from its encoded patch against preset `base`.
fn restore(text: &str, base: Option<usize>, base_ok: bool) -> Result<Scenario, String> {
    if !base_ok {
        return Err("was made against a preset this version does not have".into());
    }
    let bytes = unpack(text)?;
    // From text, not bytes: one JSON reader (`StrRead`) in the bundle.
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        format!(
            "is not valid JSON after decoding (not UTF-8 text after byte {})",
            e.valid_up_to()
        )
    })?;
    let patch: Value = serde_json::from_str(text)
        .map_err(|e| format!("is not valid JSON after decoding ({e})"))?;
    if !patch.is_object() {
        return Err("is not a JSON object after decoding".into());
    }
    let mut v = preset_value(base);
    let seed = v.get("seed").cloned();
    merge(&mut v, &patch);
    if let (Some(seed), Value::Object(m)) = (seed, &mut v) {
        m.entry("seed").or_insert(seed);
    }
    let json = v.to_string();
    Scenario::from_json(&json).map_err(|errs| invalid(&errs))
}

/// Where a tour named in a link is read from: a bare name means
/// `tours/<name>.json`; a path must stay on this site (no scheme, no
/// `//`, no `..`). Returns the relative URL to fetch.
pub fn tour_source(name: &str) -> Result<String, String> {
    if name.is_empty() || name.len() > 200 {
        return Err("the tour name is empty or longer than 200 characters".into());
    }
    if name.contains("..") || name.contains("//") || name.contains(':') || name.starts_with('/') {
        return Err(format!(
            "{} is not a tour on this site (a name like “intro” or a relative path like “tours/mine.json”)",
            quote(name)
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
    {
        return Err(format!(
            "{} may use only letters, digits, - _ . and /",
            quote(name)
        ));
    }
    if name.ends_with(".json") {
        Ok(name.to_string())
    } else if name.contains('/') || name.contains('.') {
        Err(format!("{} is a path but not a .json file", quote(name)))
    } else {
        Ok(format!("tours/{name}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::params::{set, Param};
    use proptest::prelude::*;

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
}
