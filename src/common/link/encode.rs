//! A link state written as a fragment.

use super::patch::{diff, pack, preset_value, restore, scenario_value};
use super::text::{fmt_secs, fmt_speed, percent_encode};
use super::{LinkState, Theme, LINK_VERSION};
use crate::common::presets::PRESETS;
use crate::engine::scenario::Scenario;
use serde_json::Value;

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
