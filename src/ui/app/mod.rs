//! The top-level component: owns the virtual clock, the running simulation
//! ([`SimHandle`]) and the animation loop, and lays out the page.

use crate::common::link::{self, LinkState, Theme, View};
use crate::common::presets::PRESETS;
use crate::common::tour::{self, Tour};
use crate::engine::action::Action;
use crate::engine::scenario::{Scenario, ScenarioError};
use crate::engine::time::{SimDuration, SimTime};
use crate::ui::charts::breakeven::BreakEvenPanel;
use crate::ui::charts::metrics_table::MetricsPanel;
use crate::ui::charts::over_time::ChartsPanel;
use crate::ui::controls::actions::{describe as describe_action, OpField, OperationsPanel};
use crate::ui::controls::fast_forward::{FastForward, FastForwardBar};
use crate::ui::controls::params::{set as set_param, Group, Param, ParamsPanel, SPECS};
use crate::ui::controls::presenter::{self, KeyAction};
use crate::ui::controls::preset_picker::PresetPicker;
use crate::ui::controls::tour_bar::TourBar;
use crate::ui::controls::transport::Controls;
use crate::ui::dialogs::embed::{self, ControlsLevel, EmbedDialog, EmbedOptions};
use crate::ui::dialogs::help::HelpOverlay;
use crate::ui::dialogs::import_export as io;
use crate::ui::sim_handle::{FrameView, Live, SimHandle};
use crate::ui::stage::scene::Stage;
use crate::ui::view_model::clock::SimClock;
use crate::ui::view_model::history::Sample;
use crate::ui::web;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The preset loaded first (the seed's example).
const FIRST_PRESET: usize = 0;
/// Frames in a row behind the target before the achieved speed is shown.
const LAG_FRAMES: u32 = 6;
/// How often the charts take the new samples while running [ms of wall time].
const CHARTS_EVERY_MS: f64 = 250.0;

/// The IntersectionObserver and its callback (kept alive together).
type Observer = (
    web_sys::IntersectionObserver,
    Closure<dyn FnMut(js_sys::Array)>,
);

pub enum Msg {
    /// An animation frame fired, with its timestamp [ms].
    Frame(f64),
    TogglePlay,
    Step,
    Restart,
    NewSeed,
    SetSpeed(f64),
    /// Load preset `i` of [`PRESETS`].
    Pick(usize),
    /// A parameter control changed: the parameter and the text entered.
    SetParam(Param, String),
    /// The free-tier switch changed.
    FreeTier(bool),
    /// An operation to apply to the running simulation now.
    Op(OpField, Action),
    /// An operation's input could not be read: the control and why.
    OpRefused(OpField, String),
    /// A presenter key.
    Key(KeyAction),
    /// Back/forward (or a hand-edited fragment): restore the link's state.
    PopState,
    /// The page is in view (IntersectionObserver) or the tab's visibility changed.
    InView(bool),
    Visibility,
    CopyLink,
    ShowEmbed(bool),
    ShowHelp(bool),
    DismissProblems,
    ExportJson,
    ExportMetrics,
    ExportBill,
    ExportChart,
    ExportPng,
    /// A file to import (picked or dropped).
    ImportFile(web_sys::File),
    /// A file's text (or why it was not read): file name, result.
    Imported(String, Result<String, String>),
    /// A tour file was read (name, step to open, result).
    TourLoaded(usize, Result<Tour, Vec<String>>),
    /// Go to tour step (index).
    TourStep(usize),
    TourClose,
    StartTour,
    /// Skip ahead this many simulated seconds, in per-frame slices.
    Skip(u64),
    /// Stop the skip where it got to.
    CancelSkip,
}

pub struct App {
    clock: SimClock,
    handle: SimHandle,
    frame: Rc<FrameView>,
    live: Rc<Live>,
    samples: Rc<Vec<Sample>>,
    /// When the charts last took new samples [ms, frame timestamp].
    charts_ms: f64,
    preset: Option<usize>,
    param_error: Option<(Param, String, String)>,
    /// Callbacks made once, so that components whose other properties did
    /// not change are not redrawn every frame (and inputs keep what is typed).
    on_set: Callback<(Param, String)>,
    on_free_tier: Callback<bool>,
    on_pick: Callback<usize>,
    note: Option<String>,
    /// The last refused operation: its control and why.
    op_error: Option<(OpField, String)>,
    /// The run's action log, as lines.
    op_log: Vec<String>,
    /// Live traffic factor in force.
    traffic_factor: f64,
    /// Operation notes (what the last one did).
    op_note: Option<String>,
    on_op: Callback<(OpField, Action)>,
    on_op_refused: Callback<(OpField, String)>,
    /// Achieved speed, smoothed [× real time].
    achieved: f64,
    lag_frames: u32,
    /// The fast-forward in progress.
    ff: Option<FastForward>,
    last_ts: Option<f64>,
    perf: Option<web_sys::Performance>,
    /// Dropping the handle cancels the pending frame.
    _frame: Option<AnimationFrame>,
    /// The preset the scenario started from (links encode changes from it).
    base: Option<usize>,
    view: View,
    embed: EmbedOptions,
    /// Messages about what a link or file could not restore (dismissible).
    problems: Vec<String>,
    /// A refused import: file name and every problem.
    import_errors: Option<(String, Vec<String>)>,
    help: bool,
    embed_dialog: bool,
    /// The loaded tour and its current step.
    tour: Option<(Tour, usize)>,
    /// Run to this instant as fast as the frame budget allows, then pause
    /// (a link's `t`).
    seek: Option<SimTime>,
    /// Paused because the page is out of view or the tab hidden; resumes
    /// when back.
    auto_paused: bool,
    in_view: bool,
    /// The last link copied (also shown, for copying by hand).
    link: String,
    root: NodeRef,
    reader: Option<gloo::file::callbacks::FileReader>,
    _listeners: Vec<EventListener>,
    _observer: Option<Observer>,
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

fn errors_text(errs: &[ScenarioError]) -> String {
    errs.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl App {
    fn request_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self._frame = Some(request_animation_frame(move |ts| {
            link.send_message(Msg::Frame(ts))
        }));
    }

    fn wall_ms(&self) -> f64 {
        self.perf.as_ref().map_or(0.0, |p| p.now())
    }

    /// Replaces the running simulation (keeping the drawing preferences)
    /// and rewinds the clock.
    fn install(&mut self, mut handle: SimHandle) {
        handle.reduced_motion = self.handle.reduced_motion;
        let had_actions = !self.handle.actions().is_empty();
        self.handle = handle;
        self.op_error = None;
        self.op_log.clear();
        self.traffic_factor = 1.0;
        self.op_note = had_actions.then(|| {
            "New run: the live operations of the previous run were not replayed.".to_owned()
        });
        self.clock.restart();
        self.lag_frames = 0;
        self.ff = None;
        let now = self.wall_ms();
        self.frame = self.handle.observe(now);
        self.live = self.handle.live();
        self.samples = Rc::new(self.handle.history().samples().to_vec());
    }

    fn load(&mut self, scenario: &Scenario) -> Result<(), Vec<ScenarioError>> {
        let h = SimHandle::new(scenario)?;
        self.install(h);
        Ok(())
    }

    /// The state a link holds now (`at`: the instant to open at, if any).
    fn link_state(&self, at: Option<SimTime>) -> LinkState {
        LinkState {
            preset: self.base,
            scenario: self.handle.scenario().clone(),
            speed: self.clock.speed(),
            at,
            view: self.view,
            tour: self.tour.as_ref().map(|(t, i)| (t.source.clone(), *i)),
        }
    }

    /// Writes the state into the address: a history entry when `push`
    /// (never inside an embed, whose history is the host page's).
    fn sync_url(&self, push: bool) {
        web::set_fragment(
            &link::encode(&self.link_state(None)),
            push && !self.embed.embed,
        );
    }

    /// Opens a link's state (from back/forward or a pasted address).
    fn apply_link(&mut self, ctx: &Context<Self>, st: LinkState) {
        if self.load(&st.scenario).is_err() {
            return;
        }
        self.base = st.preset;
        self.preset = st.preset.filter(|_| !st.is_edited());
        self.param_error = None;
        self.clock.set_speed(st.speed);
        self.achieved = st.speed;
        self.view = st.view;
        self.apply_view();
        self.seek = st.at;
        if st.at.is_some() {
            self.clock.pause();
        }
        match st.tour {
            Some((name, step)) => {
                if self.tour.as_ref().is_some_and(|(t, _)| t.source == name) {
                    if let Some((t, i)) = self.tour.as_mut() {
                        *i = step.min(t.steps.len() - 1);
                    }
                } else {
                    self.load_tour(ctx, &name, step);
                }
            }
            None => self.tour = None,
        }
    }

    /// Theme and projector mode on the root element (CSS does the rest).
    fn apply_view(&self) {
        web::set_root_attr(
            "data-theme",
            match self.view.theme {
                Theme::Auto => None,
                t => Some(t.as_str()),
            },
        );
        web::set_root_attr("data-projector", self.view.projector.then_some("on"));
        web::set_root_attr("data-embed", self.embed.embed.then_some("on"));
    }

    /// Reads tour `name` (the shipped one from the bundle, others from
    /// this site) and opens step `step`.
    fn load_tour(&mut self, ctx: &Context<Self>, name: &str, step: usize) {
        let url = match link::tour_source(name) {
            Ok(u) => u,
            Err(e) => {
                self.problems.push(format!("tour: {e}."));
                return;
            }
        };
        if url == "tours/intro.json" {
            ctx.link()
                .send_message(Msg::TourLoaded(step, tour::parse(name, tour::INTRO)));
            return;
        }
        let link = ctx.link().clone();
        let name = name.to_string();
        wasm_bindgen_futures::spawn_local(async move {
            let r = fetch_text(&url).await;
            let r = r.map_err(|e| vec![e]).and_then(|t| tour::parse(&name, &t));
            link.send_message(Msg::TourLoaded(step, r));
        });
    }

    fn go_step(&mut self, i: usize) {
        let Some((t, cur)) = self.tour.as_mut() else {
            return;
        };
        let Some(step) = t.steps.get(i).cloned() else {
            return;
        };
        *cur = i;
        if self.load(&step.scenario()).is_ok() {
            self.base = Some(step.preset);
            self.preset = Some(step.preset);
            self.param_error = None;
            self.note = None;
            self.clock.set_speed(step.speed);
            self.achieved = step.speed;
            self.seek = None;
            self.clock.play();
        }
    }

    /// Keys, back/forward, tab visibility and file drops.
    fn listen(&mut self, ctx: &Context<Self>) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let link = ctx.link().clone();
        let opts = EventListenerOptions::enable_prevent_default();
        let keys = EventListener::new_with_options(&doc, "keydown", opts, move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            let key = e.key();
            let on_range = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .is_some_and(|i| i.type_() == "range");
            if web::is_typing(e) || (on_range && key.starts_with("Arrow")) {
                return;
            }
            if let Some(a) = presenter::action(&key, e.ctrl_key() || e.alt_key() || e.meta_key()) {
                e.prevent_default();
                link.send_message(Msg::Key(a));
            }
        });
        let link = ctx.link().clone();
        let pop = EventListener::new(
            &web_sys::window().expect("a window").into(),
            "popstate",
            move |_| link.send_message(Msg::PopState),
        );
        let link = ctx.link().clone();
        let vis = EventListener::new(&doc, "visibilitychange", move |_| {
            link.send_message(Msg::Visibility)
        });
        let over = EventListener::new_with_options(&doc, "dragover", opts, |e| e.prevent_default());
        let link = ctx.link().clone();
        let drop = EventListener::new_with_options(&doc, "drop", opts, move |e| {
            e.prevent_default();
            let file = e
                .dyn_ref::<web_sys::DragEvent>()
                .and_then(|d| d.data_transfer())
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(f) = file {
                link.send_message(Msg::ImportFile(f));
            }
        });
        self._listeners = vec![keys, pop, vis, over, drop];
    }

    /// Pauses while out of view or hidden; resumes what it paused.
    fn auto_pause(&mut self) {
        let away = !self.in_view || web::tab_hidden();
        if away && self.clock.is_running() {
            self.clock.pause();
            self.auto_paused = true;
        } else if !away && self.auto_paused {
            self.auto_paused = false;
            self.clock.play();
        }
    }

    fn fragment_now(&self) -> String {
        let paused_at = (!self.clock.is_running() && self.handle.now() > SimTime::ZERO)
            .then(|| self.handle.now());
        link::encode(&self.link_state(paused_at))
    }

    fn scenario_title(&self) -> String {
        let s = self.handle.scenario();
        if s.name.is_empty() {
            "scenario".into()
        } else {
            s.name.clone()
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

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (embed, mut problems) = embed::parse(&web::query());
        let fragment = web::fragment();
        let decoded = if fragment.is_empty() {
            let mut st = LinkState::preset(embed.preset.unwrap_or(FIRST_PRESET));
            st.view.theme = embed.theme.unwrap_or_default();
            link::Decoded {
                state: st,
                problems: Vec::new(),
            }
        } else {
            link::decode(&fragment)
        };
        problems.extend(decoded.problems);
        let st = decoded.state;
        let mut handle =
            SimHandle::new(&st.scenario).expect("a decoded link is a valid scenario (unit tests)");
        handle.reduced_motion = reduced_motion();
        let perf = web_sys::window().and_then(|w| w.performance());
        let now = perf.as_ref().map_or(0.0, |p| p.now());
        let frame = handle.observe(now);
        let mut clock = SimClock::new(st.speed);
        if (embed.embed && !embed.autoplay) || st.at.is_some() {
            clock.pause();
        }
        let edited = st.is_edited();
        let mut app = App {
            clock,
            live: handle.live(),
            samples: Rc::new(handle.history().samples().to_vec()),
            charts_ms: f64::NEG_INFINITY,
            frame,
            handle,
            preset: st.preset.filter(|_| !edited),
            param_error: None,
            on_set: ctx.link().callback(|(p, t)| Msg::SetParam(p, t)),
            on_free_tier: ctx.link().callback(Msg::FreeTier),
            on_pick: ctx.link().callback(Msg::Pick),
            note: None,
            op_error: None,
            op_log: Vec::new(),
            traffic_factor: 1.0,
            op_note: None,
            on_op: ctx.link().callback(|(f, a)| Msg::Op(f, a)),
            on_op_refused: ctx.link().callback(|(f, m)| Msg::OpRefused(f, m)),
            achieved: st.speed,
            lag_frames: 0,
            ff: None,
            last_ts: None,
            perf,
            _frame: None,
            base: st.preset,
            view: st.view,
            embed,
            problems,
            import_errors: None,
            help: false,
            embed_dialog: false,
            tour: None,
            seek: st.at,
            auto_paused: false,
            in_view: true,
            link: String::new(),
            root: NodeRef::default(),
            reader: None,
            _listeners: Vec::new(),
            _observer: None,
        };
        if app.embed.embed {
            // Wait for the IntersectionObserver's first report: an embed
            // below the fold never starts until it is scrolled into view.
            app.in_view = false;
            if app.clock.is_running() {
                app.clock.pause();
                app.auto_paused = true;
            }
        }
        app.apply_view();
        if let Some((name, step)) = st.tour {
            app.load_tour(ctx, &name, step);
        }
        app.listen(ctx);
        app.request_frame(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                self.request_frame(ctx);
                let dt_ms = self.last_ts.map_or(0.0, |l| (ts - l).max(0.0));
                self.last_ts = Some(ts);
                let before = self.handle.now();
                if let Some(t) = self.seek {
                    let perf = self.perf.clone();
                    let mut wall = move || perf.as_ref().map_or(0.0, |p| p.now());
                    let done = self.handle.advance(t, &mut wall);
                    self.clock.set_now(self.handle.now());
                    if done || self.handle.now() >= t.min(self.handle.end()) {
                        self.seek = None;
                        // The meters read at exactly this instant.
                        self.handle.refresh();
                    }
                }
                let running = self.clock.is_running() && self.seek.is_none();
                if let Some(ff) = self.ff.filter(|_| self.seek.is_none()) {
                    // A slice of the skip, within the same per-frame budget.
                    let perf = self.perf.clone();
                    let mut wall = move || perf.as_ref().map_or(0.0, |p| p.now());
                    self.handle.advance(ff.to, &mut wall);
                    let after = self.handle.now();
                    self.clock.set_now(after);
                    if after >= ff.to {
                        self.ff = None;
                        if ff.resume && after < self.handle.end() {
                            self.clock.play();
                        }
                    }
                } else if running {
                    let target = self.clock.tick(ts);
                    let perf = self.perf.clone();
                    let mut wall = move || perf.as_ref().map_or(0.0, |p| p.now());
                    let caught_up = self.handle.advance(target, &mut wall);
                    let after = self.handle.now();
                    if after != target {
                        self.clock.set_now(after);
                    }
                    if dt_ms > 0.0 && dt_ms < 250.0 {
                        let got = after.since(before).as_secs_f64() / (dt_ms / 1_000.0);
                        self.achieved = 0.85 * self.achieved + 0.15 * got;
                    }
                    self.lag_frames = if caught_up {
                        self.lag_frames.saturating_sub(1)
                    } else {
                        (self.lag_frames + 1).min(4 * LAG_FRAMES)
                    };
                    if after >= self.handle.end() {
                        self.clock.pause();
                        self.lag_frames = 0;
                    }
                }
                let idle =
                    !running && self.frame.particles.is_empty() && self.frame.marks.is_empty();
                if idle && self.handle.now() == before {
                    return false;
                }
                self.frame = self.handle.observe(ts);
                self.live = self.handle.live();
                // The charts redraw a few times a second, not every frame
                // (their samples come every few simulated seconds, which at
                // 100× is nearly every frame); at once when the run stops.
                let h = self.handle.history().samples();
                let due = ts - self.charts_ms >= CHARTS_EVERY_MS || !self.clock.is_running();
                if due && (h.len() != self.samples.len() || h.last() != self.samples.last()) {
                    self.samples = Rc::new(h.to_vec());
                    self.charts_ms = ts;
                }
                true
            }
            Msg::TogglePlay => {
                if let Some(ff) = self.ff.take() {
                    // Play/pause during a skip ends it where it got to.
                    if !ff.resume {
                        self.clock.play();
                    }
                }
                if !self.clock.is_running() && self.handle.now() >= self.handle.end() {
                    if let Ok(h) = SimHandle::new(&self.handle.scenario().clone()) {
                        self.install(h);
                    }
                    self.clock.play();
                } else {
                    self.clock.toggle();
                    if !self.clock.is_running() {
                        // Paused: the meters read at exactly this instant.
                        self.handle.refresh();
                        let now = self.wall_ms();
                        self.frame = self.handle.observe(now);
                        self.live = self.handle.live();
                    }
                }
                true
            }
            Msg::Step => {
                self.ff = None;
                if self.clock.is_running() {
                    self.clock.pause();
                }
                self.handle.step();
                self.clock.set_now(self.handle.now());
                let now = self.wall_ms();
                self.frame = self.handle.observe(now);
                self.live = self.handle.live();
                true
            }
            Msg::Restart => {
                let s = self.handle.scenario().clone();
                if let Err(e) = self.load(&s) {
                    self.note = Some(errors_text(&e));
                }
                true
            }
            Msg::NewSeed => {
                let mut s = self.handle.scenario().clone();
                s.seed = web::random_seed();
                if let Err(e) = self.load(&s) {
                    self.note = Some(errors_text(&e));
                } else {
                    self.note = Some(format!(
                        "New seed {}: same settings, different arrivals and durations.",
                        s.seed
                    ));
                    self.sync_url(true);
                }
                true
            }
            Msg::SetSpeed(s) => {
                self.clock.set_speed(s);
                self.lag_frames = 0;
                self.achieved = self.clock.speed();
                self.sync_url(false);
                true
            }
            Msg::Pick(i) => {
                let Some(p) = PRESETS.get(i) else {
                    return false;
                };
                match p.scenario() {
                    Ok(s) => {
                        if self.load(&s).is_ok() {
                            self.preset = Some(i);
                            self.base = Some(i);
                            self.seek = None;
                            self.param_error = None;
                            self.note = None;
                            self.clock.set_speed(p.speed);
                            self.achieved = p.speed;
                            self.clock.play();
                            self.sync_url(true);
                        }
                    }
                    Err(e) => self.note = Some(e),
                }
                true
            }
            Msg::SetParam(param, text) if param.is_live() => {
                // Applied to the running simulation from now on; the
                // settings shown (and a later restart) take the new value.
                let mut s = self.handle.scenario().clone();
                let result = set_param(&mut s, param, &text).and_then(|()| {
                    let rate = s
                        .sources
                        .first()
                        .and_then(|src| crate::engine::traffic::peak_rate(&src.pattern))
                        .ok_or_else(|| "the first source has no rate to set".to_owned())?;
                    self.handle
                        .apply(Action::SetRate {
                            source: 0,
                            rate_per_s: rate,
                        })
                        .map(|()| rate)
                        .map_err(|e| e.to_string())
                });
                match result {
                    Ok(rate) => {
                        self.handle.set_shown_scenario(s);
                        self.preset = None;
                        self.param_error = None;
                        self.note = Some(format!(
                            "Peak rate {} req/s from {} on: applied live, no restart.",
                            crate::common::format::num(rate),
                            self.handle.now()
                        ));
                        self.op_log = self.handle.actions().iter().map(describe_action).collect();
                    }
                    Err(m) => self.param_error = Some((param, text, m)),
                }
                true
            }
            Msg::SetParam(param, text) => {
                let mut s = self.handle.scenario().clone();
                let result = set_param(&mut s, param, &text)
                    .and_then(|()| SimHandle::new(&s).map_err(|errs| errors_text(&errs)));
                match result {
                    Ok(h) => {
                        self.install(h);
                        self.preset = None;
                        self.sync_url(true);
                        self.param_error = None;
                        let spec = SPECS.iter().find(|sp| sp.param == param);
                        let why = if spec.is_some_and(|sp| sp.group == Group::Pricing) {
                            " Pricing applies to the whole run, so the same traffic is priced anew."
                        } else {
                            ""
                        };
                        self.note = spec.map(|sp| {
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
                        });
                    }
                    // The run goes on with the last good scenario.
                    Err(m) => self.param_error = Some((param, text, m)),
                }
                true
            }
            Msg::Key(a) => {
                // Handled now, not queued: two quick keys see each other's effect.
                match a {
                    KeyAction::PlayPause => return Component::update(self, ctx, Msg::TogglePlay),
                    KeyAction::Restart => return Component::update(self, ctx, Msg::Restart),
                    KeyAction::NewSeed => return Component::update(self, ctx, Msg::NewSeed),
                    KeyAction::Faster | KeyAction::Slower => {
                        let s = presenter::step_speed(self.clock.speed(), a == KeyAction::Faster);
                        return Component::update(self, ctx, Msg::SetSpeed(s));
                    }
                    KeyAction::PrevStep | KeyAction::NextStep => {
                        if let Some((t, i)) = &self.tour {
                            let next = if a == KeyAction::NextStep {
                                (*i + 1).min(t.steps.len() - 1)
                            } else {
                                i.saturating_sub(1)
                            };
                            return Component::update(self, ctx, Msg::TourStep(next));
                        } else {
                            self.note = Some(
                                "← and → move through a guided tour: start one with “Tour”.".into(),
                            );
                        }
                    }
                    KeyAction::FullScreen => web::toggle_fullscreen(),
                    KeyAction::Theme => {
                        self.view.theme = self.view.theme.next();
                        self.apply_view();
                        self.sync_url(false);
                    }
                    KeyAction::Projector => {
                        self.view.projector = !self.view.projector;
                        self.apply_view();
                        self.sync_url(false);
                    }
                    KeyAction::Help => self.help = !self.help,
                    KeyAction::Close => {
                        self.help = false;
                        self.embed_dialog = false;
                    }
                }
                true
            }
            Msg::Skip(secs) => {
                let resume = self.clock.is_running();
                self.ff = FastForward::new(
                    self.handle.now(),
                    SimDuration::from_secs(secs),
                    self.handle.end(),
                    resume,
                );
                if self.ff.is_some() {
                    self.clock.pause();
                    self.lag_frames = 0;
                }
                true
            }
            Msg::CancelSkip => {
                // Stays paused where it got to.
                self.ff = None;
                self.clock.set_now(self.handle.now());
                true
            }
            Msg::PopState => {
                let d = link::decode(&web::fragment());
                self.problems = d.problems;
                self.apply_link(ctx, d.state);
                true
            }
            Msg::InView(v) => {
                self.in_view = v;
                self.auto_pause();
                true
            }
            Msg::Visibility => {
                self.auto_pause();
                true
            }
            Msg::CopyLink => {
                let link = format!("{}#{}", web::page_url(), self.fragment_now());
                web::copy(&link);
                self.link = link;
                true
            }
            Msg::ShowEmbed(on) => {
                self.embed_dialog = on;
                true
            }
            Msg::ShowHelp(on) => {
                self.help = on;
                true
            }
            Msg::DismissProblems => {
                self.problems.clear();
                self.import_errors = None;
                true
            }
            Msg::ExportJson => {
                let s = self.handle.scenario();
                web::download(
                    &format!("{}.json", io::file_stem(s)),
                    "application/json",
                    &s.to_json(),
                );
                false
            }
            Msg::ExportMetrics => {
                let name = format!("{}-metrics.csv", io::file_stem(self.handle.scenario()));
                web::download(
                    &name,
                    "text/csv",
                    &io::metrics_csv(self.handle.history().samples()),
                );
                false
            }
            Msg::ExportBill => {
                let name = format!("{}-bill.csv", io::file_stem(self.handle.scenario()));
                web::download(&name, "text/csv", &io::bill_csv(&self.handle.bills()));
                false
            }
            Msg::ExportChart => {
                let svg = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".charts figure svg").ok().flatten())
                    .and_then(|e| io::standalone_svg(&e.outer_html()));
                if let Some(svg) = svg {
                    let name = format!("{}-chart.svg", io::file_stem(self.handle.scenario()));
                    web::download(&name, "image/svg+xml", &svg);
                }
                false
            }
            Msg::ExportPng => {
                let outer = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".charts figure svg").ok().flatten())
                    .map(|e| e.outer_html());
                if let Some(outer) = outer {
                    if let (Some(svg), Some((w, h))) =
                        (io::standalone_svg(&outer), io::svg_size(&outer))
                    {
                        let name = format!("{}-chart.png", io::file_stem(self.handle.scenario()));
                        web::download_png(&name, &svg, w, h, 2.0);
                    }
                }
                false
            }
            Msg::ImportFile(f) => {
                let name = f.name();
                let size = f.size() as u64;
                if let Err(e) = io::check_size(&name, size) {
                    self.import_errors = Some((name, vec![e]));
                    return true;
                }
                let link = ctx.link().clone();
                let file = gloo::file::File::from(f);
                self.reader = Some(gloo::file::callbacks::read_as_text(&file, move |r| {
                    link.send_message(Msg::Imported(
                        name,
                        r.map_err(|e| format!("the file could not be read ({e})")),
                    ))
                }));
                false
            }
            Msg::Imported(name, r) => {
                self.reader = None;
                match r.map_err(|e| vec![e]).and_then(|t| io::import(&t)) {
                    Ok(s) => match self.load(&s) {
                        Ok(()) => {
                            self.base = None;
                            self.preset = None;
                            self.tour = None;
                            self.seek = None;
                            self.import_errors = None;
                            self.param_error = None;
                            self.note = Some(format!("Imported {name}."));
                            self.sync_url(true);
                        }
                        Err(e) => {
                            self.import_errors =
                                Some((name, e.iter().map(|e| e.to_string()).collect()))
                        }
                    },
                    // The running simulation and its settings stay as they were.
                    Err(errs) => self.import_errors = Some((name, errs)),
                }
                true
            }
            Msg::TourLoaded(step, r) => {
                match r {
                    Ok(t) => {
                        let step = step.min(t.steps.len() - 1);
                        self.tour = Some((t, 0));
                        // A link's instant (`t`) still applies to its step.
                        let seek = self.seek;
                        self.go_step(step);
                        if seek.is_some() {
                            self.seek = seek;
                            self.clock.pause();
                        }
                        self.sync_url(false);
                    }
                    Err(errs) => self.problems.push(format!(
                        "The tour could not be loaded: {}.",
                        errs.join("; ")
                    )),
                }
                true
            }
            Msg::TourStep(i) => {
                self.go_step(i);
                self.sync_url(true);
                true
            }
            Msg::TourClose => {
                self.tour = None;
                self.sync_url(true);
                true
            }
            Msg::StartTour => {
                self.load_tour(ctx, "intro", 0);
                false
            }
            Msg::FreeTier(on) => {
                // A pricing change restarts the run: the engine prices it
                // from the start with the scenario's pricing.
                let mut s = self.handle.scenario().clone();
                s.pricing.free_tier = on;
                match SimHandle::new(&s) {
                    Ok(h) => {
                        self.install(h);
                        self.note = Some(format!(
                            "Restarted with the monthly free tier {} (same seed).",
                            if on { "on" } else { "off" }
                        ));
                    }
                    Err(errs) => self.note = Some(errors_text(&errs)),
                }
                true
            }
            Msg::Op(field, action) => {
                match self.handle.apply(action) {
                    Ok(()) => {
                        self.op_error = None;
                        if let Action::ScaleTraffic { factor, .. } = action {
                            self.traffic_factor = factor;
                        }
                        self.op_log = self.handle.actions().iter().map(describe_action).collect();
                        self.op_note = None;
                        // Draw the change now, even while paused.
                        let now = self.wall_ms();
                        self.frame = self.handle.observe(now);
                        self.live = self.handle.live();
                    }
                    // The run goes on unchanged.
                    Err(e) => self.op_error = Some((field, e.to_string())),
                }
                true
            }
            Msg::OpRefused(field, message) => {
                self.op_error = Some((field, message));
                true
            }
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if !first_render {
            return;
        }
        let Some(el) = self.root.cast::<web_sys::Element>() else {
            return;
        };
        let link = ctx.link().clone();
        let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(e) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
            {
                link.send_message(Msg::InView(e.is_intersecting()));
            }
        });
        if let Ok(obs) = web_sys::IntersectionObserver::new(cb.as_ref().unchecked_ref()) {
            obs.observe(&el);
            self._observer = Some((obs, cb));
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        if let Some((obs, _)) = &self._observer {
            obs.disconnect();
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let s = self.handle.scenario();
        let f = &s.function;
        let name = if f.name.is_empty() {
            "function"
        } else {
            &f.name
        };
        let lambda_title = format!(
            "{name} · {} MB {} · timeout {} s · keep-alive {} s",
            f.memory_mb, f.architecture, f.timeout_s, f.keep_alive_s
        );
        let ec2_title = s.ec2.as_ref().map_or(String::new(), |e| {
            let name = if e.name.is_empty() { "fleet" } else { &e.name };
            let mode = if e.auto_scaling.is_some() {
                "Auto Scaling group"
            } else {
                "fixed fleet"
            };
            format!(
                "{name} · {} · {mode} · boot {} s",
                e.instance_type, e.boot_s
            )
        });
        let ec2 = self.frame.snapshot.ec2.as_ref();
        let achieved = (self.lag_frames >= LAG_FRAMES && self.clock.is_running())
            .then_some(self.achieved.min(self.clock.speed()));
        let e = &self.embed;
        let full = !e.embed || e.controls == ControlsLevel::Full;
        // Encoding the link (JSON merge patch, deflate) is work: only when
        // an embed's footer or the embed dialog shows it, not every frame.
        let fragment = if e.embed || self.embed_dialog {
            link::encode(&self.link_state(None))
        } else {
            String::new()
        };
        let on_file = link.batch_callback(|ev: Event| {
            let input: web_sys::HtmlInputElement = ev.target_unchecked_into();
            let f = input.files().and_then(|f| f.get(0));
            input.set_value("");
            f.map(Msg::ImportFile)
        });
        let problems = (!self.problems.is_empty()).then(|| html! {
            <section class="notice" role="alert" data-testid="link-problems">
                <p><strong>{ "Some of this link could not be restored; the closest valid state opened." }</strong></p>
                <ul>{ for self.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
                <button id="dismiss-problems" onclick={link.callback(|_| Msg::DismissProblems)}>{ "Dismiss" }</button>
            </section>
        });
        let import_errors = self.import_errors.as_ref().map(|(name, errs)| html! {
            <section class="notice" role="alert" data-testid="import-errors">
                <p><strong>{ format!("Import refused: {name} has {} problem{}; the current scenario is unchanged.", errs.len(), if errs.len() == 1 { "" } else { "s" }) }</strong></p>
                <ul>{ for errs.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
                <button id="dismiss-import" onclick={link.callback(|_| Msg::DismissProblems)}>{ "Dismiss" }</button>
            </section>
        });
        let tour_bar = self.tour.as_ref().map(|(t, i)| {
            let step = &t.steps[*i];
            html! {
                <TourBar title={t.title.clone()} step={*i} steps={t.steps.len()}
                         step_title={step.title.clone()} caption={step.caption.clone()}
                         on_prev={link.callback(|()| Msg::Key(KeyAction::PrevStep))}
                         on_next={link.callback(|()| Msg::Key(KeyAction::NextStep))}
                         on_close={link.callback(|()| Msg::TourClose)} />
            }
        });
        let share_bar = full.then(|| html! {
            <section class="share-bar" aria-label="Share, present, import and export">
                <button id="copy-link" onclick={link.callback(|_| Msg::CopyLink)}
                        title="Copy a link to this exact state (paused: to this instant)">{ "Copy link" }</button>
                if !e.embed {
                    <button id="embed-open" onclick={link.callback(|_| Msg::ShowEmbed(true))}>{ "Embed…" }</button>
                    <button id="tour-start" onclick={link.callback(|_| Msg::StartTour)}>{ "▶ Tour" }</button>
                }
                <button id="help-open" onclick={link.callback(|_| Msg::ShowHelp(true))} title="Keyboard shortcuts (?)">{ "⌨ Keys" }</button>
                <span class="share-sep" aria-hidden="true"></span>
                <button id="export-json" onclick={link.callback(|_| Msg::ExportJson)}>{ "Scenario JSON" }</button>
                <button id="export-metrics" onclick={link.callback(|_| Msg::ExportMetrics)}>{ "Metrics CSV" }</button>
                <button id="export-bill" onclick={link.callback(|_| Msg::ExportBill)}>{ "Bill CSV" }</button>
                <button id="export-chart" onclick={link.callback(|_| Msg::ExportChart)}>{ "Chart SVG" }</button>
                <button id="export-png" onclick={link.callback(|_| Msg::ExportPng)}>{ "Chart PNG" }</button>
                <label class="import-label" for="import-file">{ "Import JSON…" }</label>
                <input id="import-file" type="file" accept=".json,application/json" onchange={on_file} />
                if !self.link.is_empty() {
                    <input id="share-link" class="share-link" type="text" readonly=true value={self.link.clone()}
                           aria-label="The copied link" />
                }
            </section>
        });
        let controls = (e.controls != ControlsLevel::None).then(|| {
            html! {
                <Controls running={self.clock.is_running()} speed={self.clock.speed()} {achieved}
                          now={self.handle.now()} end={self.handle.end()} seed={s.seed}
                          on_toggle={link.callback(|()| Msg::TogglePlay)}
                          on_step={link.callback(|()| Msg::Step)}
                          on_restart={link.callback(|()| Msg::Restart)}
                          on_new_seed={link.callback(|()| Msg::NewSeed)}
                          on_speed={link.callback(Msg::SetSpeed)} />
            }
        });
        let app_class = classes!("app", e.embed.then_some("embedded"));
        html! {
            <div class={app_class} ref={self.root.clone()} id="app-root"
                 data-running={self.clock.is_running().to_string()}
                 data-auto-paused={self.auto_paused.to_string()}
                 data-seeking={self.seek.is_some().to_string()}>
                if !e.embed {
                    <header class="masthead">
                        <h1>{ "Fanout" }</h1>
                        <p class="tagline">
                            { "See how AWS compute scales and what it costs: events fan out to \
                               serverless Lambda functions that AWS scales for you, beside an EC2 \
                               fleet that you patch, scale and keep available yourself." }
                        </p>
                    </header>
                }
                { for problems }
                { for controls }
                if e.embed && e.controls == ControlsLevel::None {
                    <output id="sim-clock" class="embed-clock" aria-live="off">{ self.handle.now().to_string() }</output>
                }
                { for tour_bar }
                if full {
                    <FastForwardBar active={self.ff} now={self.handle.now()} end={self.handle.end()}
                                    on_skip={link.callback(Msg::Skip)}
                                    on_cancel={link.callback(|()| Msg::CancelSkip)} />
                    <PresetPicker selected={self.preset} on_pick={self.on_pick.clone()} />
                }
                { for share_bar }
                { for import_errors }
                <div class={classes!("main", (!e.shows("cost")).then_some("no-side"))}>
                    if e.shows("stage") {
                        <div class="stage-col">
                            <Stage frame={self.frame.clone()} {lambda_title} {ec2_title} />
                            <p class="legend-line" aria-hidden="true">
                                <span class="key key-init"></span>{ "initializing (cold start)" }
                                <span class="key key-busy"></span>{ "busy" }
                                <span class="key key-idle"></span>{ "idle, warm (fades as keep-alive runs out)" }
                                <span class="key key-prov"></span>{ "provisioned" }
                                <span class="key key-timeout">{ "✕" }</span>{ "timed out" }
                                <span class="key key-particle"></span>{ "request" }
                            </p>
                        </div>
                    }
                    if e.shows("cost") {
                        <MetricsPanel live={self.live.clone()} />
                    }
                </div>
                if full {
                    <section class="params operations" aria-label="Operations">
                        if let Some(n) = &self.op_note { <p class="note">{ n }</p> }
                        <div class="groups">
                            <OperationsPanel has_ec2={ec2.is_some()} zones={ec2.map_or(0, |e| e.zones)}
                                             zones_down={ec2.map(|e| e.zones_down.clone()).unwrap_or_default()}
                                             traffic_factor={self.traffic_factor} error={self.op_error.clone()}
                                             log={self.op_log.clone()} on_action={self.on_op.clone()}
                                             on_refused={self.on_op_refused.clone()} />
                        </div>
                    </section>
                }
                if e.shows("charts") {
                    <ChartsPanel samples={self.samples.clone()} x_max={s.duration_s} />
                    <BreakEvenPanel scenario={s.clone()} />
                }
                if e.shows("params") || (e.embed && e.controls == ControlsLevel::Full) {
                    <ParamsPanel scenario={s.clone()} error={self.param_error.clone()} note={self.note.clone()}
                                 free_tier={self.handle.scenario().pricing.free_tier}
                                 on_set={self.on_set.clone()} on_free_tier={self.on_free_tier.clone()} />
                }
                if e.embed {
                    <p class="embed-foot">
                        <a href={format!("{}#{}", web::app_url(), fragment)} target="_blank" rel="noopener">{ "Open in Fanout ↗" }</a>
                    </p>
                } else {
                    <footer class="fine">
                        { "Numbers come from a deterministic simulation of documented AWS behaviour; where AWS publishes no figure (keep-alive, retry delays, boot time) the engine states its assumption. Drop a scenario JSON file anywhere on the page to import it; press ? for keyboard shortcuts." }
                    </footer>
                }
                if self.help {
                    <HelpOverlay on_close={link.callback(|()| Msg::ShowHelp(false))} />
                }
                if self.embed_dialog {
                    <EmbedDialog app={web::app_url()} fragment={fragment.clone()} title={self.scenario_title()}
                                 on_close={link.callback(|()| Msg::ShowEmbed(false))} />
                }
            </div>
        }
    }
}
