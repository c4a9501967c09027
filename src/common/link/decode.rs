//! A fragment read back into the closest valid state, in steps: read the
//! `key=value` pairs ([`read_settings`]), open the preset
//! ([`apply_preset`]), restore the changed scenario ([`apply_scenario`]),
//! then the seed, speed, instant and tour ([`apply_rest`]). Every step
//! names what it could not restore and leaves the rest as it was.

use super::patch::{restore, restore_whole};
use super::text::{fmt_secs, parse_secs, percent_decode, quote, tour_source};
use super::{Decoded, LinkState, Theme, View, LINK_VERSION, MAX_FRAGMENT, SPEED_RANGE};
use crate::common::format::parse_f64;
use crate::common::presets::PRESETS;
use crate::engine::time::SimTime;

/// What a fragment asks for, read but not yet applied (the view's settings
/// are applied as they are read: they depend on nothing else).
#[derive(Default)]
struct Settings {
    preset_id: Option<String>,
    /// The changed scenario: its encoded text, and whether it is the whole
    /// scenario (`j`) rather than a patch against the preset (`s`).
    patch: Option<(String, bool)>,
    seed: Option<u64>,
    speed: Option<f64>,
    at: Option<SimTime>,
    tour: Option<String>,
    step: Option<usize>,
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
    let settings = read_settings(fragment, &mut state.view, &mut problems);
    let preset_ok = apply_preset(&settings, &mut state, &mut problems);
    apply_scenario(&settings, preset_ok, &mut state, &mut problems);
    apply_rest(settings, &mut state, &mut problems);
    Decoded { state, problems }
}

/// Reads every `key=value` pair of the fragment.
fn read_settings(fragment: &str, view: &mut View, problems: &mut Vec<String>) -> Settings {
    let mut settings = Settings::default();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(value) = percent_decode(raw) else {
            problems.push(format!(
                "{}: the value is badly escaped; ignored.",
                quote(key)
            ));
            continue;
        };
        if let Err(problem) = read_setting(key, value, &mut settings, view) {
            problems.push(problem);
        }
    }
    settings
}

/// Reads one setting into `settings` (or `view`); the problem when its
/// value cannot be used.
fn read_setting(
    key: &str,
    value: String,
    settings: &mut Settings,
    view: &mut View,
) -> Result<(), String> {
    match key {
        "v" => read_version(&value),
        "preset" => {
            settings.preset_id = Some(value);
            Ok(())
        }
        "s" => {
            settings.patch = Some((value, false));
            Ok(())
        }
        "j" => {
            settings.patch = Some((value, true));
            Ok(())
        }
        "seed" => read_seed(&value).map(|n| settings.seed = Some(n)),
        "speed" => read_speed(&value).map(|x| settings.speed = Some(x)),
        "t" => read_at(&value).map(|t| settings.at = Some(t)),
        "theme" => read_theme(&value).map(|t| view.theme = t),
        "hc" => read_projector(&value).map(|on| view.projector = on),
        "tour" => {
            settings.tour = Some(value);
            Ok(())
        }
        "step" => read_step(&value).map(|n| settings.step = Some(n)),
        other => Err(format!(
            "{}: not a setting Fanout knows; ignored.",
            quote(other)
        )),
    }
}

/// `v`: the link format; a newer one is read as far as it can be.
fn read_version(value: &str) -> Result<(), String> {
    match value.parse::<u32>() {
        Ok(n) if n <= LINK_VERSION => Ok(()),
        Ok(n) => Err(format!(
            "v: this link was made by a newer version of Fanout (format {n}; this one reads {LINK_VERSION}); settings it does not know were skipped."
        )),
        Err(_) => Err(format!(
            "v: {} is not a link format version; read as version {LINK_VERSION}.",
            quote(value)
        )),
    }
}

fn read_seed(value: &str) -> Result<u64, String> {
    value.parse::<u64>().map_err(|_| {
        format!(
            "seed: {} is not a whole number from 0 to {}; the preset's seed is used.",
            quote(value),
            u64::MAX
        )
    })
}

fn read_speed(value: &str) -> Result<f64, String> {
    match parse_f64(value) {
        Some(x) if x.is_finite() && (SPEED_RANGE.0..=SPEED_RANGE.1).contains(&x) => Ok(x),
        _ => Err(format!(
            "speed: {} is not a speed from {}× to {}×; the preset's speed is used.",
            quote(value),
            SPEED_RANGE.0,
            SPEED_RANGE.1
        )),
    }
}

fn read_at(value: &str) -> Result<SimTime, String> {
    parse_secs(value).ok_or_else(|| {
        format!(
            "t: {} is not a simulated time in seconds; the run starts at 0.",
            quote(value)
        )
    })
}

fn read_theme(value: &str) -> Result<Theme, String> {
    Theme::parse(value).ok_or_else(|| {
        format!(
            "theme: {} is not one of auto, light, dark; ignored.",
            quote(value)
        )
    })
}

fn read_projector(value: &str) -> Result<bool, String> {
    match value {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(format!("hc: {} is not 0 or 1; ignored.", quote(value))),
    }
}

fn read_step(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n - 1),
        _ => Err(format!(
            "step: {} is not a tour step number (1, 2, …); the tour starts at step 1.",
            quote(value)
        )),
    }
}

/// Opens the preset named, the base of everything else (keeping the view
/// already read); false when the name is not a preset.
fn apply_preset(settings: &Settings, state: &mut LinkState, problems: &mut Vec<String>) -> bool {
    let Some(id) = &settings.preset_id else {
        return true;
    };
    match PRESETS.iter().position(|p| p.id == id) {
        Some(i) => {
            *state = LinkState {
                view: state.view,
                ..LinkState::preset(i)
            };
            true
        }
        None => {
            problems.push(format!(
                "preset: {} is not a preset (known: {}); opened “{}” instead.",
                quote(id),
                PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", "),
                PRESETS[0].title
            ));
            false
        }
    }
}

/// Restores the changed scenario, when there is one.
fn apply_scenario(
    settings: &Settings,
    preset_ok: bool,
    state: &mut LinkState,
    problems: &mut Vec<String>,
) {
    let Some((text, whole)) = &settings.patch else {
        return;
    };
    let base_index = if settings.preset_id.is_some() {
        state.preset
    } else {
        None
    };
    let restored = if *whole {
        restore_whole(text)
    } else {
        restore(text, base_index, preset_ok)
    };
    match restored {
        Ok(s) => {
            state.scenario = s;
            state.preset = base_index;
        }
        Err(why) => problems.push(format!(
            "{} (the changed scenario) {why}; opened the preset “{}” as it ships instead.",
            if *whole { "j" } else { "s" },
            PRESETS[state.preset.unwrap_or(0)].title
        )),
    }
}

/// The seed, speed, instant (capped at the run's end) and tour.
fn apply_rest(settings: Settings, state: &mut LinkState, problems: &mut Vec<String>) {
    if let Some(seed) = settings.seed {
        state.scenario.seed = seed;
    }
    if let Some(x) = settings.speed {
        state.speed = x;
    }
    if let Some(t) = settings.at {
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
    if let Some(name) = settings.tour {
        match tour_source(&name) {
            Ok(_) => state.tour = Some((name, settings.step.unwrap_or(0))),
            Err(why) => problems.push(format!("tour: {why}; no tour was loaded.")),
        }
    }
}
