//! Narration: the engine's happenings turned into short captions on the
//! stage ("cold start: a new environment initializes (450 ms)"), each
//! naming the cause and its number (read from the scenario and the
//! engine's snapshot, never written per preset), placed next to where it
//! happened, at most two at once, rate-limited in wall time so a flood of
//! happenings reads as one calm caption. Also the 15-minute wall: the
//! longest running invocation against Lambda's 900 s maximum ([`wall`]).

use crate::common::format::count;
use crate::engine::defaults::{
    LEGACY_ENVS_PER_MINUTE, SCALING_ENVS_PER_WINDOW, SCALING_WINDOW_S, TIMEOUT_MAX_S,
};
use crate::engine::happening::{Happening, HappeningKind as K, Side};
use crate::engine::lambda::EnvState;
use crate::engine::scenario::{ScalingModel, Scenario};
use crate::engine::sim::Snapshot;

/// How long a caption stays [ms of wall time] (it fades over its last third).
pub const LIFE_MS: f64 = 4_000.0;
/// Shortest wall time between two new captions \[ms\]: a more important
/// one may come sooner.
pub const GAP_MS: f64 = 1_500.0;
/// How long the same caption stays quiet after it was shown \[ms\].
pub const QUIET_MS: f64 = 8_000.0;
/// A caption waiting for its turn is dropped after this long \[ms\].
const STALE_MS: f64 = 2_500.0;
/// Captions on the stage at once.
pub const MAX_SHOWN: usize = 2;

/// Where a caption belongs on the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The Lambda panel.
    Lambda,
    /// An EC2 instance, by id.
    Instance(u64),
    /// The EC2 panel.
    Ec2,
    /// An event source, by index.
    Source(u32),
}

impl Anchor {
    /// The CSS selector of its element in the stage's SVG.
    pub fn selector(self) -> String {
        match self {
            Anchor::Lambda => "[data-testid=lambda-panel]".into(),
            Anchor::Ec2 => "[data-testid=ec2-panel]".into(),
            Anchor::Instance(id) => format!(".instance[data-id=\"{id}\"]"),
            Anchor::Source(i) => format!(".sources > g:nth-child({})", i + 1),
        }
    }
}

/// One caption.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    /// Distinct per caption shown in a run (a key for the component).
    pub id: u64,
    pub text: String,
    pub anchor: Anchor,
    /// Importance: a higher one may interrupt the gap.
    pub rank: u8,
    /// When it was shown (or, waiting, first seen) [ms of wall time].
    pub born_ms: f64,
}

/// The numbers the captions quote, from the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// Mean INIT duration \[ms\].
    init_ms: f64,
    /// The scaling-rate rule in words, if the account has one.
    scaling: Option<String>,
    /// Integration timeout of each source (API sources only) \[s\].
    gateway_s: Vec<Option<f64>>,
    /// Function timeout \[s\].
    timeout_s: f64,
    /// Health checks' time to notice a failure \[s\].
    detect_s: f64,
    /// The operator's response time \[s\].
    respond_s: f64,
}

impl Facts {
    pub fn new(s: &Scenario) -> Facts {
        let scaling = match s.account.scaling {
            ScalingModel::Current => Some(format!(
                "{} new environments per {SCALING_WINDOW_S} s",
                count(SCALING_ENVS_PER_WINDOW)
            )),
            ScalingModel::Legacy { .. } => Some(format!("+{LEGACY_ENVS_PER_MINUTE} per minute")),
            ScalingModel::Unlimited => None,
        };
        Facts {
            init_ms: s.function.init_duration.mean_ms(),
            scaling,
            gateway_s: s
                .sources
                .iter()
                .map(|src| src.api.as_ref().map(|a| a.timeout_s()))
                .collect(),
            timeout_s: s.function.timeout_s,
            detect_s: s.ec2.as_ref().map_or(0.0, |e| e.health_check.detection_s()),
            respond_s: s.ec2.as_ref().map_or(0.0, |e| e.operator.response_s),
        }
    }
}

/// A duration as read aloud: `450 ms`, `29 s`, `30 min`, `15:00`-free.
pub fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if s < 120.0 {
        format!("{} s", one_place(s))
    } else {
        format!("{} min", one_place(s / 60.0))
    }
}

/// `29`, `2.5`: one decimal place, none when it is zero.
fn one_place(x: f64) -> String {
    let tenths = (x * 10.0).round() as u64;
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The caption of one happening, with its rank, if it has one.
/// `snap` is the frame's snapshot (which limit a throttle hit; an
/// environment's real INIT).
pub fn caption_of(h: &Happening, f: &Facts, snap: &Snapshot) -> Option<(String, Anchor, u8)> {
    let l = &snap.lambda;
    let inst = |id: Option<u64>| id.map_or(Anchor::Ec2, Anchor::Instance);
    let src = |s: Option<u32>| s.map_or(Anchor::Lambda, Anchor::Source);
    Some(match (h.side, h.kind) {
        (Side::Lambda, K::ColdStart) => {
            let init_us = h
                .env
                .and_then(|id| l.environments.iter().find(|e| e.id == id))
                .map_or(0, |e| e.init_us);
            let ms = if init_us > 0 {
                init_us as f64 / 1e3
            } else {
                f.init_ms
            };
            (
                format!(
                    "cold start: a new environment initializes ({})",
                    secs(ms / 1e3)
                ),
                Anchor::Lambda,
                1,
            )
        }
        (Side::Lambda, K::Throttled) => {
            let at_limit = l.concurrency_in_use >= l.concurrency_limit;
            let text = match &f.scaling {
                Some(rule) if !at_limit => format!("throttled: scaling rate reached ({rule})"),
                _ => format!(
                    "throttled: concurrency limit ({})",
                    count(u64::from(l.concurrency_limit))
                ),
            };
            (text, Anchor::Lambda, 4)
        }
        (Side::Lambda, K::ThrottledRate) => (
            format!(
                "throttled: requests-per-second limit ({}/s)",
                count(l.request_rate_limit)
            ),
            Anchor::Lambda,
            4,
        ),
        (Side::Lambda, K::GatewayTimeout) => {
            let t = h
                .source
                .and_then(|s| f.gateway_s.get(s as usize).copied().flatten())?;
            (
                format!("API Gateway 504: integration timeout ({})", secs(t)),
                src(h.source),
                5,
            )
        }
        (Side::Lambda, K::TimedOut) => {
            let text = if f.timeout_s >= TIMEOUT_MAX_S {
                "stopped at 15:00: Lambda's maximum".to_owned()
            } else {
                format!("timed out: function timeout ({})", secs(f.timeout_s))
            };
            (text, Anchor::Lambda, 6)
        }
        (_, K::ToDlq) => ("moved to the dead-letter queue".into(), src(h.source), 3),
        (Side::Ec2, K::InstanceFailed) => (
            format!(
                "instance #{} failed; the health check notices in {}",
                h.env.unwrap_or(0),
                secs(f.detect_s)
            ),
            inst(h.env),
            8,
        ),
        (Side::Ec2, K::Paged) => (
            format!("on-call operator paged (responds in {})", secs(f.respond_s)),
            Anchor::Ec2,
            7,
        ),
        (Side::Ec2, K::PatchStarted) => (
            format!("patching instance #{}", h.env.unwrap_or(0)),
            inst(h.env),
            2,
        ),
        (Side::Ec2, K::InstanceReplaced) => (
            "Auto Scaling replaces the failed instance".into(),
            Anchor::Ec2,
            6,
        ),
        (Side::Ec2, K::ZoneDown) => (
            "Availability Zone down: its instances fail".into(),
            Anchor::Ec2,
            8,
        ),
        _ => return None,
    })
}

/// The captions now on the stage and the one waiting for its turn.
#[derive(Clone, Debug, Default)]
pub struct Narrator {
    shown: Vec<Caption>,
    waiting: Option<Caption>,
    /// Recently shown texts and when [ms].
    recent: Vec<(String, f64)>,
    last_ms: f64,
    next_id: u64,
    /// The last wall shown and when [ms].
    last_wall: Option<(Wall, f64)>,
    /// When a Lambda invocation last timed out [ms].
    timed_out_ms: Option<f64>,
}

impl Narrator {
    /// Reads one frame's happenings at wall time `now_ms`; shows at most
    /// one new caption (the most important, the latest among equals).
    pub fn observe(&mut self, happenings: &[Happening], f: &Facts, snap: &Snapshot, now_ms: f64) {
        self.shown.retain(|c| now_ms - c.born_ms < LIFE_MS);
        self.recent.retain(|(_, at)| now_ms - at < QUIET_MS);
        if self
            .waiting
            .as_ref()
            .is_some_and(|w| now_ms - w.born_ms > STALE_MS)
        {
            self.waiting = None;
        }
        // Latest first, one caption per kind of happening and side: a
        // frame of thousands formats a handful of texts.
        let mut seen = 0u64;
        let mut best: Option<Caption> = None;
        for h in happenings.iter().rev() {
            if h.kind == K::TimedOut && h.side == Side::Lambda {
                self.timed_out_ms = Some(now_ms);
            }
            let bit = 1u64 << ((h.kind as u32 * 2 + h.side as u32) % 64);
            if seen & bit != 0 {
                continue;
            }
            seen |= bit;
            let Some((text, anchor, rank)) = caption_of(h, f, snap) else {
                continue;
            };
            let quiet = self.recent.iter().any(|(t, _)| *t == text)
                || self.shown.iter().any(|c| c.text == text);
            if quiet || best.as_ref().is_some_and(|b| b.rank >= rank) {
                continue;
            }
            best = Some(Caption {
                id: 0,
                text,
                anchor,
                rank,
                born_ms: now_ms,
            });
        }
        if let Some(b) = best {
            if self.waiting.as_ref().is_none_or(|w| w.rank <= b.rank) {
                self.waiting = Some(b);
            }
        }
        let Some(w) = self.waiting.take() else {
            return;
        };
        let newest_rank = self.shown.last().map_or(0, |c| c.rank);
        if now_ms - self.last_ms < GAP_MS && w.rank <= newest_rank {
            self.waiting = Some(w);
            return;
        }
        self.next_id += 1;
        self.last_ms = now_ms;
        self.recent.push((w.text.clone(), now_ms));
        self.shown.push(Caption {
            id: self.next_id,
            born_ms: now_ms,
            ..w
        });
        if self.shown.len() > MAX_SHOWN {
            self.shown.remove(0);
        }
    }

    /// The wall now: the longest invocation running, or one stopped at
    /// its timeout within the last [`LIFE_MS`] (read after [`Self::observe`]).
    pub fn wall(&mut self, snap: &Snapshot, timeout_s: f64, now_ms: f64) -> Option<Wall> {
        if let Some(w) = Wall::of(snap, timeout_s) {
            self.last_wall = Some((w, now_ms));
            return Some(w);
        }
        let (w, seen) = self.last_wall?;
        match self.timed_out_ms {
            Some(t) if t >= seen && now_ms - t < LIFE_MS => Some(Wall {
                elapsed_s: w.timeout_s,
                stopped: true,
                ..w
            }),
            _ => {
                self.last_wall = None;
                None
            }
        }
    }

    /// The captions on the stage, oldest first, each with its age as a
    /// share of [`LIFE_MS`].
    pub fn shown(&self, now_ms: f64) -> Vec<(Caption, f64)> {
        self.shown
            .iter()
            .filter(|c| now_ms - c.born_ms < LIFE_MS)
            .map(|c| (c.clone(), (now_ms - c.born_ms) / LIFE_MS))
            .collect()
    }
}

/// The panel a tour step's text talks about: the side it names most
/// (Lambda on a tie), none when it names neither.
pub fn focus_of(text: &str) -> Option<Anchor> {
    let n = |words: &[&str]| -> usize { words.iter().map(|w| text.matches(w).count()).sum() };
    let lambda = n(&["Lambda", "function", "environment", "invocation", "timeout"]);
    let ec2 = n(&["EC2", "instance", "fleet"]);
    match (lambda, ec2) {
        (0, 0) => None,
        (l, e) if e > l => Some(Anchor::Ec2),
        _ => Some(Anchor::Lambda),
    }
}

/// The 15-minute wall: the longest invocation running now against
/// Lambda's maximum, and the function's own timeout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wall {
    /// How long the longest running invocation has run \[s\].
    pub elapsed_s: f64,
    /// The function's timeout \[s\] (at most the maximum).
    pub timeout_s: f64,
    stopped: bool,
}

/// Invocations shorter than this are not "long": no wall shown \[s\].
pub const WALL_FROM_S: f64 = 60.0;

impl Wall {
    /// The wall now, if an invocation has run at least [`WALL_FROM_S`].
    pub fn of(snap: &Snapshot, timeout_s: f64) -> Option<Wall> {
        let elapsed_s = snap
            .lambda
            .environments
            .iter()
            .filter(|e| e.state == EnvState::Busy)
            .filter_map(|e| e.busy_since)
            .map(|t| snap.at.since(t).as_secs_f64())
            .fold(0.0, f64::max);
        (elapsed_s >= WALL_FROM_S).then_some(Wall {
            elapsed_s,
            timeout_s: timeout_s.min(TIMEOUT_MAX_S),
            stopped: false,
        })
    }

    /// Whether it was stopped at the timeout (shown for a while after).
    pub fn stopped(self) -> bool {
        self.stopped
    }

    /// Share of the 15 minutes gone, 0–1.
    pub fn share(self) -> f64 {
        (self.elapsed_s / TIMEOUT_MAX_S).clamp(0.0, 1.0)
    }

    /// `12:34 of 15:00 max`, with the timeout when it is lower.
    pub fn text(self) -> String {
        let mmss = |s: f64| {
            let s = s.max(0.0) as u64;
            format!("{}:{:02}", s / 60, s % 60)
        };
        if self.stopped {
            return if self.timeout_s < TIMEOUT_MAX_S {
                format!("stopped at its timeout, {}", mmss(self.timeout_s))
            } else {
                "stopped at 15:00, Lambda's maximum".to_owned()
            };
        }
        let mut t = format!(
            "longest invocation {} of {} max",
            mmss(self.elapsed_s),
            mmss(TIMEOUT_MAX_S)
        );
        if self.timeout_s < TIMEOUT_MAX_S {
            t += &format!(" · timeout {}", mmss(self.timeout_s));
        }
        t
    }
}

#[cfg(test)]
mod tests;
