//! The setup: which preset the scenario came from, and the parameter
//! form's error and note; picking a preset, changing a parameter (live, or
//! with a restart) and switching the free tier.

use super::{errors_text, App, Command};
use crate::common::format::num;
use crate::common::presets::PRESETS;
use crate::engine::action::Action;
use crate::engine::scenario::Scenario;
use crate::ui::controls::actions::describe as describe_action;
use crate::ui::controls::params::{set as set_param, Group, Param, SPECS};
use crate::ui::sim_handle::SimHandle;

/// Messages for the setup.
pub enum SetupMsg {
    /// Load preset `i` of [`PRESETS`].
    Pick(usize),
    /// A parameter control changed: the parameter and the text entered.
    SetParam(Param, String),
    /// The free-tier switch changed.
    FreeTier(bool),
}

/// Where the scenario came from and what the form says about it.
pub(super) struct Setup {
    /// The preset shown as loaded (None once edited).
    pub preset: Option<usize>,
    /// The preset the scenario started from (links encode changes from it).
    pub base: Option<usize>,
    /// A refused parameter: which, the text entered, why.
    pub param_error: Option<(Param, String, String)>,
    /// What the last change did.
    pub note: Option<String>,
}

impl Setup {
    pub fn new(base: Option<usize>, edited: bool) -> Setup {
        Setup {
            preset: base.filter(|_| !edited),
            base,
            param_error: None,
            note: None,
        }
    }

    /// A preset (or a tour step's) is loaded as it ships.
    pub fn loaded_preset(&mut self, i: usize) {
        self.preset = Some(i);
        self.base = Some(i);
        self.param_error = None;
        self.note = None;
    }
}

impl App {
    pub(super) fn update_setup(&mut self, msg: SetupMsg) -> bool {
        let command = match msg {
            SetupMsg::Pick(i) => {
                let Some(p) = PRESETS.get(i) else {
                    return false;
                };
                self.pick(i, p.speed, p.scenario())
            }
            SetupMsg::SetParam(param, text) if param.is_live() => {
                self.set_live_param(param, text);
                Command::None
            }
            SetupMsg::SetParam(param, text) => self.set_param(param, text),
            SetupMsg::FreeTier(on) => {
                self.set_free_tier(on);
                Command::None
            }
        };
        self.command(command);
        true
    }

    /// Loads preset `i` at its speed and plays.
    fn pick(&mut self, i: usize, speed: f64, scenario: Result<Scenario, String>) -> Command {
        let s = match scenario {
            Ok(s) => s,
            Err(e) => {
                self.setup.note = Some(e);
                return Command::None;
            }
        };
        if self.load(&s).is_err() {
            return Command::None;
        }
        self.setup.loaded_preset(i);
        self.run.open_at(speed, None);
        self.run.clock.play();
        self.run.start_at(crate::common::presets::start_s(i, speed));
        Command::SyncUrl { push: true }
    }

    /// A live parameter: applied to the running simulation from now on;
    /// the settings shown (and a later restart) take the new value.
    fn set_live_param(&mut self, param: Param, text: String) {
        let mut s = self.run.handle.scenario().clone();
        let result = set_param(&mut s, param, &text).and_then(|()| {
            let rate = s
                .sources
                .first()
                .and_then(|src| crate::engine::traffic::peak_rate(&src.pattern))
                .ok_or_else(|| "the first source has no rate to set".to_owned())?;
            self.run
                .handle
                .apply(Action::SetRate {
                    source: 0,
                    rate_per_s: rate,
                })
                .map(|()| rate)
                .map_err(|e| e.to_string())
        });
        match result {
            Ok(rate) => {
                self.run.handle.set_shown_scenario(s);
                self.setup.preset = None;
                self.setup.param_error = None;
                self.setup.note = Some(format!(
                    "Peak rate {} req/s from {} on: applied live, no restart.",
                    num(rate),
                    self.run.handle.now()
                ));
                self.actions.log = self
                    .run
                    .handle
                    .actions()
                    .iter()
                    .map(describe_action)
                    .collect();
            }
            Err(m) => self.setup.param_error = Some((param, text, m)),
        }
    }

    /// Any other parameter restarts the run with the same seed; the run
    /// goes on with the last good scenario when the value is refused.
    fn set_param(&mut self, param: Param, text: String) -> Command {
        let mut s = self.run.handle.scenario().clone();
        let result = set_param(&mut s, param, &text)
            .and_then(|()| SimHandle::new(&s).map_err(|errs| errors_text(&errs)));
        let handle = match result {
            Ok(handle) => handle,
            Err(m) => {
                self.setup.param_error = Some((param, text, m));
                return Command::None;
            }
        };
        self.install(handle);
        self.setup.preset = None;
        self.setup.param_error = None;
        self.setup.note = restart_note(param, &text);
        Command::SyncUrl { push: true }
    }

    /// A pricing change restarts the run: the engine prices it from the
    /// start with the scenario's pricing.
    fn set_free_tier(&mut self, on: bool) {
        let mut s = self.run.handle.scenario().clone();
        s.pricing.free_tier = on;
        match SimHandle::new(&s) {
            Ok(h) => {
                self.install(h);
                self.setup.note = Some(format!(
                    "Restarted with the monthly free tier {} (same seed).",
                    if on { "on" } else { "off" }
                ));
            }
            Err(errs) => self.setup.note = Some(errors_text(&errs)),
        }
    }
}

/// What a restart for a changed parameter says.
fn restart_note(param: Param, text: &str) -> Option<String> {
    let spec = SPECS.iter().find(|sp| sp.param == param);
    let why = if spec.is_some_and(|sp| sp.group == Group::Pricing) {
        " Pricing applies to the whole run, so the same traffic is priced anew."
    } else {
        ""
    };
    spec.map(|sp| {
        format!(
            "Restarted with {} = {} {} (same seed).{why}",
            // ASCII labels (a unit test): Unicode lowercasing
            // would ship its case tables in the wasm.
            sp.label.to_ascii_lowercase(),
            if text.trim().is_empty() {
                "none"
            } else {
                text.trim()
            },
            sp.unit
        )
    })
}
