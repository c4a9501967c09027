//! The virtual clock that turns frame time into simulation time.
//!
//! requestAnimationFrame hands us wall time; the simulation advances by
//! `dt × speed`. Pause simply stops advancing. A long gap between frames (a
//! background tab, a debugger) is clamped so the simulation never lurches
//! ahead by minutes on return. Kept free of browser types so it tests natively.

use crate::engine::time::{SimDuration, SimTime};

/// Longest wall-time step taken from one frame \[ms\].
pub const MAX_FRAME_DT_MS: f64 = 250.0;
/// Slowest and fastest simulation speeds [× real time].
pub const MIN_SPEED: f64 = 1.0;
pub const MAX_SPEED: f64 = 10_000.0;

#[derive(Clone, Debug, PartialEq)]
pub struct SimClock {
    now: SimTime,
    speed: f64,
    running: bool,
    /// Timestamp of the previous frame [ms, the page's high-resolution clock].
    last_frame_ms: Option<f64>,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        SimClock {
            now: SimTime::ZERO,
            speed: speed.clamp(MIN_SPEED, MAX_SPEED),
            running: true,
            last_frame_ms: None,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn speed(&self) -> f64 {
        self.speed
    }
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Sets the speed, clamped to [`MIN_SPEED`, `MAX_SPEED`]; NaN is ignored.
    pub fn set_speed(&mut self, speed: f64) {
        if !speed.is_nan() {
            self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
        }
    }

    pub fn play(&mut self) {
        self.running = true;
        // The first frame after resuming only sets the reference point.
        self.last_frame_ms = None;
    }

    pub fn pause(&mut self) {
        self.running = false;
        self.last_frame_ms = None;
    }

    pub fn toggle(&mut self) {
        if self.running {
            self.pause()
        } else {
            self.play()
        }
    }

    /// Holds the clock at `t`: where the engine actually got when it could
    /// not keep up with the speed, or where a single step took it.
    pub fn set_now(&mut self, t: SimTime) {
        self.now = t;
    }

    /// Back to time zero, keeping speed and play state.
    pub fn restart(&mut self) {
        self.now = SimTime::ZERO;
        self.last_frame_ms = None;
    }

    /// Called once per animation frame with its timestamp; returns the
    /// simulation time the engine should advance to.
    pub fn tick(&mut self, frame_ms: f64) -> SimTime {
        let speed = self.speed;
        self.tick_with(frame_ms, |t_s, dt_s| t_s + dt_s * speed)
    }

    /// [`tick`](Self::tick) with a playback schedule: `advance(now_s,
    /// dt_wall_s)` says where the frame's wall time gets to (slow motion).
    pub fn tick_with(&mut self, frame_ms: f64, advance: impl FnOnce(f64, f64) -> f64) -> SimTime {
        if !self.running || !frame_ms.is_finite() {
            return self.now;
        }
        if let Some(last) = self.last_frame_ms {
            let dt_ms = (frame_ms - last).clamp(0.0, MAX_FRAME_DT_MS);
            let now_s = self.now.as_secs_f64();
            let to = advance(now_s, dt_ms / 1_000.0).max(now_s);
            self.now += SimDuration::from_secs_f64(to - now_s);
        }
        self.last_frame_ms = Some(frame_ms);
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_by_dt_times_speed() {
        let mut c = SimClock::new(10.0);
        assert_eq!(
            c.tick(1_000.0),
            SimTime::ZERO,
            "first frame is the reference"
        );
        assert_eq!(c.tick(1_016.0).as_micros(), 160_000);
        c.set_speed(100.0);
        assert_eq!(c.tick(1_032.0).as_micros(), 160_000 + 1_600_000);
    }

    #[test]
    fn pause_stops_time_and_resume_does_not_jump() {
        let mut c = SimClock::new(1.0);
        c.tick(0.0);
        c.tick(100.0);
        c.pause();
        assert_eq!(c.tick(5_000.0).as_micros(), 100_000);
        c.play();
        assert_eq!(c.tick(9_000.0).as_micros(), 100_000);
        assert_eq!(c.tick(9_010.0).as_micros(), 110_000);
    }

    #[test]
    fn long_gaps_are_clamped_and_time_never_goes_back() {
        let mut c = SimClock::new(1.0);
        c.tick(0.0);
        assert_eq!(c.tick(60_000.0).as_micros(), 250_000);
        assert_eq!(
            c.tick(59_000.0).as_micros(),
            250_000,
            "a clock going back adds nothing"
        );
        assert_eq!(c.tick(f64::NAN).as_micros(), 250_000);
    }

    #[test]
    fn a_schedule_sets_the_pace() {
        let mut c = SimClock::new(100.0);
        c.tick_with(0.0, |_, _| unreachable!("the first frame is the reference"));
        // 10× instead of 100× (slow motion).
        assert_eq!(
            c.tick_with(100.0, |t, dt| t + dt * 10.0).as_micros(),
            1_000_000
        );
        // Never backwards.
        assert_eq!(c.tick_with(200.0, |_, _| 0.0).as_micros(), 1_000_000);
    }

    #[test]
    fn speed_is_clamped() {
        let mut c = SimClock::new(0.0);
        assert_eq!(c.speed(), MIN_SPEED);
        c.set_speed(1e9);
        assert_eq!(c.speed(), MAX_SPEED);
        c.set_speed(f64::NAN);
        assert_eq!(c.speed(), MAX_SPEED);
        c.set_now(SimTime::from_micros(5));
        assert_eq!(c.now().as_micros(), 5);
        c.restart();
        assert_eq!(c.now(), SimTime::ZERO);
    }
}
