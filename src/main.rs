//! The web entry point: installs the panic hook and mounts the Yew app.
//! Built by Trunk for wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {
    web::install_panic_hook();
    yew::Renderer::<fanout::ui::App>::new().render();
    web::debug_panic_route();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fanout-web is the browser app: build it with `trunk build` (see README).");
    std::process::exit(1);
}

#[cfg(target_arch = "wasm32")]
mod web {
    use fanout::engine::scenario::Scenario;
    use fanout::engine::Simulation;
    use fanout::engine::{SimDuration, SimTime};
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsCast;

    /// Id of the error panel a panic puts on the page.
    const PANEL_ID: &str = "panic-panel";

    /// A panic (a bug) shows an error panel with a Restart button over the
    /// page and logs the message to the console, instead of leaving a frozen
    /// page. Release builds abort after the hook (`panic = "abort"`), so the
    /// panel must work without calling back into wasm: its button reloads
    /// the page with an inline handler.
    pub fn install_panic_hook() {
        // Through yew, which otherwise installs its own hook when the app mounts.
        yew::set_custom_panic_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            show_panel(&info.to_string());
        }));
    }

    fn show_panel(message: &str) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(body) = doc.body() else {
            return;
        };
        if doc.get_element_by_id(PANEL_ID).is_some() {
            return;
        }
        let Ok(panel) = doc.create_element("div") else {
            return;
        };
        panel.set_id(PANEL_ID);
        let _ = panel.set_attribute("role", "alert");
        let _ = panel.set_attribute(
            "style",
            "position:fixed;inset:0;z-index:1000;display:flex;align-items:center;justify-content:center;\
             background:rgba(0,0,0,.55);font:16px/1.4 system-ui,sans-serif",
        );
        let Ok(card) = doc.create_element("div") else {
            return;
        };
        let _ = card.set_attribute(
            "style",
            "max-width:36rem;margin:1rem;padding:1.25rem 1.5rem;border-radius:8px;\
             background:Canvas;color:CanvasText;border:2px solid #D55E00",
        );
        let parts: [(&str, &str, String); 3] = [
            ("h2", "margin:0 0 .5rem", "Fanout stopped because of a bug".into()),
            (
                "p",
                "margin:0 0 .75rem",
                "The simulation cannot continue. Restart reloads the page with the same address.".into(),
            ),
            (
                "pre",
                "white-space:pre-wrap;font-size:13px;max-height:12rem;overflow:auto;margin:0 0 1rem",
                message.to_string(),
            ),
        ];
        for (tag, style, text) in parts {
            if let Ok(el) = doc.create_element(tag) {
                let _ = el.set_attribute("style", style);
                el.set_text_content(Some(&text));
                let _ = card.append_child(&el);
            }
        }
        if let Ok(button) = doc.create_element("a") {
            button.set_id("panic-restart");
            let _ = button.set_attribute("role", "button");
            // A plain link to this very page: after an abort the wasm
            // instance is gone, and the Content-Security-Policy forbids an
            // inline `onclick`, so the reload needs no script at all.
            let _ = button.set_attribute("href", "");
            let _ = button.set_attribute(
                "style",
                "font:inherit;padding:.4rem 1.2rem;border:1px solid currentColor;border-radius:4px;text-decoration:none;color:inherit;display:inline-block",
            );
            button.set_text_content(Some("Restart"));
            let _ = card.append_child(&button);
        }
        let _ = panel.append_child(&card);
        let _ = body.append_child(&panel);
        if let Some(b) = doc.get_element_by_id("panic-restart") {
            if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        }
    }

    /// `?debug-panic=1` panics on purpose half a second after start (from a
    /// timer, like a bug in a running app would), so the browser tests can
    /// check the panel. Harmless in production: it only stops that page.
    pub fn debug_panic_route() {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let wanted = search
            .trim_start_matches('?')
            .split('&')
            .any(|kv| kv == "debug-panic=1");
        if wanted {
            gloo::timers::callback::Timeout::new(500, || {
                panic!("deliberate panic from ?debug-panic=1 (a test of the error panel)")
            })
            .forget();
        }
    }

    /// Runs a scenario (JSON) to `until_s` simulated seconds, or to its end
    /// when `until_s` is not positive, and returns the report as JSON: the
    /// same as `fanout run --json --until`, for the cross-target determinism
    /// test (`tests/browser/determinism.test.mjs`).
    #[wasm_bindgen]
    pub fn fanout_report(scenario_json: &str, until_s: f64) -> Result<String, String> {
        // The errors as text (Display, not Debug: no Debug code in the bundle).
        let text = |errors: Vec<fanout::engine::scenario::ScenarioError>| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let sc = Scenario::from_json(scenario_json).map_err(text)?;
        let mut sim = Simulation::new(&sc).map_err(text)?;
        let stop = if until_s > 0.0 {
            SimTime::ZERO + SimDuration::from_secs_f64(until_s)
        } else {
            sim.end()
        };
        sim.advance_to(stop);
        Ok(sim.report().to_json())
    }

    /// Size of the wasm linear memory [bytes], for the long-run browser test.
    #[wasm_bindgen]
    pub fn fanout_wasm_memory_bytes() -> f64 {
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length() as f64
    }
}
