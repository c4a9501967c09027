//! The tour bar: the current step's caption and the tour's navigation (the
//! tour file's format and checks are in `common::tour`).

use yew::prelude::*;

/// Properties of [`TourBar`].
#[derive(Properties, PartialEq)]
pub struct TourBarProps {
    pub title: AttrValue,
    pub step: usize,
    pub steps: usize,
    pub step_title: AttrValue,
    pub caption: AttrValue,
    pub on_prev: Callback<()>,
    pub on_next: Callback<()>,
    pub on_close: Callback<()>,
}

/// The tour's caption bar with its step buttons.
#[function_component(TourBar)]
pub fn tour_bar(p: &TourBarProps) -> Html {
    let cb = |c: &Callback<()>| {
        let c = c.clone();
        Callback::from(move |_: MouseEvent| c.emit(()))
    };
    html! {
        <section class="tour tour-float" aria-label="Guided tour" aria-live="polite" data-testid="tour">
            <p class="tour-head">
                <span class="muted">{ format!("{} · step {} of {}", p.title, p.step + 1, p.steps) }</span>
                <strong id="tour-title">{ p.step_title.clone() }</strong>
            </p>
            <p class="tour-caption" id="tour-caption">{ p.caption.clone() }</p>
            <div class="tour-buttons">
                <button id="tour-prev" onclick={cb(&p.on_prev)} disabled={p.step == 0}>{ "← Previous" }</button>
                <button id="tour-next" onclick={cb(&p.on_next)} disabled={p.step + 1 >= p.steps}>{ "Next →" }</button>
                <button id="tour-close" onclick={cb(&p.on_close)}>{ "End tour" }</button>
            </div>
        </section>
    }
}
