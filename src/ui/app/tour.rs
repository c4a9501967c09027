//! The guided tour: reading a tour file (the shipped one from the bundle,
//! others from this site), opening its steps, closing it.

use super::{App, Command, Msg};
use crate::common::link;
use crate::common::tour::{self, Tour};
use crate::engine::SimTime;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Messages for the tour.
pub enum TourMsg {
    /// A tour file was read (step to open, result).
    /// A tour read: the step to open, the link's instant for it, the tour.
    Loaded(usize, Option<SimTime>, Result<Tour, Vec<String>>),
    /// Go to tour step (index).
    Step(usize),
    Close,
    Start,
}

impl App {
    pub(super) fn update_tour(&mut self, ctx: &Context<Self>, msg: TourMsg) -> bool {
        let command = match msg {
            TourMsg::Loaded(step, at, result) => self.tour_loaded(step, at, result),
            TourMsg::Step(i) => {
                self.go_step(i);
                Command::SyncUrl { push: true }
            }
            TourMsg::Close => {
                self.tour = None;
                Command::SyncUrl { push: true }
            }
            TourMsg::Start => {
                self.load_tour(ctx, "intro", 0, None);
                return false;
            }
        };
        self.command(command);
        true
    }

    /// Opens a tour read, at its step (a link's instant still applies to
    /// that step), or says why it could not be loaded.
    fn tour_loaded(
        &mut self,
        step: usize,
        at: Option<SimTime>,
        result: Result<Tour, Vec<String>>,
    ) -> Command {
        match result {
            Ok(t) => {
                let step = step.min(t.steps.len() - 1);
                self.tour = Some((t, 0));
                self.go_step(step);
                // A link's instant (`t`) applies to its step, however long
                // the tour took to arrive.
                if at.is_some() {
                    self.run.seek = at;
                    self.run.clock.pause();
                }
                Command::SyncUrl { push: false }
            }
            Err(errs) => {
                self.dialogs.problems.push(format!(
                    "The tour could not be loaded: {}.",
                    errs.join("; ")
                ));
                Command::None
            }
        }
    }

    /// Reads tour `name` from this site (the shipped one too: `tours/` is
    /// copied into the build, and fetching it keeps its text out of the
    /// bundle) and opens step `step`.
    pub(super) fn load_tour(
        &mut self,
        ctx: &Context<Self>,
        name: &str,
        step: usize,
        at: Option<SimTime>,
    ) {
        let url = match link::tour_source(name) {
            Ok(u) => u,
            Err(e) => {
                self.dialogs.problems.push(format!("tour: {e}."));
                return;
            }
        };
        let link = ctx.link().clone();
        let name = name.to_string();
        wasm_bindgen_futures::spawn_local(async move {
            let r = fetch_text(&url).await;
            let r = r.map_err(|e| vec![e]).and_then(|t| tour::parse(&name, &t));
            link.send_message(Msg::Tour(TourMsg::Loaded(step, at, r)));
        });
    }

    /// Opens step `i` of the loaded tour: its preset, seed and speed.
    fn go_step(&mut self, i: usize) {
        let Some((t, cur)) = self.tour.as_mut() else {
            return;
        };
        let Some(step) = t.steps.get(i).cloned() else {
            return;
        };
        *cur = i;
        if self.load(&step.scenario()).is_ok() {
            self.setup.loaded_preset(step.preset);
            self.run.open_at(step.speed, None);
            self.run.clock.play();
        }
    }
}

/// GETs a same-site text file (a tour), refusing big ones.
async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    let w = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response")?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let text = JsFuture::from(resp.text().map_err(|_| "no text")?)
        .await
        .map_err(|_| format!("{url} could not be read"))?
        .as_string()
        .unwrap_or_default();
    if text.len() > tour::MAX_TOUR_BYTES {
        return Err(format!("{url} is over {} bytes", tour::MAX_TOUR_BYTES));
    }
    Ok(text)
}
