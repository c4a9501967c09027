//! Fast-forward ("skip ahead" by an hour or a day of simulated time), done
//! in per-frame slices: each animation frame advances the engine within the
//! same wall-time budget as normal play ([`crate::ui::view_model::budget`]), so the page
//! keeps drawing and answering; a progress bar shows how far it got and
//! Cancel stops it where it is.
//!
//! Why slices and not a Web Worker: the engine state lives in the page's
//! wasm instance and the stage draws it every frame. A worker would need a
//! second wasm build with its own entry point (Trunk's worker support) and
//! the whole simulation state shipped back after it; the budgeted
//! loop the app already has does the job with no extra bundle.

use crate::common::format::clock_short;
use crate::engine::time::{SimDuration, SimTime};
use yew::prelude::*;

/// The fast-forwards offered: label and simulated duration \[s\].
pub const DURATIONS: [(&str, u64); 2] = [("+1 h", 3_600), ("+1 day", 86_400)];

/// A fast-forward in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastForward {
    /// Where it started.
    pub from: SimTime,
    /// Where it stops (never past the run's end).
    pub to: SimTime,
    /// Whether time was running before (it runs again when the fast-forward
    /// ends).
    pub resume: bool,
}

impl FastForward {
    /// A fast-forward by `by` from `now`, stopping at `end`; `None` when there is
    /// nothing left to fast-forward.
    pub fn new(now: SimTime, by: SimDuration, end: SimTime, resume: bool) -> Option<FastForward> {
        let to = SimTime::from_micros(now.as_micros().saturating_add(by.as_micros())).min(end);
        (to > now).then_some(FastForward {
            from: now,
            to,
            resume,
        })
    }

    /// Fraction done at `now`, 0–1.
    pub fn progress(&self, now: SimTime) -> f64 {
        let total = self.to.since(self.from).as_micros() as f64;
        if total <= 0.0 {
            return 1.0;
        }
        (now.since(self.from).as_micros() as f64 / total).clamp(0.0, 1.0)
    }
}

/// Properties of [`FastForwardBar`].
#[derive(Properties, PartialEq)]
pub struct FastForwardProps {
    /// The fast-forward in progress, if any.
    pub active: Option<FastForward>,
    /// Simulated time now.
    pub now: SimTime,
    /// End of the run.
    pub end: SimTime,
    /// Start a fast-forward by this many simulated seconds.
    pub on_fast_forward: Callback<u64>,
    /// Stop the fast-forward where it is.
    pub on_cancel: Callback<()>,
}

/// The fast-forward buttons, or the progress bar and Cancel while skipping.
#[function_component(FastForwardBar)]
pub fn fast_forward_bar(props: &FastForwardProps) -> Html {
    match props.active {
        Some(active) => {
            let p = active.progress(props.now);
            let pct = format!("{:.0}", p * 100.0);
            let cancel = props.on_cancel.reform(|_: MouseEvent| ());
            html! {
                <div class="ff ff-active" data-testid="fast-forward">
                    <label for="ff-progress">
                        { format!("Skipping to {}", clock_short(active.to.as_secs_f64())) }
                    </label>
                    <progress id="ff-progress" max="100" value={pct.clone()}
                              aria-valuetext={format!("{pct} % done")}>{ format!("{pct} %") }</progress>
                    <span class="ff-pct" aria-hidden="true">{ format!("{pct} %") }</span>
                    <button id="ff-cancel" onclick={cancel}>{ "Cancel" }</button>
                </div>
            }
        }
        None => {
            let at_end = props.now >= props.end;
            html! {
                <div class="ff" data-testid="fast-forward" role="group" aria-label="Skip ahead in simulated time">
                    <span class="ff-label">{ "Skip ahead" }</span>
                    { for DURATIONS.iter().map(|&(label, secs)| {
                        let on_click = props.on_fast_forward.reform(move |_: MouseEvent| secs);
                        html! {
                            <button class="ff-skip" data-skip={secs.to_string()} disabled={at_end}
                                    title={format!("Run {label} of simulated time as fast as the page allows (stops at the end of the run)")}
                                    onclick={on_click}>{ label }</button>
                        }
                    }) }
                </div>
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_forwards_stop_at_the_end_and_report_progress() {
        let end = SimTime::from_micros(5_400_000_000);
        let now = SimTime::from_micros(3_600_000_000);
        let active = FastForward::new(now, SimDuration::from_hours(1), end, true).unwrap();
        assert_eq!(active.to, end, "never past the run's end");
        assert_eq!(active.progress(now), 0.0);
        assert_eq!(active.progress(SimTime::from_micros(4_500_000_000)), 0.5);
        assert_eq!(active.progress(end), 1.0);
        assert!(FastForward::new(end, SimDuration::from_hours(1), end, false).is_none());
    }
}
