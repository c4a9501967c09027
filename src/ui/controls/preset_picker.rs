//! The preset picker: a select of [`PRESETS`] and the loaded preset's
//! takeaway (the presets themselves are data, in `common::presets`).

use crate::common::presets::{concept_of, index_of, Concept, CONCEPTS, PRESETS};
use yew::prelude::*;

/// Properties of [`PresetPicker`].
#[derive(Properties, PartialEq)]
pub struct PresetPickerProps {
    /// Index into [`PRESETS`] of the loaded preset; None after an edit.
    pub selected: Option<usize>,
    /// Called with the index of the preset chosen.
    pub on_pick: Callback<usize>,
}

/// The preset picker and the takeaway caption of the loaded preset.
#[function_component(PresetPicker)]
pub fn preset_picker(props: &PresetPickerProps) -> Html {
    let on_change = {
        let cb = props.on_pick.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = select.value().parse::<usize>() {
                cb.emit(i);
            }
        })
    };
    let caption = props
        .selected
        .and_then(|i| PRESETS.get(i))
        .map_or("Edited scenario: your changes to a preset.", |p| p.takeaway);
    html! {
        <section class="presets" aria-label="Presets">
            <label for="preset">{ "Preset" }</label>
            <select id="preset" onchange={on_change}>
                if props.selected.is_none() {
                    <option value="" selected=true disabled=true>{ "(edited)" }</option>
                }
                { for PRESETS.iter().enumerate().map(|(i, p)| html! {
                    <option value={i.to_string()} selected={props.selected == Some(i)}>{ p.title }</option>
                }) }
            </select>
            <p class="takeaway" id="takeaway" data-testid="takeaway">{ caption }</p>
        </section>
    }
}

/// The storage key that says the page was visited before.
const VISITED_KEY: &str = "fanout-visited";

/// Whether this is a first visit: no state in the link and no earlier
/// visit noted in localStorage (which it then notes). Storage that is
/// unavailable (blocked, private mode) counts as no earlier visit and
/// changes nothing else.
fn is_first_visit() -> bool {
    use wasm_bindgen::JsCast;
    if !crate::ui::web::fragment().is_empty() {
        return false;
    }
    let Some(w) = web_sys::window() else {
        return false;
    };
    let storage = js_sys::Reflect::get(&w, &"localStorage".into()).ok();
    let call = |name: &str, args: &js_sys::Array| -> Option<wasm_bindgen::JsValue> {
        let s = storage.as_ref().filter(|s| s.is_object())?;
        let f = js_sys::Reflect::get(s, &name.into()).ok()?;
        f.dyn_ref::<js_sys::Function>()?.apply(s, args).ok()
    };
    let key = wasm_bindgen::JsValue::from_str(VISITED_KEY);
    let seen = call("getItem", &js_sys::Array::of1(&key)).is_some_and(|v| !v.is_null());
    if !seen {
        call("setItem", &js_sys::Array::of2(&key, &"1".into()));
    }
    !seen
}

thread_local! {
    /// Whether this page load is a first visit (asked once: asking notes
    /// the visit).
    static FIRST_VISIT: bool = is_first_visit();
}

/// Whether this page load is a first visit (no link state, nothing
/// stored): the tour is then the main call to action.
pub fn first_visit() -> bool {
    FIRST_VISIT.with(|f| *f)
}

/// Closes the concepts panel (a `<details>`) a click came from.
fn close_panel(e: &MouseEvent) {
    let el: Option<web_sys::Element> = e.target_dyn_into();
    if let Some(d) = el.and_then(|el| el.closest("details").ok().flatten()) {
        let _ = d.remove_attribute("open");
    }
}

/// The "Concepts" panel (a `<details>`: the browser keeps it open or
/// closed): one card per course concept (its name, its takeaway; it loads
/// the preset that shows it), then the other scenarios (the title bar's
/// tour button leads on a first visit). `selected` is the loaded preset's index.
pub fn concept_cards(selected: Option<usize>, on_pick: &Callback<usize>) -> Html {
    let pick = |i: usize| {
        let cb = on_pick.clone();
        Callback::from(move |e: MouseEvent| {
            close_panel(&e);
            cb.emit(i);
        })
    };
    let card = |c: &Concept| {
        let i = index_of(c.preset)?;
        let current = (selected == Some(i)).then_some("current");
        Some(html! {
            <li><button class={classes!("concept", current)} data-preset={c.preset} onclick={pick(i)}>
                <strong>{ c.name }</strong>
                <span>{ c.takeaway }</span>
            </button></li>
        })
    };
    let more = PRESETS
        .iter()
        .enumerate()
        .filter(|(i, _)| concept_of(*i).is_none())
        .map(|(i, s)| html! {
            <li><button class="more" data-preset={s.id} title={s.takeaway} onclick={pick(i)}>{ s.title }</button></li>
        });
    html! {
        <div class="concepts">
            <details id="concepts-panel" class="concepts-panel">
                <summary id="concepts-open">{ "Concepts" }</summary>
                <div class="concepts-pop">
                    <ul class="concept-cards" aria-label="Course concepts">{ for CONCEPTS.iter().filter_map(card) }</ul>
                    <p class="more-title">{ "More scenarios" }</p>
                    <ul class="more-scenarios">{ for more }</ul>
                </div>
            </details>
        </div>
    }
}
