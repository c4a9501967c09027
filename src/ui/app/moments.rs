//! The timeline of the run's moments under the transport, and the
//! concept cards the presets open as.

use super::run::RunMsg;
use super::{App, Msg};
use crate::common::presets::concept_of;
use crate::ui::controls::preset_picker::concept_cards;
use crate::ui::controls::timeline::{timeline, TimelineProps};
use yew::prelude::*;

impl App {
    /// The timeline (mounted right after the transport).
    pub(super) fn timeline_html(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let run = &self.run;
        let key = self
            .setup
            .preset
            .and_then(concept_of)
            .and_then(|c| c.key)
            .map(|k| k.name());
        timeline(TimelineProps {
            moments: &run.moments,
            now_s: run.handle.now().as_secs_f64(),
            end_s: run.handle.end().as_secs_f64(),
            speed: run.clock.speed(),
            key_kind: key,
            on_watch: link.callback(|t| Msg::Run(RunMsg::Watch(t))),
            on_slow: link.callback(|on| Msg::Run(RunMsg::SlowMotion(on))),
        })
    }
}

impl App {
    /// The concept cards (mounted beside the preset picker).
    pub(super) fn concepts_html(&self) -> Html {
        concept_cards(self.setup.preset, &self.callbacks.on_pick)
    }
}
