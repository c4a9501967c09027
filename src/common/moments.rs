//! The run's moments: the marked events of a scenario (traffic steps and
//! bursts, scheduled firings, patch windows, injected failures, scheduled
//! scaling, provisioned-concurrency changes, the timeout wall that
//! invocations will reach) and of the run itself (the first throttle,
//! timeout, 504, page, DLQ message … as the engine reports them), the
//! slow-motion schedule around them, and where a preset starts so that its
//! key moment comes within seconds of playback.
//!
//! Everything here is computed from the scenario and the engine's
//! happenings, never written per preset. Pure: tested natively.

use crate::engine::dist::Distribution;
use crate::engine::happening::{Happening, HappeningKind, Side};
use crate::engine::scenario::ec2::Failure;
use crate::engine::scenario::sources::Pattern;
use crate::engine::scenario::Scenario;

/// What a marker marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// A source's rate rises (a step up or a burst).
    TrafficUp,
    /// A source's rate falls.
    TrafficDown,
    /// A scheduled source fires.
    Schedule,
    /// The busiest or quietest hour of a daily cycle.
    Cycle,
    /// Provisioned concurrency changes.
    Provisioned,
    /// An EC2 patch run starts.
    Patch,
    /// An injected failure (an instance or a zone).
    Failure,
    /// A scheduled EC2 scaling action.
    Scaling,
    /// Invocations reach the function's timeout (the 15-minute wall).
    Wall,
    // From the run (the engine's happenings), the first of each:
    /// A cold start.
    ColdStart,
    /// A throttle (HTTP 429).
    Throttle,
    /// An invocation killed at its timeout.
    Timeout,
    /// API Gateway's HTTP 504.
    GatewayTimeout,
    /// The load balancer's HTTP 503.
    Refused,
    /// An instance failed.
    InstanceFailed,
    /// An instance taken out of service for patching.
    Patching,
    /// The on-call operator paged.
    Paged,
    /// A message moved to the dead-letter queue.
    Dlq,
}

impl MarkKind {
    /// Its name in the page's data attributes.
    pub fn name(self) -> &'static str {
        use MarkKind::*;
        match self {
            TrafficUp => "traffic-up",
            TrafficDown => "traffic-down",
            Schedule => "schedule",
            Cycle => "cycle",
            Provisioned => "provisioned",
            Patch => "patch",
            Failure => "failure",
            Scaling => "scaling",
            Wall => "wall",
            ColdStart => "cold-start",
            Throttle => "throttle",
            Timeout => "timeout",
            GatewayTimeout => "504",
            Refused => "503",
            InstanceFailed => "instance-failed",
            Patching => "patching",
            Paged => "paged",
            Dlq => "dlq",
        }
    }

    /// Whether it comes from the run (a happening) rather than the scenario.
    pub fn from_run(self) -> bool {
        RUN_KINDS.iter().any(|(_, k, _)| *k == self)
    }
}

/// A marked moment of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// When [s since start].
    pub t_s: f64,
    pub kind: MarkKind,
    /// A few words: "traffic rises to 12,000/s", "15-minute limit".
    pub label: String,
}

/// A rate as read: whole numbers without decimals.
fn rate(x: f64) -> String {
    if x.fract() == 0.0 && x < 1e15 {
        crate::common::format::count(x as u64)
    } else {
        crate::common::format::num(x)
    }
}

/// At most this many markers from one repeating pattern.
const MAX_REPEATS: usize = 12;

/// The scenario's markers within its run, in time order.
pub fn scenario_markers(s: &Scenario) -> Vec<Marker> {
    let end = s.duration_s;
    let mut out = Vec::new();
    let mut push = |t_s: f64, kind, label: String| {
        if t_s > 0.0 && t_s < end {
            out.push(Marker { t_s, kind, label });
        }
    };
    let f = &s.function;
    let min_ms = match f.duration {
        Distribution::Fixed { ms } => ms,
        Distribution::Uniform { min_ms, .. } => min_ms,
        _ => 0.0,
    };
    // Every invocation runs into the timeout: each arrival meets the wall.
    let wall = min_ms >= f.timeout_s * 1_000.0;
    let wall_label = if f.timeout_s == 900.0 {
        "15-minute limit".to_string()
    } else {
        format!("{} s timeout", f.timeout_s)
    };
    for src in &s.sources {
        let mut arrivals = Vec::new();
        match &src.pattern {
            Pattern::Steps { steps, .. } => {
                let mut prev = 0.0;
                for st in steps {
                    let (kind, word) = if st.rate_per_s > prev {
                        (MarkKind::TrafficUp, "rises")
                    } else {
                        (MarkKind::TrafficDown, "falls")
                    };
                    if st.rate_per_s != prev {
                        let r = rate(st.rate_per_s);
                        push(st.at_s, kind, format!("traffic {word} to {r}/s"));
                    }
                    prev = st.rate_per_s;
                }
            }
            Pattern::Bursts { bursts } => {
                for b in bursts.iter().take(MAX_REPEATS) {
                    let n = crate::common::format::count(b.count);
                    push(b.at_s, MarkKind::TrafficUp, format!("burst of {n}"));
                    arrivals.push(b.at_s);
                }
            }
            Pattern::Every {
                interval_s,
                start_s,
            } if *interval_s >= 60.0 => {
                let name = if src.name.is_empty() {
                    "schedule"
                } else {
                    &src.name
                };
                for k in 0..MAX_REPEATS {
                    let t = start_s + k as f64 * interval_s;
                    push(t, MarkKind::Schedule, format!("{name} fires"));
                    arrivals.push(t);
                }
            }
            Pattern::DailyCycle {
                peak_hour,
                period_h,
                ..
            } if *period_h > 0.0 => {
                let p = period_h * 3_600.0;
                // Within the first period (`rem_euclid` would bring libm's fmod).
                let first = |t: f64| t - (t / p).floor() * p;
                for k in 0..MAX_REPEATS {
                    let peak = first(peak_hour * 3_600.0) + k as f64 * p;
                    push(peak, MarkKind::Cycle, "busiest hour".into());
                    let low = first(peak_hour * 3_600.0 + p / 2.0) + k as f64 * p;
                    push(low, MarkKind::Cycle, "quietest hour".into());
                }
            }
            _ => {}
        }
        if wall {
            for a in arrivals {
                push(a + f.timeout_s, MarkKind::Wall, wall_label.clone());
            }
        }
    }
    for p in &f.provisioned {
        let label = if p.level == 0 {
            "provisioned concurrency off".to_string()
        } else {
            format!("provisioned concurrency {}", p.level)
        };
        push(p.at_s, MarkKind::Provisioned, label);
    }
    if let Some(e) = &s.ec2 {
        if let Some(p) = &e.patching {
            let every = p.every_days * 86_400.0;
            for k in 0..MAX_REPEATS {
                push(
                    p.first_at_s + k as f64 * every,
                    MarkKind::Patch,
                    "patching starts".into(),
                );
            }
        }
        for fl in &e.failures {
            let label = match fl {
                Failure::InstanceCrash { .. } => "instance fails",
                Failure::AzOutage { .. } => "AZ outage",
            };
            push(fl.at_s(), MarkKind::Failure, label.into());
        }
        if let Some(a) = &e.auto_scaling {
            for sc in &a.scheduled {
                let label = match sc.desired {
                    Some(d) => format!("scheduled scaling to {d}"),
                    None => "scheduled scaling".to_string(),
                };
                push(sc.at_s, MarkKind::Scaling, label);
            }
        }
    }
    by_time(out)
}

/// Markers in time order (by insertion: a few dozen at most, and no
/// sort's code in the bundle).
fn by_time(v: Vec<Marker>) -> Vec<Marker> {
    let mut out: Vec<Marker> = Vec::with_capacity(v.len());
    for m in v {
        let i = out.partition_point(|x| x.t_s <= m.t_s);
        out.insert(i, m);
    }
    out
}

/// The happenings that mark the run, the first of each: side, kind, label.
const RUN_KINDS: [(Side, MarkKind, &str); 9] = [
    (Side::Lambda, MarkKind::ColdStart, "first cold start"),
    (Side::Lambda, MarkKind::Throttle, "first throttle (429)"),
    (Side::Lambda, MarkKind::Timeout, "first timeout"),
    (Side::Lambda, MarkKind::GatewayTimeout, "first 504"),
    (Side::Ec2, MarkKind::Refused, "first 503"),
    (Side::Ec2, MarkKind::InstanceFailed, "instance failed"),
    (Side::Ec2, MarkKind::Patching, "instance out for patching"),
    (Side::Ec2, MarkKind::Paged, "operator paged"),
    (Side::Lambda, MarkKind::Dlq, "first message to the DLQ"),
];

/// The marker kind of a happening, if it marks the run.
fn run_kind(h: &Happening) -> Option<usize> {
    use HappeningKind as H;
    let k = match (h.side, h.kind) {
        (Side::Lambda, H::ColdStart) => MarkKind::ColdStart,
        (Side::Lambda, H::Throttled | H::ThrottledRate) => MarkKind::Throttle,
        (Side::Lambda, H::TimedOut) => MarkKind::Timeout,
        (Side::Lambda, H::GatewayTimeout) => MarkKind::GatewayTimeout,
        (Side::Lambda, H::ToDlq) => MarkKind::Dlq,
        (Side::Ec2, H::Throttled) => MarkKind::Refused,
        (Side::Ec2, H::InstanceFailed) => MarkKind::InstanceFailed,
        (Side::Ec2, H::PatchStarted) => MarkKind::Patching,
        (Side::Ec2, H::Paged) => MarkKind::Paged,
        _ => return None,
    };
    RUN_KINDS.iter().position(|(_, m, _)| *m == k)
}

/// The first happening of each marking kind seen so far [s since start].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Firsts {
    at: [Option<f64>; RUN_KINDS.len()],
    /// How many kinds have been seen (a change redraws the timeline).
    pub seen: usize,
}

impl Firsts {
    /// Notes a frame's happenings (in time order).
    pub fn note(&mut self, happenings: &[Happening]) {
        for h in happenings {
            if let Some(i) = run_kind(h) {
                if self.at[i].is_none() {
                    self.at[i] = Some(h.at.as_secs_f64());
                    self.seen += 1;
                }
            }
        }
    }

    /// The run's markers so far, in time order.
    pub fn markers(&self, timeout_s: f64) -> Vec<Marker> {
        let out: Vec<Marker> = RUN_KINDS
            .iter()
            .zip(self.at)
            .filter_map(|((_, kind, label), t)| {
                let label = if *kind == MarkKind::Timeout && timeout_s == 900.0 {
                    "stopped at 15:00"
                } else {
                    label
                };
                t.map(|t_s| Marker {
                    t_s,
                    kind: *kind,
                    label: label.to_string(),
                })
            })
            .collect();
        by_time(out)
    }
}

/// Wall seconds of each slow-motion level before a marker.
pub const PRE_WALL_S: f64 = 1.0;
/// Wall seconds of each slow-motion level after a marker.
pub const POST_WALL_S: f64 = 1.5;
/// Each level is this many times slower than the one above it.
const LEVEL_STEP: f64 = 10.0;
/// The slowest level is the speed divided by this (never under 1×).
const SLOWEST_DIV: f64 = 100.0;
/// Wall seconds of playback before a preset's key moment.
pub const LEAD_WALL_S: f64 = 3.5;

/// A stretch of simulated time played at one speed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// From [s since start].
    pub from_s: f64,
    /// To [s since start].
    pub to_s: f64,
    /// Speed [× real time].
    pub speed: f64,
}

/// The slow-motion levels under `speed`, fastest first: speed/10,
/// speed/100, never under 1× (none at 1×).
fn levels(speed: f64) -> Vec<f64> {
    let slowest = (speed / SLOWEST_DIV).max(1.0);
    let mut out = Vec::new();
    let mut v = speed / LEVEL_STEP;
    while v > slowest * 1.000_001 {
        out.push(v);
        v /= LEVEL_STEP;
    }
    if slowest < speed {
        out.push(slowest);
    }
    out
}

/// The playback schedule of a run of `end_s` at `speed` with slow motion
/// around the markers' times (but the first cold start): piecewise-constant speeds, in order,
/// covering 0 to `end_s`. Before a marker each level lasts
/// [`PRE_WALL_S`], after it [`POST_WALL_S`] (a marker of the run, known
/// only once it happened, slows what follows it only).
pub fn schedule(markers: &[Marker], speed: f64, end_s: f64) -> Vec<Segment> {
    // Windows: (from, to, speed).
    let mut windows = Vec::new();
    // The first cold start opens nearly every run: not worth slowing for.
    for m in markers.iter().filter(|m| m.kind != MarkKind::ColdStart) {
        for v in levels(speed) {
            let pre = if m.kind.from_run() {
                0.0
            } else {
                v * PRE_WALL_S
            };
            windows.push((m.t_s - pre, m.t_s + v * POST_WALL_S, v));
        }
    }
    let mut cuts: Vec<f64> = vec![0.0, end_s];
    for (a, b, _) in &windows {
        for c in [a.clamp(0.0, end_s), b.clamp(0.0, end_s)] {
            let i = cuts.partition_point(|x| *x < c);
            if cuts.get(i) != Some(&c) {
                cuts.insert(i, c);
            }
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let mid = (w[0] + w[1]) / 2.0;
        let v = windows
            .iter()
            .filter(|(a, b, _)| *a <= mid && mid < *b)
            .fold(speed, |acc, (_, _, v)| acc.min(*v));
        match out.last_mut() {
            Some(last) if last.speed == v => last.to_s = w[1],
            _ => out.push(Segment {
                from_s: w[0],
                to_s: w[1],
                speed: v,
            }),
        }
    }
    out
}

/// The speed at `t_s` under a schedule (`speed` outside it).
pub fn speed_at(segments: &[Segment], t_s: f64, speed: f64) -> f64 {
    segments
        .iter()
        .find(|s| s.from_s <= t_s && t_s < s.to_s)
        .map_or(speed, |s| s.speed)
}

/// Where `dt_wall_s` of playback from `t_s` gets to under a schedule.
pub fn advance(segments: &[Segment], t_s: f64, dt_wall_s: f64, speed: f64) -> f64 {
    let mut t = t_s;
    let mut left = dt_wall_s;
    for s in segments {
        if s.to_s <= t {
            continue;
        }
        let room = (s.to_s - t) / s.speed;
        if room >= left {
            return t + left * s.speed;
        }
        left -= room;
        t = s.to_s;
    }
    t + left * speed
}

/// Wall seconds of playback from `from_s` to `to_s` under a schedule.
pub fn wall_between(segments: &[Segment], from_s: f64, to_s: f64, speed: f64) -> f64 {
    let mut wall = 0.0;
    let mut t = from_s;
    for s in segments {
        if s.to_s <= t || s.from_s >= to_s {
            continue;
        }
        let a = t.max(s.from_s);
        let b = to_s.min(s.to_s);
        wall += (b - a) / s.speed;
        t = b;
    }
    wall + (to_s - t).max(0.0) / speed
}

/// The scenario marker a run's key moment follows: the first of `kind`,
/// or else the first failure, patch run, timeout wall or rise in traffic.
pub fn key_marker(markers: &[Marker], kind: Option<MarkKind>) -> Option<&Marker> {
    use MarkKind::*;
    match kind {
        Some(k) => markers.iter().find(|m| m.kind == k),
        None => markers
            .iter()
            .find(|m| matches!(m.kind, Failure | Patch | Wall | TrafficUp)),
    }
}

/// The scenario's kind that announces a kind of the run (the throttle
/// follows a rise in traffic, the timeout its wall); None when the run's
/// kind has no announcement (the preset starts at 0).
pub fn anchor_kind(k: MarkKind) -> Option<MarkKind> {
    use MarkKind::*;
    match k {
        Throttle | Refused => Some(TrafficUp),
        Timeout => Some(Wall),
        InstanceFailed | Paged => Some(Failure),
        Patching => Some(Patch),
        ColdStart | GatewayTimeout | Dlq => None,
        k => Some(k),
    }
}

/// Where a preset starts: [`LEAD_WALL_S`] of playback before its key
/// marker under the schedule, or at 0 when the key comes sooner.
pub fn start_s(segments: &[Segment], key_s: f64, speed: f64) -> f64 {
    let mut left = LEAD_WALL_S;
    let mut t = key_s;
    for s in segments.iter().rev() {
        if s.from_s >= t {
            continue;
        }
        let room = (t - s.from_s) / s.speed;
        if room >= left {
            return (t - left * s.speed).max(0.0);
        }
        left -= room;
        t = s.from_s;
    }
    (t - left * speed).max(0.0)
}

#[cfg(test)]
mod tests;

/// The run's moments as the app keeps them: the scenario's markers, the
/// run's so far, and the slow-motion schedule they make at a speed.
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    scenario: Vec<Marker>,
    /// Every marker, in time order.
    pub markers: std::rc::Rc<Vec<Marker>>,
    /// The slow-motion schedule (empty when switched off).
    pub segments: std::rc::Rc<Vec<Segment>>,
    /// Slow down around the markers.
    pub slow_motion: bool,
    /// Where the run was started [s] (a preset's lead before its moment).
    pub start_s: f64,
    seen: usize,
    speed: f64,
    end_s: f64,
    timeout_s: f64,
}

impl Moments {
    /// The moments of `s` played at `speed`.
    pub fn new(s: &Scenario, speed: f64, slow_motion: bool) -> Moments {
        let scenario = scenario_markers(s);
        let mut m = Moments {
            markers: std::rc::Rc::new(scenario.clone()),
            scenario,
            segments: Default::default(),
            slow_motion,
            start_s: 0.0,
            seen: 0,
            speed,
            end_s: s.duration_s,
            timeout_s: s.function.timeout_s,
        };
        m.reschedule();
        m
    }

    fn reschedule(&mut self) {
        self.segments = std::rc::Rc::new(if self.slow_motion {
            schedule(&self.markers, self.speed, self.end_s)
        } else {
            Vec::new()
        });
    }

    /// Takes the run's new markers and the speed; true when anything changed.
    pub fn update(&mut self, firsts: &Firsts, speed: f64, slow_motion: bool) -> bool {
        let same = (firsts.seen, speed, slow_motion) == (self.seen, self.speed, self.slow_motion);
        if same {
            return false;
        }
        if firsts.seen != self.seen {
            let mut all = self.scenario.clone();
            all.extend(firsts.markers(self.timeout_s));
            self.markers = std::rc::Rc::new(by_time(all));
            self.seen = firsts.seen;
        }
        self.speed = speed;
        self.slow_motion = slow_motion;
        self.reschedule();
        true
    }

    /// Where `dt_wall_s` of playback from `t_s` gets to.
    pub fn advance(&self, t_s: f64, dt_wall_s: f64) -> f64 {
        advance(&self.segments, t_s, dt_wall_s, self.speed)
    }

    /// The speed played at `t_s`.
    pub fn speed_at(&self, t_s: f64) -> f64 {
        speed_at(&self.segments, t_s, self.speed)
    }

    /// The next marker after `t_s` and the wall seconds of playback to it.
    pub fn next(&self, t_s: f64) -> Option<(&Marker, f64)> {
        let m = self.markers.iter().find(|m| m.t_s > t_s)?;
        Some((m, wall_between(&self.segments, t_s, m.t_s, self.speed)))
    }

    /// Where to start to watch the moment at `t_s` ([`LEAD_WALL_S`] before it).
    pub fn lead_in(&self, t_s: f64) -> f64 {
        start_s(&self.segments, t_s, self.speed)
    }
}
