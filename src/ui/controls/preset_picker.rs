//! The preset picker: a select of [`PRESETS`] and the loaded preset's
//! takeaway (the presets themselves are data, in `common::presets`).

use crate::common::presets::PRESETS;
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
