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

//!
//! Files: this one (the state and its constants), `encode` (state to
//! fragment), `decode` (fragment to the closest valid state, in steps),
//! `patch` (JSON merge patches, packing, restoring a scenario) and `text`
//! (seconds, speeds, percent escapes, tour names).

mod decode;
mod encode;
mod patch;
mod text;

pub use decode::decode;
pub use encode::encode;
pub use patch::{diff, merge, pack, unpack};
pub use text::{percent_decode, percent_encode, tour_source};

use crate::common::presets::PRESETS;
use crate::engine::scenario::Scenario;
use crate::engine::time::SimTime;

/// The link format written; links without `v` are read as version 1.
pub const LINK_VERSION: u32 = 1;
/// Longest fragment read \[characters\]; longer ones are refused unread.
pub const MAX_FRAGMENT: usize = 16 * 1024;
/// Longest encoded scenario patch read \[characters\].
pub const MAX_PATCH_CHARS: usize = 12 * 1024;
/// Largest inflated scenario patch \[bytes\]; more is a decompression bomb.
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

#[cfg(test)]
mod tests;
