//! Guided tours: slides of the simulator, as data. A tour file (JSON, in
//! `static/tours/`, or any file on the same site) lists steps; each loads
//! a preset with a fixed seed, sets the speed and shows a caption, so a
//! step always plays out the same way.
//!
//! ```json
//! {"version": 1, "title": "…", "steps": [
//!   {"title": "Automatic scaling", "preset": "flash-sale", "speed": 10,
//!    "seed": 7, "caption": "…"}]}
//! ```
//! `seed` is optional (the preset's own seed when absent).

use super::link::SPEED_RANGE;
use super::presets::PRESETS;
use crate::engine::scenario::Scenario;
use serde::Deserialize;

/// The tour shipped with the app, as the app fetches it from
/// `tours/intro.json` (compiled in for the tests and the command line).
pub const INTRO: &str = include_str!("../../static/tours/intro.json");
/// Largest tour file read \[bytes\].
pub const MAX_TOUR_BYTES: usize = 64 * 1024;
/// Most steps in a tour.
pub const MAX_STEPS: usize = 100;
/// Longest caption \[characters\].
pub const MAX_CAPTION: usize = 600;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct TourFile {
    version: u32,
    #[serde(default)]
    title: String,
    steps: Vec<StepFile>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    #[serde(default)]
    title: String,
    preset: String,
    speed: f64,
    #[serde(default)]
    seed: Option<u64>,
    caption: String,
}

/// One checked step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub title: String,
    /// Index into [`PRESETS`].
    pub preset: usize,
    pub speed: f64,
    pub seed: u64,
    pub caption: String,
}

impl Step {
    /// The step's scenario: its preset with its seed.
    pub fn scenario(&self) -> Scenario {
        let mut s = PRESETS[self.preset]
            .scenario()
            .expect("the presets are valid scenarios (checked by a unit test)");
        s.seed = self.seed;
        s
    }
}

/// A checked tour.
#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    /// Where it came from (a name or a path), for links.
    pub source: String,
    pub title: String,
    pub steps: Vec<Step>,
}

/// Reads and checks a tour file; every problem is named with its path.
pub fn parse(source: &str, text: &str) -> Result<Tour, Vec<String>> {
    if text.len() > MAX_TOUR_BYTES {
        return Err(vec![format!(
            "the tour file is over the limit of {MAX_TOUR_BYTES} bytes"
        )]);
    }
    let f: TourFile = serde_json::from_str(text).map_err(|e| {
        let path = crate::engine::scenario::json_path::path_at(text, e.line(), e.column());
        vec![format!("{path}: {e}")]
    })?;
    let mut errs = Vec::new();
    if f.version != 1 {
        errs.push(format!(
            "version: {} is not supported; this app reads version 1",
            f.version
        ));
    }
    if f.steps.is_empty() || f.steps.len() > MAX_STEPS {
        errs.push(format!(
            "steps: a tour has 1 to {MAX_STEPS} steps, not {}",
            f.steps.len()
        ));
    }
    let mut steps = Vec::new();
    for (i, s) in f.steps.iter().enumerate().take(MAX_STEPS) {
        let preset = PRESETS.iter().position(|p| p.id == s.preset);
        if preset.is_none() {
            errs.push(format!(
                "steps[{i}].preset: “{}” is not a preset (known: {})",
                s.preset.chars().take(40).collect::<String>(),
                PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
            ));
        }
        if !(s.speed.is_finite() && (SPEED_RANGE.0..=SPEED_RANGE.1).contains(&s.speed)) {
            errs.push(format!(
                "steps[{i}].speed: {} is outside {}–{}",
                s.speed, SPEED_RANGE.0, SPEED_RANGE.1
            ));
        }
        if s.caption.chars().count() > MAX_CAPTION {
            errs.push(format!(
                "steps[{i}].caption: longer than {MAX_CAPTION} characters"
            ));
        }
        if let Some(p) = preset {
            let seed = s
                .seed
                .unwrap_or_else(|| PRESETS[p].scenario().map_or(0, |sc| sc.seed));
            steps.push(Step {
                title: s.title.clone(),
                preset: p,
                speed: s.speed,
                seed,
                caption: s.caption.clone(),
            });
        }
    }
    if errs.is_empty() {
        Ok(Tour {
            source: source.to_string(),
            title: f.title,
            steps,
        })
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_intro_tour_covers_the_seed_concepts() {
        let t = parse("intro", INTRO).unwrap();
        assert_eq!(t.steps.len(), 7);
        let text = t
            .steps
            .iter()
            .map(|s| format!("{} {}", s.title, s.caption))
            .collect::<String>()
            .to_lowercase();
        for c in [
            "managed",
            "serverless",
            "event",
            "automatic scaling",
            "pay for what you use",
            "15 minutes",
            "s3",
        ] {
            assert!(text.contains(c), "{c}");
        }
        // Deterministic: a step's scenario is the same every time.
        assert_eq!(t.steps[3].scenario(), t.steps[3].scenario());
    }

    #[test]
    fn bad_tours_name_every_problem() {
        let bad = r#"{"version": 2, "steps": [{"preset": "nope", "speed": 0, "caption": "x"},
                     {"preset": "flash-sale", "speed": 10, "seed": 3, "caption": "ok"}]}"#;
        let e = parse("t", bad).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[1].starts_with("steps[0].preset"), "{e:?}");
        let e = parse("t", r#"{"version": 1, "steps": [{"preset": "x", "speed": 1, "caption": "c", "html": "<b>"}]}"#).unwrap_err();
        assert!(e[0].contains("html"), "{e:?}");
        assert!(parse("t", &" ".repeat(MAX_TOUR_BYTES + 1)).is_err());
        let ok = parse("t", r#"{"version": 1, "steps": [{"preset": "flash-sale", "speed": 10, "seed": 3, "caption": "c"}]}"#).unwrap();
        assert_eq!(ok.steps[0].scenario().seed, 3);
    }
}
