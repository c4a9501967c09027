//! JSON merge patches (RFC 7386) between scenarios, their packing into a
//! link (deflate, URL-safe base64, size limits) and the restoring of a
//! scenario from a packed patch.

use super::{MAX_INFLATED, MAX_PATCH_CHARS};
use crate::common::presets::PRESETS;
use crate::engine::scenario::{Scenario, ScenarioError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

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

pub(super) fn preset_value(i: Option<usize>) -> Value {
    i.and_then(|i| PRESETS.get(i))
        .and_then(|p| p.scenario().ok())
        .and_then(|s| scenario_value(&s))
        .unwrap_or(Value::Object(Map::new()))
}

/// The scenario as a JSON value, through its compact text rather than
/// `serde_json::to_value` (which would add a second serializer of the whole
/// scenario tree to the wasm bundle). `float_roundtrip` reads every number
/// back bit for bit, so the value is the same.
pub(super) fn scenario_value(s: &Scenario) -> Option<Value> {
    serde_json::from_str(&s.to_compact_json()).ok()
}

/// A whole scenario from its encoded JSON.
pub(super) fn restore_whole(text: &str) -> Result<Scenario, String> {
    let bytes = unpack(text)?;
    let json = std::str::from_utf8(&bytes).map_err(|_| "is not UTF-8 text after decoding")?;
    Scenario::from_json(json).map_err(|errs| invalid(&errs))
}

pub(super) fn invalid(errs: &[ScenarioError]) -> String {
    format!(
        "is not a valid scenario: {}",
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// The changed scenario from its encoded patch against preset `base`.
pub(super) fn restore(text: &str, base: Option<usize>, base_ok: bool) -> Result<Scenario, String> {
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
