//! Thin browser helpers for sharing, presenting and exporting: the
//! location's fragment and query, history entries, downloads, the
//! clipboard, full screen and the page's theme attributes. Each call that
//! the browser may refuse returns quietly (the page carries on).

use wasm_bindgen::JsCast;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The location's fragment, without `#`.
pub fn fragment() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.strip_prefix('#').unwrap_or(&h).to_string())
        .unwrap_or_default()
}

/// The location's query string, without `?`.
pub fn query() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .map(|q| q.strip_prefix('?').unwrap_or(&q).to_string())
        .unwrap_or_default()
}

/// This page's address without fragment (query kept).
pub fn page_url() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// The app's address (no query, no fragment): what an embed snippet loads.
pub fn app_url() -> String {
    page_url().split('?').next().unwrap_or_default().to_string()
}

/// Sets the fragment: a new history entry when `push`, else in place.
/// Nothing happens when it is already the fragment.
pub fn set_fragment(f: &str, push: bool) {
    if fragment() == f {
        return;
    }
    let Some(h) = window().and_then(|w| w.history().ok()) else {
        return;
    };
    let url = format!("#{f}");
    let _ = if push {
        h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    let blob = gloo::file::Blob::new_with_options(text, Some(mime));
    let url = gloo::file::ObjectUrl::from(blob);
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc
        .create_element("a")
        .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    else {
        return;
    };
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The object URL is revoked when `url` drops; give the download a moment.
    gloo::timers::callback::Timeout::new(10_000, move || drop(url)).forget();
}

/// Copies `text` to the clipboard (when the browser allows it).
pub fn copy(text: &str) {
    if let Some(w) = window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Enters full screen, or leaves it.
pub fn toggle_fullscreen() {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    } else if let Some(root) = doc.document_element() {
        let _ = root.request_fullscreen();
    }
}

/// Sets (or removes, with None) an attribute of the root `<html>` element:
/// `data-theme`, `data-projector`, `data-embed`.
pub fn set_root_attr(name: &str, value: Option<&str>) {
    let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match value {
        Some(v) => root.set_attribute(name, v),
        None => root.remove_attribute(name),
    };
}

/// Whether a key event comes from somewhere the user types.
pub fn is_typing(e: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    if tag == "textarea" || tag == "select" {
        return true;
    }
    if tag == "input" {
        let kind = el.get_attribute("type").unwrap_or_default();
        return !matches!(
            kind.as_str(),
            "range" | "checkbox" | "radio" | "button" | "submit" | "file"
        );
    }
    el.get_attribute("contenteditable")
        .is_some_and(|v| v != "false")
}

/// Whether the tab is hidden.
pub fn tab_hidden() -> bool {
    window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

/// A random seed from the browser.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 4_294_967_296.0) as u64
}

/// Draws an SVG document onto a canvas at `scale` × its size (`w` × `h`)
/// and offers it as a PNG download. Runs when the image has loaded.
pub fn download_png(name: &str, svg: &str, w: f64, h: f64, scale: f64) {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let url = gloo::file::ObjectUrl::from(gloo::file::Blob::new_with_options(
        svg,
        Some("image/svg+xml"),
    ));
    let src = url.to_string();
    let name = name.to_string();
    let img2 = img.clone();
    let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _keep = url;
        let Ok(canvas) = doc
            .create_element("canvas")
            .map(|c| c.unchecked_into::<web_sys::HtmlCanvasElement>())
        else {
            return;
        };
        canvas.set_width((w * scale).round() as u32);
        canvas.set_height((h * scale).round() as u32);
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(
            &img2,
            0.0,
            0.0,
            w * scale,
            h * scale,
        );
        let Ok(data) = canvas.to_data_url_with_type("image/png") else {
            return;
        };
        if let Ok(a) = doc
            .create_element("a")
            .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
        {
            a.set_href(&data);
            a.set_download(&name);
            a.click();
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&src);
}
