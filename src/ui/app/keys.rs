//! Presenter mode's keys: each one handled now, not queued, so two quick
//! keys see each other's effect; most act as the matching button does.

use super::dialogs::DialogMsg;
use super::run::RunMsg;
use super::tour::TourMsg;
use super::{App, Msg};
use crate::ui::controls::presenter::{self, KeyAction};
use crate::ui::web;
use yew::prelude::*;

impl App {
    pub(super) fn update_key(&mut self, ctx: &Context<Self>, key: KeyAction) -> bool {
        // Handled now, not queued: two quick keys see each other's effect.
        let msg = match key {
            KeyAction::PlayPause => Msg::Run(RunMsg::TogglePlay),
            KeyAction::Restart => Msg::Run(RunMsg::Restart),
            KeyAction::NewSeed => Msg::Run(RunMsg::NewSeed),
            KeyAction::Faster | KeyAction::Slower => {
                let s = presenter::step_speed(self.run.clock.speed(), key == KeyAction::Faster);
                Msg::Run(RunMsg::SetSpeed(s))
            }
            KeyAction::PrevStep | KeyAction::NextStep => match &self.tour {
                Some((t, i)) => {
                    let next = if key == KeyAction::NextStep {
                        (*i + 1).min(t.steps.len() - 1)
                    } else {
                        i.saturating_sub(1)
                    };
                    Msg::Tour(TourMsg::Step(next))
                }
                // → with no tour running starts one.
                None if key == KeyAction::NextStep => Msg::Tour(TourMsg::Start),
                None => {
                    self.setup.note =
                        Some("← and → move through a guided tour: → or G starts one.".into());
                    return true;
                }
            },
            KeyAction::Tour => Msg::Tour(TourMsg::Start),
            KeyAction::Captions => {
                self.page.captions = !self.page.captions;
                return true;
            }
            KeyAction::Help => Msg::Dialog(DialogMsg::ShowHelp(!self.dialogs.help)),
            KeyAction::Close => {
                self.dialogs.help = false;
                self.dialogs.embed = false;
                return true;
            }
            KeyAction::FullScreen | KeyAction::Theme | KeyAction::Projector => {
                self.view_key(key);
                return true;
            }
        };
        Component::update(self, ctx, msg)
    }

    /// Full screen, theme and projector mode.
    fn view_key(&mut self, key: KeyAction) {
        match key {
            KeyAction::FullScreen => web::toggle_fullscreen(),
            KeyAction::Theme => {
                self.page.view.theme = self.page.view.theme.next();
                self.apply_view();
                self.sync_url(false);
            }
            KeyAction::Projector => {
                self.page.view.projector = !self.page.view.projector;
                self.apply_view();
                self.sync_url(false);
            }
            _ => {}
        }
    }
}
