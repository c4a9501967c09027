//! The run: the virtual clock, the running simulation and what is drawn
//! from it (frame, live numbers, chart samples), advanced every animation
//! frame within the frame budget; play, pause, step, speed, fast-forward,
//! seeking to a link's instant, and pausing while the page is out of view.

use super::{errors_text, App, Command};
use crate::common::moments::Moments;
use crate::engine::time::{SimDuration, SimTime};
use crate::ui::controls::fast_forward::FastForward;
use crate::ui::sim_handle::{FrameView, Live, SimHandle};
use crate::ui::view_model::clock::SimClock;
use crate::ui::view_model::history::Sample;
use crate::ui::web;
use std::rc::Rc;

/// Frames in a row behind the target before the achieved speed is shown.
pub(super) const LAG_FRAMES: u32 = 6;
/// How often the charts take the new samples while running [ms of wall time].
const CHARTS_EVERY_MS: f64 = 250.0;

/// Messages for the run.
pub enum RunMsg {
    TogglePlay,
    Step,
    Restart,
    NewSeed,
    SetSpeed(f64),
    /// Fast-forward this many simulated seconds, in per-frame slices.
    FastForward(u64),
    /// Stop the fast-forward where it got to.
    CancelFastForward,
    /// The page is in view (IntersectionObserver).
    InView(bool),
    /// The tab's visibility changed.
    Visibility,
    /// Slow motion around the run's moments on or off.
    SlowMotion(bool),
    /// Watch the moment at this instant [s]: go to a few seconds before it.
    Watch(f64),
}

/// The clock, the simulation and what is drawn from it.
pub(super) struct Run {
    pub clock: SimClock,
    pub handle: SimHandle,
    pub frame: Rc<FrameView>,
    pub live: Rc<Live>,
    pub samples: Rc<Vec<Sample>>,
    /// When the charts last took new samples [ms, frame timestamp].
    charts_ms: f64,
    /// Achieved speed, smoothed [× real time].
    achieved: f64,
    lag_frames: u32,
    /// The fast-forward in progress.
    pub fast_forward: Option<FastForward>,
    /// Run to this instant as fast as the frame budget allows, then pause
    /// (a link's `t`).
    pub seek: Option<SimTime>,
    last_ts: Option<f64>,
    perf: Option<web_sys::Performance>,
    /// Paused because the page is out of view or the tab hidden; resumes
    /// when back.
    pub auto_paused: bool,
    in_view: bool,
    /// The run's marked moments and the slow-motion schedule.
    pub moments: Moments,
}

impl Run {
    pub fn new(clock: SimClock, mut handle: SimHandle, speed: f64, seek: Option<SimTime>) -> Run {
        let perf = web_sys::window().and_then(|w| w.performance());
        let now = perf.as_ref().map_or(0.0, |p| p.now());
        let frame = handle.observe(now);
        let moments = Moments::new(handle.scenario(), clock.speed(), true);
        Run {
            moments,
            clock,
            live: handle.live(),
            samples: Rc::new(handle.history().samples().to_vec()),
            charts_ms: f64::NEG_INFINITY,
            frame,
            handle,
            achieved: speed,
            lag_frames: 0,
            fast_forward: None,
            seek,
            last_ts: None,
            perf,
            auto_paused: false,
            in_view: true,
        }
    }

    /// An embed waits for the IntersectionObserver's first report.
    pub fn wait_until_in_view(&mut self) {
        self.in_view = false;
        if self.clock.is_running() {
            self.clock.pause();
            self.auto_paused = true;
        }
    }

    fn wall_ms(&self) -> f64 {
        self.perf.as_ref().map_or(0.0, |p| p.now())
    }

    /// The wall clock the frame budget reads [ms].
    fn wall_clock(&self) -> impl FnMut() -> f64 {
        let perf = self.perf.clone();
        move || perf.as_ref().map_or(0.0, |p| p.now())
    }

    /// Draws the simulation as it is now (even while paused).
    pub fn redraw(&mut self) {
        let now = self.wall_ms();
        self.frame = self.handle.observe(now);
        self.live = self.handle.live();
    }

    /// Replaces the running simulation (keeping the drawing preferences)
    /// and rewinds the clock.
    pub fn install(&mut self, mut handle: SimHandle) {
        handle.reduced_motion = self.handle.reduced_motion;
        self.handle = handle;
        self.clock.restart();
        self.lag_frames = 0;
        self.fast_forward = None;
        self.redraw();
        self.samples = Rc::new(self.handle.history().samples().to_vec());
        self.moments = Moments::new(
            self.handle.scenario(),
            self.clock.speed(),
            self.moments.slow_motion,
        );
    }

    /// Takes the run's new moments; true when the timeline changed.
    fn update_moments(&mut self) -> bool {
        let slow = self.moments.slow_motion;
        self.moments
            .update(&self.handle.firsts, self.clock.speed(), slow)
    }

    /// Starts at `start_s` (a preset's lead before its moment): a
    /// fast-forward there that plays on.
    pub fn start_at(&mut self, start_s: f64) {
        let to = self.note_start(start_s);
        let now = self.handle.now();
        if to > now {
            self.fast_forward = FastForward::new(now, to.since(now), self.handle.end(), true);
            self.clock.pause();
        }
    }

    /// Opens a preset's link that names no instant where a pick of the
    /// preset starts (`start_s`, its lead before the key moment): a silent
    /// seek there that leaves the clock as it is, so a playing run plays
    /// on from the start and a paused embed waits there for its play.
    pub fn open_at_start(&mut self, start_s: f64) {
        let to = self.note_start(start_s);
        if to > self.handle.now() {
            self.seek = Some(to);
        }
    }

    /// A preset's start, noted on the timeline, as the instant both ways
    /// of getting there (a pick's fast-forward, a link's seek) run to.
    fn note_start(&mut self, start_s: f64) -> SimTime {
        self.moments.start_s = start_s;
        SimTime::from_micros((start_s * 1e6) as u64)
    }

    /// Sets the speed, shown as achieved until frames say otherwise.
    pub fn set_speed(&mut self, speed: f64) {
        self.clock.set_speed(speed);
        self.lag_frames = 0;
        self.achieved = self.clock.speed();
        self.update_moments();
    }

    /// The achieved speed, when the engine has lagged long enough to say so.
    pub fn achieved_shown(&self) -> Option<f64> {
        (self.lag_frames >= LAG_FRAMES && self.clock.is_running())
            .then_some(self.achieved.min(self.clock.speed()))
    }

    /// One animation frame at `ts` [ms]: advances the seek, the
    /// fast-forward or the play; false when nothing changed to draw.
    pub fn frame(&mut self, ts: f64) -> bool {
        let dt_ms = self.last_ts.map_or(0.0, |l| (ts - l).max(0.0));
        self.last_ts = Some(ts);
        let before = self.handle.now();
        // Play resumes on the frame after a seek ends, so that the speed
        // achieved is never measured across the seek.
        let seeking = self.seek.is_some();
        if let Some(t) = self.seek {
            self.seek_slice(t);
        }
        let running = self.clock.is_running() && !seeking;
        if let Some(active) = self.fast_forward.filter(|_| !seeking) {
            self.fast_forward_slice(active);
        } else if running {
            self.play_slice(ts, dt_ms, before);
        }
        let idle = !running && self.frame.particles.is_empty() && self.frame.marks.is_empty();
        if idle && self.handle.now() == before {
            return false;
        }
        self.frame = if seeking {
            self.handle.observe_skipped(ts)
        } else {
            self.handle.observe(ts)
        };
        self.live = self.handle.live();
        self.update_moments();
        self.take_samples(ts);
        true
    }

    /// A frame's slice of the run to a link's instant.
    fn seek_slice(&mut self, t: SimTime) {
        let mut wall = self.wall_clock();
        let done = self.handle.advance(t, &mut wall);
        self.clock.set_now(self.handle.now());
        if done || self.handle.now() >= t.min(self.handle.end()) {
            self.seek = None;
            // The meters read at exactly this instant.
            self.handle.refresh();
        }
    }

    /// A frame's slice of the fast-forward, within the same budget.
    fn fast_forward_slice(&mut self, active: FastForward) {
        let mut wall = self.wall_clock();
        self.handle.advance(active.to, &mut wall);
        let after = self.handle.now();
        self.clock.set_now(after);
        if after >= active.to {
            self.fast_forward = None;
            if active.resume && after < self.handle.end() {
                self.clock.play();
            }
        }
    }

    /// A frame of play: towards the clock's target, measuring the speed
    /// achieved, pausing at the end.
    fn play_slice(&mut self, ts: f64, dt_ms: f64, before: SimTime) {
        let moments = &self.moments;
        let target = self.clock.tick_with(ts, |t, dt| moments.advance(t, dt));
        let mut wall = self.wall_clock();
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

    /// The charts redraw a few times a second, not every frame (their
    /// samples come every few simulated seconds, which at 100× is nearly
    /// every frame); at once when the run stops.
    fn take_samples(&mut self, ts: f64) {
        let history = self.handle.history().samples();
        let due = ts - self.charts_ms >= CHARTS_EVERY_MS || !self.clock.is_running();
        if due && (history.len() != self.samples.len() || history.last() != self.samples.last()) {
            self.samples = Rc::new(history.to_vec());
            self.charts_ms = ts;
        }
    }

    /// Play or pause; a fast-forward in progress ends where it got to.
    /// True when paused at the end, where play starts the run again (the
    /// caller installs a new simulation).
    fn toggle_play(&mut self) -> bool {
        if let Some(active) = self.fast_forward.take() {
            // Play/pause during a fast-forward ends it where it got to.
            if !active.resume {
                self.clock.play();
            }
        }
        if !self.clock.is_running() && self.handle.now() >= self.handle.end() {
            return true;
        }
        self.clock.toggle();
        if !self.clock.is_running() {
            // Paused: the meters read at exactly this instant.
            self.handle.refresh();
            self.redraw();
        }
        false
    }

    /// One event, paused.
    fn step(&mut self) {
        self.fast_forward = None;
        if self.clock.is_running() {
            self.clock.pause();
        }
        self.handle.step();
        self.clock.set_now(self.handle.now());
        self.redraw();
    }

    fn start_fast_forward(&mut self, secs: u64) {
        let resume = self.clock.is_running();
        self.fast_forward = FastForward::new(
            self.handle.now(),
            SimDuration::from_secs(secs),
            self.handle.end(),
            resume,
        );
        if self.fast_forward.is_some() {
            self.clock.pause();
            self.lag_frames = 0;
        }
    }

    fn cancel_fast_forward(&mut self) {
        // Stays paused where it got to.
        self.fast_forward = None;
        self.clock.set_now(self.handle.now());
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

    /// The instant a link opens at: now, when paused after the start.
    pub fn paused_at(&self) -> Option<SimTime> {
        (!self.clock.is_running() && self.handle.now() > SimTime::ZERO).then(|| self.handle.now())
    }

    /// Opens a state: its speed, and the instant to seek to (paused).
    pub fn open_at(&mut self, speed: f64, at: Option<SimTime>) {
        self.clock.set_speed(speed);
        self.achieved = speed;
        self.update_moments();
        self.seek = at;
        if at.is_some() {
            self.clock.pause();
        }
    }
}

impl App {
    /// The run's messages; restarting and a new seed also leave a note.
    pub(super) fn update_run(&mut self, msg: RunMsg) -> bool {
        let command = match msg {
            RunMsg::TogglePlay => {
                if self.run.toggle_play() {
                    if let Ok(h) = SimHandle::new(&self.run.handle.scenario().clone()) {
                        self.install(h);
                    }
                    self.run.clock.play();
                }
                Command::None
            }
            RunMsg::Step => {
                self.run.step();
                Command::None
            }
            RunMsg::Restart => {
                let s = self.run.handle.scenario().clone();
                if let Err(e) = self.load(&s) {
                    self.setup.note = Some(errors_text(&e));
                }
                Command::None
            }
            RunMsg::NewSeed => self.new_seed(),
            RunMsg::SetSpeed(s) => {
                self.run.set_speed(s);
                Command::SyncUrl { push: false }
            }
            RunMsg::FastForward(secs) => {
                self.run.start_fast_forward(secs);
                Command::None
            }
            RunMsg::CancelFastForward => {
                self.run.cancel_fast_forward();
                Command::None
            }
            RunMsg::InView(v) => {
                self.run.in_view = v;
                self.run.auto_pause();
                Command::None
            }
            RunMsg::Visibility => {
                self.run.auto_pause();
                Command::None
            }
            RunMsg::SlowMotion(on) => {
                let speed = self.run.clock.speed();
                self.run.moments.update(&self.run.handle.firsts, speed, on);
                Command::None
            }
            RunMsg::Watch(t_s) => {
                self.watch(t_s);
                Command::None
            }
        };
        self.command(command);
        true
    }

    /// Goes to a few seconds before the moment at `t_s` (from the start
    /// again when it lies behind) and plays it.
    fn watch(&mut self, t_s: f64) {
        let to = self.run.moments.lead_in(t_s);
        if to < self.run.handle.now().as_secs_f64() {
            let s = self.run.handle.scenario().clone();
            if let Err(e) = self.load(&s) {
                self.setup.note = Some(errors_text(&e));
                return;
            }
        }
        self.run.clock.play();
        self.run.start_at(to);
    }

    /// The same scenario with a new seed.
    fn new_seed(&mut self) -> Command {
        let mut s = self.run.handle.scenario().clone();
        s.seed = web::random_seed();
        if let Err(e) = self.load(&s) {
            self.setup.note = Some(errors_text(&e));
            return Command::None;
        }
        self.setup.note = Some(format!(
            "New seed {}: same settings, different arrivals and durations.",
            s.seed
        ));
        Command::SyncUrl { push: true }
    }
}
