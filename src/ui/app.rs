//! The top-level component: owns the virtual clock, the running simulation
//! ([`SimHandle`]) and the animation loop, and lays out the page.

use super::charts::ChartsPanel;
use super::clock::SimClock;
use super::controls::Controls;
use super::history::Sample;
use super::metrics::MetricsPanel;
use super::operations::{describe as describe_action, OpField, OperationsPanel};
use super::params::{set as set_param, Group, Param, ParamsPanel, SPECS};
use super::presets::{PresetPicker, PRESETS};
use super::sim_handle::{FrameView, Live, SimHandle};
use super::stage::Stage;
use crate::engine::action::Action;
use crate::engine::scenario::{Scenario, ScenarioError};
use gloo::render::{request_animation_frame, AnimationFrame};
use std::rc::Rc;
use yew::prelude::*;

/// The preset loaded first (the seed's example).
const FIRST_PRESET: usize = 0;
/// Frames in a row behind the target before the achieved speed is shown.
const LAG_FRAMES: u32 = 6;

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
}

pub struct App {
    clock: SimClock,
    handle: SimHandle,
    frame: Rc<FrameView>,
    live: Rc<Live>,
    samples: Rc<Vec<Sample>>,
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
    last_ts: Option<f64>,
    perf: Option<web_sys::Performance>,
    /// Dropping the handle cancels the pending frame.
    _frame: Option<AnimationFrame>,
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
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let preset = &PRESETS[FIRST_PRESET];
        let scenario = preset
            .scenario()
            .expect("the presets are valid scenarios (checked by a unit test)");
        let mut handle =
            SimHandle::new(&scenario).expect("a valid scenario starts (checked by a unit test)");
        handle.reduced_motion = reduced_motion();
        let perf = web_sys::window().and_then(|w| w.performance());
        let now = perf.as_ref().map_or(0.0, |p| p.now());
        let frame = handle.observe(now);
        let mut app = App {
            clock: SimClock::new(preset.speed),
            live: handle.live(),
            samples: Rc::new(handle.history().samples().to_vec()),
            frame,
            handle,
            preset: Some(FIRST_PRESET),
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
            achieved: preset.speed,
            lag_frames: 0,
            last_ts: None,
            perf,
            _frame: None,
        };
        app.request_frame(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                self.request_frame(ctx);
                let dt_ms = self.last_ts.map_or(0.0, |l| (ts - l).max(0.0));
                self.last_ts = Some(ts);
                let running = self.clock.is_running();
                let before = self.handle.now();
                if running {
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
                let h = self.handle.history().samples();
                if h.len() != self.samples.len() || h.last() != self.samples.last() {
                    self.samples = Rc::new(h.to_vec());
                }
                true
            }
            Msg::TogglePlay => {
                if !self.clock.is_running() && self.handle.now() >= self.handle.end() {
                    if let Ok(h) = SimHandle::new(&self.handle.scenario().clone()) {
                        self.install(h);
                    }
                    self.clock.play();
                } else {
                    self.clock.toggle();
                }
                true
            }
            Msg::Step => {
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
                s.seed = (js_sys::Math::random() * 4_294_967_296.0) as u64;
                if let Err(e) = self.load(&s) {
                    self.note = Some(errors_text(&e));
                } else {
                    self.note = Some(format!(
                        "New seed {}: same settings, different arrivals and durations.",
                        s.seed
                    ));
                }
                true
            }
            Msg::SetSpeed(s) => {
                self.clock.set_speed(s);
                self.lag_frames = 0;
                self.achieved = self.clock.speed();
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
                            self.param_error = None;
                            self.note = None;
                            self.clock.set_speed(p.speed);
                            self.achieved = p.speed;
                            self.clock.play();
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
                            crate::ui::format::num(rate),
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
                                sp.label.to_lowercase(),
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
        html! {
            <div class="app">
                <header class="masthead">
                    <h1>{ "Fanout" }</h1>
                    <p class="tagline">
                        { "See how AWS compute scales and what it costs: events fan out to \
                           serverless Lambda functions that AWS scales for you, beside an EC2 \
                           fleet that you patch, scale and keep available yourself." }
                    </p>
                </header>
                <Controls running={self.clock.is_running()} speed={self.clock.speed()} {achieved}
                          now={self.handle.now()} end={self.handle.end()} seed={s.seed}
                          on_toggle={link.callback(|()| Msg::TogglePlay)}
                          on_step={link.callback(|()| Msg::Step)}
                          on_restart={link.callback(|()| Msg::Restart)}
                          on_new_seed={link.callback(|()| Msg::NewSeed)}
                          on_speed={link.callback(Msg::SetSpeed)} />
                <PresetPicker selected={self.preset} on_pick={self.on_pick.clone()} />
                <div class="main">
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
                    <MetricsPanel live={self.live.clone()} />
                </div>
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
                <ChartsPanel samples={self.samples.clone()} x_max={s.duration_s} />
                <ParamsPanel scenario={s.clone()} error={self.param_error.clone()} note={self.note.clone()}
                             free_tier={self.handle.scenario().pricing.free_tier}
                             on_set={self.on_set.clone()} on_free_tier={self.on_free_tier.clone()} />
                <footer class="fine">
                    { "Numbers come from a deterministic simulation of documented AWS behaviour; where AWS publishes no figure (keep-alive, retry delays, boot time) the engine states its assumption." }
                </footer>
            </div>
        }
    }
}
