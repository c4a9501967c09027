//! The timeline under the transport: the run's time axis with its marked
//! moments ([`crate::common::moments`]), where the run is, a countdown to
//! the next moment in seconds of playback (at the current speed, slow
//! motion included), and the slow-motion switch. A marker is a button:
//! it goes to a few seconds before its moment and plays it.
//!
//! Its data attributes (`data-speed`, `data-start`, `data-schedule`, each
//! marker's `data-kind` and `data-t`) let a test compute when a moment
//! comes in playback without racing the wall clock.

use crate::common::format::{clock_short, speed as speed_text};
use crate::common::moments::{wall_between, Moments};
use yew::prelude::*;

/// Wall seconds a passed moment stays named.
const NOW_WALL_S: f64 = 2.5;

/// What the timeline shows (a plain function rather than a component:
/// it redraws every frame anyway, and a component's machinery costs
/// bundle size).
pub struct TimelineProps<'a> {
    pub moments: &'a Moments,
    /// Simulated time now \[s\].
    pub now_s: f64,
    /// The run's end \[s\].
    pub end_s: f64,
    /// The chosen speed [× real time].
    pub speed: f64,
    /// The kind of the preset's key moment, if it shows a concept.
    pub key_kind: Option<&'static str>,
    /// Go to a few seconds before the moment at this instant \[s\].
    pub on_watch: Callback<f64>,
    /// Slow motion on or off.
    pub on_slow: Callback<bool>,
}

/// The timeline.
pub fn timeline(p: TimelineProps) -> Html {
    let m = p.moments;
    let end = p.end_s.max(1e-9);
    let pct = |t: f64| format!("{:.2}%", (t / end * 100.0).clamp(0.0, 100.0));
    let segs = &m.segments;
    let schedule: String = segs
        .iter()
        .map(|s| format!("{}:{}:{};", s.from_s, s.to_s, s.speed))
        .collect();
    let playing = m.speed_at(p.now_s);
    let slowed = m.slow_motion && playing < p.speed;
    let recent = m
        .markers
        .iter()
        .rev()
        .find(|k| k.t_s <= p.now_s && wall_between(segs, k.t_s, p.now_s, p.speed) < NOW_WALL_S);
    let text = match (recent, m.next(p.now_s)) {
        (Some(k), _) => format!("now: {}", k.label),
        (None, Some((k, wall))) => format!("{} in {}", k.label, clock_short(wall.ceil())),
        (None, None) => String::new(),
    };
    let marks = m.markers.iter().map(|k| {
        let t = k.t_s;
        let cb = p.on_watch.clone();
        // The title names the button (no aria-label twice over).
        let label = format!("{} at {}", k.label, clock_short(t));
        let run = k.kind.from_run().then_some("tl-run");
        let past = (t <= p.now_s).then_some("tl-past");
        html! {
            <button class={classes!("tl-mark", run, past)} style={format!("left:{}", pct(t))}
                    data-kind={k.kind.name()} data-t={t.to_string()} title={label} onclick={Callback::from(move |_| cb.emit(t))}></button>
        }
    });
    let on_slow = {
        let cb = p.on_slow.clone();
        let on = m.slow_motion;
        Callback::from(move |_| cb.emit(!on))
    };
    html! {
        <div class="timeline" data-testid="timeline" data-speed={p.speed.to_string()}
             data-start={m.start_s.to_string()} data-schedule={schedule}
             data-key={p.key_kind.unwrap_or_default()} data-slowed={slowed.to_string()}>
            <div class="tl-bar" role="group" aria-label="The run's moments">
                <div class="tl-done" style={format!("width:{}", pct(p.now_s))}></div>
                { for marks }
            </div>
            <p class="tl-next" data-testid="countdown">{ text }</p>
            <button class={classes!("tl-slow", slowed.then_some("tl-slowed"))} aria-pressed={m.slow_motion.to_string()}
                    title="Slow down around the run's moments" onclick={on_slow}>
                { if slowed { format!("slow motion {}", speed_text(playing)) } else { "slow motion".into() } }
            </button>
        </div>
    }
}
