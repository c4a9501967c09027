//! The top-level component: owns the virtual clock, the running simulation
//! ([`SimHandle`]) and the animation loop, and lays out the page.
//!
//! Its state is grouped into sub-states, each with its own small update
//! (as egui's `wrap_app` does): [`run::Run`] (the clock, the simulation and
//! what is drawn from it), [`setup::Setup`] (where the scenario came from,
//! the parameter form's messages), [`live_actions::LiveActions`] (the
//! user's actions on the running simulation), [`tour`] (a guided tour),
//! [`dialogs::Dialogs`] (overlays, notices, the copied link) and
//! [`Page`] (theme, projector, embed options). Messages come grouped the
//! same way ([`Msg`]); [`App::update`](Component::update) only delegates.
//! Effects on the address bar are returned as a [`Command`].
//!
//! Files: `run` (frames, play, step, fast-forward), `setup` (presets,
//! parameters), `live_actions`, `tour`, `link` (the state in the address),
//! `files` (import, export), `keys` (presenter shortcuts), `dialogs`,
//! `browser` (listeners, the observer, fetching), `view` (the page).

mod browser;
mod dialogs;
mod files;
mod keys;
mod link;
mod live_actions;
mod moments;
mod run;
mod setup;
mod tour;
mod view;

use crate::common::link::{LinkState, View};
use crate::common::tour::Tour;
use crate::engine::action::Action;
use crate::engine::scenario::{Scenario, ScenarioError};
use crate::ui::controls::actions::ActionField;
use crate::ui::controls::params::Param;
use crate::ui::controls::presenter::KeyAction;
use crate::ui::dialogs::embed::{self, EmbedOptions};
use crate::ui::sim_handle::SimHandle;
use crate::ui::view_model::clock::SimClock;
use crate::ui::web;
use dialogs::{DialogMsg, Dialogs};
use files::FileMsg;
use link::LinkMsg;
use live_actions::{ActionMsg, LiveActions};
use run::{Run, RunMsg};
use setup::{Setup, SetupMsg};
use tour::TourMsg;
use yew::prelude::*;

/// The preset loaded first (the seed's example).
const FIRST_PRESET: usize = 0;

/// Every message of the app, grouped by the sub-state it is for.
pub enum Msg {
    /// An animation frame fired, with its timestamp [ms].
    Frame(f64),
    Run(RunMsg),
    Setup(SetupMsg),
    Action(ActionMsg),
    /// A presenter key.
    Key(KeyAction),
    Link(LinkMsg),
    Dialog(DialogMsg),
    File(FileMsg),
    Tour(TourMsg),
}

/// An effect a sub-state's update asks of the app, beyond its own state.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Command {
    /// Nothing more to do.
    None,
    /// Write the state into the address: a history entry when `push`.
    SyncUrl { push: bool },
}

/// How the page is shown: theme and projector mode (part of a link), and
/// the embed options (from the query string).
struct Page {
    view: View,
    embed: EmbedOptions,
    /// Captions on the stage (key C).
    captions: bool,
}

/// Callbacks made once, so that components whose other properties did not
/// change are not redrawn every frame (and inputs keep what is typed).
struct Callbacks {
    on_set: Callback<(Param, String)>,
    on_free_tier: Callback<bool>,
    on_pick: Callback<usize>,
    on_action: Callback<(ActionField, Action)>,
    on_action_refused: Callback<(ActionField, String)>,
    on_captions: Callback<()>,
}

impl Callbacks {
    fn new(ctx: &Context<App>) -> Callbacks {
        let link = ctx.link();
        Callbacks {
            on_set: link.callback(|(p, t)| Msg::Setup(SetupMsg::SetParam(p, t))),
            on_free_tier: link.callback(|on| Msg::Setup(SetupMsg::FreeTier(on))),
            on_pick: link.callback(|i| Msg::Setup(SetupMsg::Pick(i))),
            on_action: link.callback(|(f, a)| Msg::Action(ActionMsg::Apply(f, a))),
            on_action_refused: link.callback(|(f, m)| Msg::Action(ActionMsg::Refused(f, m))),
            on_captions: link.callback(|()| Msg::Key(KeyAction::Captions)),
        }
    }
}

pub struct App {
    run: Run,
    setup: Setup,
    actions: LiveActions,
    /// The loaded tour and its current step.
    tour: Option<(Tour, usize)>,
    dialogs: Dialogs,
    page: Page,
    callbacks: Callbacks,
    browser: browser::Browser,
}

/// Scenario errors as one line.
fn errors_text(errs: &[ScenarioError]) -> String {
    errs.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl App {
    /// Replaces the running simulation (keeping the drawing preferences)
    /// and rewinds the clock; the previous run's live actions are not
    /// replayed.
    fn install(&mut self, handle: SimHandle) {
        let had_actions = !self.run.handle.actions().is_empty();
        self.run.install(handle);
        self.actions.reset(had_actions);
    }

    fn load(&mut self, scenario: &Scenario) -> Result<(), Vec<ScenarioError>> {
        let handle = SimHandle::new(scenario)?;
        self.install(handle);
        Ok(())
    }

    /// A preset's link that names no instant and no tour starts where a
    /// pick of the preset does, a few seconds of playback before its key
    /// moment: an embedded Patch Tuesday shows the patching within
    /// seconds of its play, not after a quarter of an hour of its day.
    fn start_link(&mut self, st: &LinkState) {
        if st.at.is_some() || st.tour.is_some() {
            return;
        }
        if let Some(i) = self.setup.preset {
            let speed = self.run.clock.speed();
            self.run
                .open_at_start(crate::common::presets::start_s(i, speed));
        }
    }

    /// Carries out a sub-state's command.
    fn command(&self, command: Command) {
        match command {
            Command::None => {}
            Command::SyncUrl { push } => self.sync_url(push),
        }
    }

    /// The link's state at start: the fragment's, or (without one) the
    /// embed's preset and theme; the problems of both.
    fn first_state(embed: &EmbedOptions, mut problems: Vec<String>) -> (LinkState, Vec<String>) {
        let fragment = web::fragment();
        let decoded = if fragment.is_empty() {
            let mut st = LinkState::preset(embed.preset.unwrap_or(FIRST_PRESET));
            st.view.theme = embed.theme.unwrap_or_default();
            crate::common::link::Decoded {
                state: st,
                problems: Vec::new(),
            }
        } else {
            crate::common::link::decode(&fragment)
        };
        problems.extend(decoded.problems);
        (decoded.state, problems)
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (embed, problems) = embed::parse(&web::query());
        let (st, problems) = App::first_state(&embed, problems);
        let mut handle =
            SimHandle::new(&st.scenario).expect("a decoded link is a valid scenario (unit tests)");
        handle.reduced_motion = browser::reduced_motion();
        let mut clock = SimClock::new(st.speed);
        if (embed.embed && !embed.autoplay) || st.at.is_some() {
            clock.pause();
        }
        let edited = st.is_edited();
        let mut app = App {
            run: Run::new(clock, handle, st.speed, st.at),
            setup: Setup::new(st.preset, edited),
            actions: LiveActions::default(),
            tour: None,
            dialogs: Dialogs::new(problems),
            page: Page {
                view: st.view,
                embed,
                captions: true,
            },
            callbacks: Callbacks::new(ctx),
            browser: browser::Browser::default(),
        };
        if app.page.embed.embed {
            // Wait for the IntersectionObserver's first report: an embed
            // below the fold never starts until it is scrolled into view.
            app.run.wait_until_in_view();
        }
        app.apply_view();
        app.start_link(&st);
        if let Some((name, step)) = st.tour {
            app.load_tour(ctx, &name, step, st.at);
        }
        app.listen(ctx);
        app.request_frame(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                self.request_frame(ctx);
                self.run.frame(ts)
            }
            Msg::Run(msg) => self.update_run(msg),
            Msg::Setup(msg) => self.update_setup(msg),
            Msg::Action(msg) => self.actions.update(&mut self.run, msg),
            Msg::Key(key) => self.update_key(ctx, key),
            Msg::Link(msg) => self.update_link(ctx, msg),
            Msg::Dialog(msg) => self.dialogs.update(msg),
            Msg::File(msg) => self.update_file(ctx, msg),
            Msg::Tour(msg) => self.update_tour(ctx, msg),
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            self.observe_root(ctx);
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        self.browser.disconnect();
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        // The page's one main landmark is the stage and its meters
        // (`view.rs`, `main_html`).
        self.page_html(ctx)
    }
}
