//! The modal dialog over the page that the help overlay and the "Embed"
//! dialog share: one markup, one set of ARIA attributes.

use yew::prelude::*;

/// A modal dialog: the overlay carries `id`, its heading `title_id` (which
/// names the dialog for assistive technology), then `body`.
pub fn dialog(id: &'static str, title_id: &'static str, title: &'static str, body: Html) -> Html {
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby={title_id} {id}>
            <div class="dialog">
                <h2 id={title_id}>{ title }</h2>
                { body }
            </div>
        </div>
    }
}
