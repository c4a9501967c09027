//! The state in the address: the link a state makes, writing it into the
//! address bar, opening one on back/forward, copying it, and the page's
//! theme attributes it carries.

use super::App;
use crate::common::link::{self, LinkState, Theme};
use crate::engine::time::SimTime;
use crate::ui::web;
use yew::prelude::*;

/// Messages about the link.
pub enum LinkMsg {
    /// Back/forward (or a hand-edited fragment): restore the link's state.
    PopState,
    /// Copy a link to this exact state.
    Copy,
}

impl App {
    pub(super) fn update_link(&mut self, ctx: &Context<Self>, msg: LinkMsg) -> bool {
        match msg {
            LinkMsg::PopState => {
                let decoded = link::decode(&web::fragment());
                self.dialogs.problems = decoded.problems;
                self.apply_link(ctx, decoded.state);
            }
            LinkMsg::Copy => {
                let url = format!("{}#{}", web::page_url(), self.fragment_now());
                web::copy(&url);
                self.dialogs.copied_link = url;
            }
        }
        true
    }

    /// The state a link holds now (`at`: the instant to open at, if any).
    pub(super) fn link_state(&self, at: Option<SimTime>) -> LinkState {
        LinkState {
            preset: self.setup.base,
            scenario: self.run.handle.scenario().clone(),
            speed: self.run.clock.speed(),
            at,
            view: self.page.view,
            tour: self.tour.as_ref().map(|(t, i)| (t.source.clone(), *i)),
        }
    }

    /// Writes the state into the address: a history entry when `push`
    /// (never inside an embed, whose history is the host page's).
    pub(super) fn sync_url(&self, push: bool) {
        web::set_fragment(
            &link::encode(&self.link_state(None)),
            push && !self.page.embed.embed,
        );
    }

    /// The fragment of a copied link: paused, it opens at this instant.
    fn fragment_now(&self) -> String {
        link::encode(&self.link_state(self.run.paused_at()))
    }

    /// Opens a link's state (from back/forward or a pasted address).
    fn apply_link(&mut self, ctx: &Context<Self>, st: LinkState) {
        if self.load(&st.scenario).is_err() {
            return;
        }
        self.setup.base = st.preset;
        self.setup.preset = st.preset.filter(|_| !st.is_edited());
        self.setup.param_error = None;
        self.run.open_at(st.speed, st.at);
        self.start_link(&st);
        self.page.view = st.view;
        self.apply_view();
        match st.tour {
            Some((name, step)) => {
                if self.tour.as_ref().is_some_and(|(t, _)| t.source == name) {
                    if let Some((t, i)) = self.tour.as_mut() {
                        *i = step.min(t.steps.len() - 1);
                    }
                } else {
                    self.load_tour(ctx, &name, step, st.at);
                }
            }
            None => self.tour = None,
        }
    }

    /// Theme and projector mode on the root element (CSS does the rest).
    pub(super) fn apply_view(&self) {
        web::set_root_attr(
            "data-theme",
            match self.page.view.theme {
                Theme::Auto => None,
                t => Some(t.as_str()),
            },
        );
        web::set_root_attr("data-projector", self.page.view.projector.then_some("on"));
        web::set_root_attr("data-embed", self.page.embed.embed.then_some("on"));
    }
}
