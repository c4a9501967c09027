//! The page's layout mode: whether the screen is phone-narrow, from a CSS
//! media query (kept in step with `static/style.css`), as a Yew hook that
//! follows changes (rotating a phone, resizing a window).

use yew::prelude::*;

/// The media query of the narrow (stacked) layout; the same width as the
/// narrow block of `static/style.css`.
pub const NARROW_QUERY: &str = "(max-width: 560px)";

fn query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(NARROW_QUERY).ok().flatten()
}

/// Whether the narrow layout applies now; re-renders the component when it
/// changes.
#[hook]
pub fn use_narrow() -> bool {
    let narrow = use_state(|| query().is_some_and(|m| m.matches()));
    {
        let narrow = narrow.clone();
        use_effect_with((), move |_| {
            let listener = query().map(|mql| {
                let m = mql.clone();
                gloo::events::EventListener::new(&mql, "change", move |_| narrow.set(m.matches()))
            });
            move || drop(listener)
        });
    }
    *narrow
}
