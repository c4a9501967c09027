//! The transport controls: play/pause, single step, restart (same seed),
//! new seed, the speed slider on a log scale (1×–10,000×) with the speed
//! actually achieved, and the simulated clock, always visible. On a phone
//! the sticky bar holds only the essentials (play/pause, step, the clock and
//! the speed) and the rest follows the stage, which has the first screen.

use crate::common::format::speed as fmt_speed;
use crate::engine::time::SimTime;
use crate::ui::view_model::clock::{MAX_SPEED, MIN_SPEED};
use crate::ui::view_model::layout::use_narrow;
use yew::prelude::*;

/// Slider position (0–4, log10 of the speed) to speed; snaps to the nearest
/// power of ten when within 0.04 of it.
pub fn speed_from_slider(v: f64) -> f64 {
    let v = if v.is_finite() {
        v.clamp(0.0, 4.0)
    } else {
        0.0
    };
    let snapped = if (v - v.round()).abs() < 0.04 {
        v.round()
    } else {
        v
    };
    let s = 10f64.powf(snapped);
    // Round to 2 significant figures for a readable speed.
    let mag = 10f64.powf(s.log10().floor() - 1.0);
    ((s / mag).round() * mag).clamp(MIN_SPEED, MAX_SPEED)
}

/// Speed to slider position.
pub fn slider_from_speed(s: f64) -> f64 {
    s.clamp(MIN_SPEED, MAX_SPEED).log10()
}

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Whether time is running.
    pub running: bool,
    /// Chosen speed [× real time].
    pub speed: f64,
    /// Speed actually achieved when the engine cannot keep up [× real time].
    pub achieved: Option<f64>,
    /// Simulated time now.
    pub now: SimTime,
    /// End of the run.
    pub end: SimTime,
    /// The run's seed.
    pub seed: u64,
    /// Play or pause.
    pub on_toggle: Callback<()>,
    /// Process one event.
    pub on_step: Callback<()>,
    /// Back to time zero, same seed.
    pub on_restart: Callback<()>,
    /// Back to time zero with a new seed.
    pub on_new_seed: Callback<()>,
    /// A new speed [× real time].
    pub on_speed: Callback<f64>,
    /// The phone's further controls (restart, new seed, the speed slider),
    /// which follow the stage there; nothing on a wider screen, where the
    /// toolbar holds them all.
    #[prop_or_default]
    pub more: bool,
}

/// The toolbar.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let cb = |c: &Callback<()>| {
        let c = c.clone();
        Callback::from(move |_: MouseEvent| c.emit(()))
    };
    let on_input = {
        let c = props.on_speed.clone();
        Callback::from(move |e: InputEvent| {
            let el: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(v) = crate::common::format::parse_f64(&el.value()) {
                c.emit(speed_from_slider(v));
            }
        })
    };
    let narrow = use_narrow();
    // A phone's further controls follow the stage (see `more`); a wider
    // screen's toolbar holds them all.
    if props.more && !narrow {
        return Html::default();
    }
    let restart = html! {
        <button id="restart" onclick={cb(&props.on_restart)} title="Back to 0 with the same seed">{ "↺ Restart" }</button>
    };
    let new_seed = html! {
        <button id="new-seed" onclick={cb(&props.on_new_seed)} title="Back to 0 with a new random seed">
            { "⚄ New seed" }
        </button>
    };
    let slider = html! {
        <input id="speed" type="range" min="0" max="4" step="0.01"
               value={format!("{:.2}", slider_from_speed(props.speed))}
               aria-valuetext={fmt_speed(props.speed)} oninput={on_input} />
    };
    let seed = html! {
        <span class="clock-label" id="seed">{ format!("seed {}", props.seed) }</span>
    };
    if props.more {
        return html! {
            <section class="toolbar-more" aria-label="More simulation controls">
                { restart }
                { new_seed }
                { seed }
                <span class="speed-control">
                    <label for="speed">{ "Speed" }</label>
                    { slider }
                </span>
            </section>
        };
    }
    let finished = props.now >= props.end;
    let speed_text = match props.achieved {
        Some(a) => format!("{} of {}", fmt_speed(a), fmt_speed(props.speed)),
        None => fmt_speed(props.speed),
    };
    let play = html! {
        <button id="play-toggle" class="primary" aria-pressed={(!props.running).to_string()}
                aria-label={if props.running { "Pause" } else { "Play" }}
                onclick={cb(&props.on_toggle)}>
            { if props.running { "❚❚ Pause" } else if finished { "↺ Replay" } else { "▶ Play" } }
        </button>
    };
    let step = html! {
        <button id="step" onclick={cb(&props.on_step)} disabled={props.running || finished}
                title="Process the next event (while paused)">{ "Step →" }</button>
    };
    let speed_value = html! {
        <output id="speed-value" for="speed" class={classes!(props.achieved.is_some().then_some("lagging"))}>
            { speed_text }
        </output>
    };
    let now = props.now.to_string();
    // Past a day the clock has a day count in front: the phone's bar draws
    // it smaller, to keep to one row.
    let long = (now.len() > 12).then_some("long");
    let clock = html! {
        <output id="sim-clock" class={classes!(long)} aria-live="off">{ now }</output>
    };
    if narrow {
        // A phone: one sticky row of the essentials (play/pause, step, the
        // simulated clock and the speed), small enough to leave the first
        // screen to the stage; the rest follows the stage (`more`).
        return html! {
            <section class="toolbar compact" aria-label="Simulation controls">
                { play }
                { step }
                <span class="clock">
                    <span class="visually-hidden">{ "simulated time" }</span>
                    { clock }
                    <span class="speed-now"><span class="visually-hidden">{ "speed" }</span>{ speed_value }</span>
                </span>
            </section>
        };
    }
    html! {
        <section class="toolbar" aria-label="Simulation controls">
            { play }
            { step }
            { restart }
            { new_seed }
            <span class="speed-control">
                <label for="speed">{ "Speed" }</label>
                { slider }
                { speed_value }
            </span>
            <span class="clock">
                <span class="clock-label">{ "simulated time" }</span>
                { clock }
                { seed }
            </span>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_is_logarithmic_and_snaps() {
        assert_eq!(speed_from_slider(0.0), 1.0);
        assert_eq!(speed_from_slider(2.0), 100.0);
        assert_eq!(speed_from_slider(2.03), 100.0);
        assert_eq!(speed_from_slider(4.0), 10_000.0);
        assert_eq!(speed_from_slider(9.0), 10_000.0);
        assert_eq!(speed_from_slider(f64::NAN), 1.0);
        assert_eq!(speed_from_slider(3.5), 3_200.0);
        for s in [1.0, 10.0, 100.0, 1_000.0, 10_000.0] {
            assert_eq!(speed_from_slider(slider_from_speed(s)), s);
        }
    }
}
