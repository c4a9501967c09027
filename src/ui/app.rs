//! The top-level component: owns the virtual clock, the running simulation
//! ([`SimHandle`]) and the animation loop, and lays out the page.

use super::breakeven::BreakEvenPanel;
use super::charts::ChartsPanel;
use super::clock::SimClock;
use super::controls::Controls;
use super::fast_forward::{FastForward, FastForwardBar};
use super::history::Sample;
use super::metrics::MetricsPanel;
use super::params::{set as set_param, Param, ParamsPanel, SPECS};
use super::presets::{PresetPicker, PRESETS};
use super::sim_handle::{FrameView, Live, SimHandle};
use super::stage::Stage;
use crate::engine::scenario::{Scenario, ScenarioError};
use crate::engine::time::SimDuration;
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
    preset: Option<usize>,
    param_error: Option<(Param, String, String)>,
    /// Callbacks made once, so that components whose other properties did
    /// not change are not redrawn every frame (and inputs keep what is typed).
    on_set: Callback<(Param, String)>,
    on_free_tier: Callback<bool>,
    on_pick: Callback<usize>,
    note: Option<String>,
    /// Achieved speed, smoothed [× real time].
    achieved: f64,
    lag_frames: u32,
    /// The fast-forward in progress.
    ff: Option<FastForward>,
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
        handle.free_tier = self.handle.free_tier;
        self.handle = handle;
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
            achieved: preset.speed,
            lag_frames: 0,
            ff: None,
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
                if let Some(ff) = self.ff {
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
                let h = self.handle.history().samples();
                if h.len() != self.samples.len() || h.last() != self.samples.last() {
                    self.samples = Rc::new(h.to_vec());
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
                        self.note = spec.map(|sp| {
                            format!(
                                "Restarted with {} = {} {} (same seed).",
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
            Msg::FreeTier(on) => {
                self.handle.free_tier = on;
                self.handle.refresh();
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
                <FastForwardBar active={self.ff} now={self.handle.now()} end={self.handle.end()}
                                on_skip={link.callback(Msg::Skip)}
                                on_cancel={link.callback(|()| Msg::CancelSkip)} />
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
                <ChartsPanel samples={self.samples.clone()} x_max={s.duration_s} />
                <BreakEvenPanel scenario={s.clone()} />
                <ParamsPanel scenario={s.clone()} error={self.param_error.clone()} note={self.note.clone()}
                             free_tier={self.handle.free_tier}
                             on_set={self.on_set.clone()} on_free_tier={self.on_free_tier.clone()} />
                <footer class="fine">
                    { "Numbers come from a deterministic simulation of documented AWS behaviour; where AWS publishes no figure (keep-alive, retry delays, boot time) the engine states its assumption." }
                </footer>
            </div>
        }
    }
}
