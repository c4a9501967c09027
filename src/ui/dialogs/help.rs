//! The help overlay: the keyboard shortcuts of presenter mode, listed in
//! a dialog over the page.

use crate::ui::controls::presenter::KEYS;
use yew::prelude::*;

/// Properties of [`HelpOverlay`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

/// The list of keys, over the page.
#[function_component(HelpOverlay)]
pub fn help_overlay(props: &HelpProps) -> Html {
    let keys = html! {
        <>
            <table class="keys">
                { for KEYS.iter().map(|(_, label, what, _)| html! {
                    <tr><td><kbd>{ *label }</kbd></td><td>{ *what }</td></tr>
                }) }
            </table>
            <p class="muted">{ "They work in full screen too, and never while you type in a field." }</p>
            <button id="help-close" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
        </>
    };
    super::dialog::dialog("help", "help-title", "Keyboard shortcuts", keys)
}
