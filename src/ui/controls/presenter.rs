//! Presenter mode: the keyboard shortcuts, one table used both to act and
//! to draw the help overlay (`dialogs::help`).

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    PlayPause,
    PrevStep,
    NextStep,
    Faster,
    Slower,
    Restart,
    NewSeed,
    FullScreen,
    Theme,
    Projector,
    Help,
    Close,
    /// Start the guided tour.
    Tour,
    /// Captions on the stage on / off.
    Captions,
}

/// The shortcuts: keys (as `KeyboardEvent.key` names them), label, action.
pub const KEYS: &[(&[&str], &str, &str, KeyAction)] = &[
    (&[" "], "Space", "play / pause", KeyAction::PlayPause),
    (
        &["ArrowLeft"],
        "←",
        "previous tour step",
        KeyAction::PrevStep,
    ),
    (&["ArrowRight"], "→", "next tour step", KeyAction::NextStep),
    (&["+", "="], "+", "faster", KeyAction::Faster),
    (&["-", "_", "−"], "−", "slower", KeyAction::Slower),
    (&["r", "R"], "R", "restart (same seed)", KeyAction::Restart),
    (&["n", "N"], "N", "new seed", KeyAction::NewSeed),
    (
        &["f", "F"],
        "F",
        "full screen on / off",
        KeyAction::FullScreen,
    ),
    (
        &["t", "T"],
        "T",
        "theme: auto → dark → light",
        KeyAction::Theme,
    ),
    (
        &["p", "P"],
        "P",
        "projector: large type, high contrast",
        KeyAction::Projector,
    ),
    (
        &["g", "G"],
        "G",
        "guided tour (→ also starts it)",
        KeyAction::Tour,
    ),
    (
        &["c", "C"],
        "C",
        "captions on the stage on / off",
        KeyAction::Captions,
    ),
    (&["?"], "?", "this help", KeyAction::Help),
    (&["Escape"], "Esc", "close help or dialog", KeyAction::Close),
];

/// The action of a key, if it has one. Keys pressed with Ctrl, Alt or Meta
/// are the browser's, never ours.
pub fn action(key: &str, ctrl_alt_meta: bool) -> Option<KeyAction> {
    if ctrl_alt_meta {
        return None;
    }
    KEYS.iter()
        .find(|(keys, ..)| keys.contains(&key))
        .map(|(.., a)| *a)
}

/// Speed one step up or down the log scale (half a decade), rounded as
/// the slider rounds, within 1×–10,000×.
pub fn step_speed(speed: f64, up: bool) -> f64 {
    use super::transport::{slider_from_speed, speed_from_slider};
    let v = slider_from_speed(speed) + if up { 0.5 } else { -0.5 };
    speed_from_slider(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_key_acts_and_modifiers_do_not() {
        for (keys, ..) in KEYS {
            for k in *keys {
                assert!(action(k, false).is_some(), "{k}");
                assert_eq!(action(k, true), None, "{k} with Ctrl");
            }
        }
        assert_eq!(action(" ", false), Some(KeyAction::PlayPause));
        assert_eq!(action("ArrowRight", false), Some(KeyAction::NextStep));
        assert_eq!(action("x", false), None);
        assert_eq!(action("g", false), Some(KeyAction::Tour));
        assert_eq!(action("C", false), Some(KeyAction::Captions));
    }

    #[test]
    fn speed_steps_by_half_decades_within_range() {
        assert_eq!(step_speed(10.0, true), 32.0);
        assert_eq!(step_speed(32.0, true), 100.0);
        assert_eq!(step_speed(100.0, false), 32.0);
        assert_eq!(step_speed(10_000.0, true), 10_000.0);
        assert_eq!(step_speed(1.0, false), 1.0);
    }
}
