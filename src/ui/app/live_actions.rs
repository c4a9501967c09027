//! The live actions: what the user does to the running simulation without
//! a restart (the engine's [`Action`]s), the run's action log, the traffic
//! factor in force and the last refusal.

use super::run::Run;
use crate::engine::action::Action;
use crate::ui::controls::actions::{describe as describe_action, ActionField};

/// Messages for the live actions.
pub enum ActionMsg {
    /// An action to apply to the running simulation now.
    Apply(ActionField, Action),
    /// An action's input could not be read: the control and why.
    Refused(ActionField, String),
}

/// The live actions' state.
pub(super) struct LiveActions {
    /// The last refused action: its control and why.
    pub error: Option<(ActionField, String)>,
    /// The run's action log, as lines.
    pub log: Vec<String>,
    /// Live traffic factor in force.
    pub traffic_factor: f64,
    /// What the last change did (a new run says its actions were dropped).
    pub note: Option<String>,
}

impl Default for LiveActions {
    fn default() -> LiveActions {
        LiveActions {
            error: None,
            log: Vec::new(),
            traffic_factor: 1.0,
            note: None,
        }
    }
}

impl LiveActions {
    /// A new run: no log, no refusal, traffic as the scenario says.
    pub fn reset(&mut self, had_actions: bool) {
        self.error = None;
        self.log.clear();
        self.traffic_factor = 1.0;
        self.note = had_actions.then(|| {
            "New run: the live operations of the previous run were not replayed.".to_owned()
        });
    }

    pub fn update(&mut self, run: &mut Run, msg: ActionMsg) -> bool {
        match msg {
            ActionMsg::Apply(field, action) => match run.handle.apply(action) {
                Ok(()) => {
                    self.error = None;
                    if let Action::ScaleTraffic { factor, .. } = action {
                        self.traffic_factor = factor;
                    }
                    self.log = run.handle.actions().iter().map(describe_action).collect();
                    self.note = None;
                    // Draw the change now, even while paused.
                    run.redraw();
                }
                // The run goes on unchanged.
                Err(e) => self.error = Some((field, e.to_string())),
            },
            ActionMsg::Refused(field, message) => self.error = Some((field, message)),
        }
        true
    }
}
