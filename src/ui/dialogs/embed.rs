//! Embed mode (`?embed=1`): which panels and controls an embedded
//! simulator shows, read from the query string, and the iframe snippet the
//! "Embed" dialog writes for the current state.

use crate::common::link::{percent_decode, Theme};
use crate::common::presets::PRESETS;
use yew::prelude::*;

/// How many controls an embed shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ControlsLevel {
    /// None: no toolbar, only the clock (the keyboard shortcuts still work).
    None,
    /// Play/pause, restart and the clock.
    #[default]
    Minimal,
    /// Everything, the parameters included.
    Full,
}

/// The panels an embed can show.
pub const PANELS: &[&str] = &["stage", "cost", "charts", "params"];

/// Embed options from the query string.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedOptions {
    pub embed: bool,
    /// Panels shown, from [`PANELS`].
    pub panels: Vec<String>,
    pub controls: ControlsLevel,
    pub autoplay: bool,
    /// A preset id (the fragment's state wins when there is one).
    pub preset: Option<usize>,
    pub theme: Option<Theme>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            embed: false,
            panels: vec!["stage".into(), "cost".into()],
            controls: ControlsLevel::Minimal,
            autoplay: false,
            preset: None,
            theme: None,
        }
    }
}

impl EmbedOptions {
    pub fn shows(&self, panel: &str) -> bool {
        !self.embed || self.panels.iter().any(|p| p == panel)
    }
}

/// Reads the query string (without `?`); unknown or bad values are named
/// in the problems and left at their defaults.
pub fn parse(query: &str) -> (EmbedOptions, Vec<String>) {
    let mut o = EmbedOptions::default();
    let mut problems = Vec::new();
    if query.len() > 2_000 {
        problems.push("The page address's query is over 2,000 characters: ignored.".into());
        return (o, problems);
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, raw) = pair.split_once('=').unwrap_or((pair, "1"));
        let v = percent_decode(raw).unwrap_or_default();
        match k {
            "embed" => o.embed = v != "0",
            "autoplay" => o.autoplay = v != "0",
            "panels" => {
                let mut ps = Vec::new();
                for p in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if PANELS.contains(&p) {
                        ps.push(p.to_string());
                    } else {
                        problems.push(format!(
                            "panels: “{}” is not a panel (stage, cost, charts, params); skipped.",
                            p.chars().take(30).collect::<String>()
                        ));
                    }
                }
                if !ps.is_empty() {
                    o.panels = ps;
                }
            }
            "controls" => match v.as_str() {
                "none" => o.controls = ControlsLevel::None,
                "minimal" => o.controls = ControlsLevel::Minimal,
                "full" => o.controls = ControlsLevel::Full,
                _ => problems
                    .push("controls: must be none, minimal or full; minimal is used.".into()),
            },
            "preset" => match PRESETS.iter().position(|p| p.id == v) {
                Some(i) => o.preset = Some(i),
                None => problems.push(format!(
                    "preset: “{}” is not a preset; the first one opens.",
                    v.chars().take(30).collect::<String>()
                )),
            },
            "theme" => match Theme::parse(&v) {
                Some(t) => o.theme = Some(t),
                None => problems.push("theme: must be auto, light or dark; ignored.".into()),
            },
            _ => {}
        }
    }
    (o, problems)
}

/// Escapes text for an HTML attribute value (the snippet is shown as text
/// and copied, never inserted as HTML).
fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A sensible iframe height for the panels \[px\].
pub fn height_for(panels: &[String]) -> u32 {
    let mut height = 90;
    for p in panels {
        height += match p.as_str() {
            "stage" => 420,
            "cost" => 260,
            "charts" => 420,
            "params" => 360,
            _ => 0,
        };
    }
    height
}

/// The iframe snippet: `app` is the simulator's address, `fragment` the
/// state (without `#`).
pub fn snippet(
    app: &str,
    fragment: &str,
    panels: &[String],
    controls: ControlsLevel,
    autoplay: bool,
    title: &str,
) -> String {
    let controls = match controls {
        ControlsLevel::None => "none",
        ControlsLevel::Minimal => "minimal",
        ControlsLevel::Full => "full",
    };
    let src = format!(
        "{app}?embed=1&panels={}&controls={controls}{}#{fragment}",
        panels.join(","),
        if autoplay { "&autoplay=1" } else { "" }
    );
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{}\" style=\"border:0;max-width:1200px\" loading=\"lazy\"></iframe>",
        attr(&src),
        attr(title),
        height_for(panels)
    )
}

/// Properties of [`EmbedDialog`].
#[derive(Properties, PartialEq)]
pub struct EmbedDialogProps {
    /// The simulator's address.
    pub app: AttrValue,
    /// The current state's fragment.
    pub fragment: AttrValue,
    /// Title for the iframe (accessibility).
    pub title: AttrValue,
    pub on_close: Callback<()>,
}

/// Writes the iframe snippet for the current state, with choices.
#[function_component(EmbedDialog)]
pub fn embed_dialog(props: &EmbedDialogProps) -> Html {
    let panels = use_state(|| vec!["stage".to_string(), "cost".to_string()]);
    let controls = use_state(|| ControlsLevel::Minimal);
    let autoplay = use_state(|| true);
    let text = snippet(
        &props.app,
        &props.fragment,
        &panels,
        *controls,
        *autoplay,
        &format!("Fanout simulator: {}", props.title),
    );
    let toggle = |name: &'static str| {
        let panels = panels.clone();
        Callback::from(move |_: Event| {
            // The panels in PANELS order, `name` switched; the last one
            // stays. (Filtering PANELS keeps the order without a sort,
            // whose code for strings weighs about 4 KB of wasm.)
            let v: Vec<String> = PANELS
                .iter()
                .filter(|q| (**q == name) != panels.iter().any(|p| p == *q))
                .map(|q| q.to_string())
                .collect();
            panels.set(if v.is_empty() { (*panels).clone() } else { v });
        })
    };
    let on_controls = {
        let controls = controls.clone();
        Callback::from(move |e: Event| {
            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
            controls.set(match s.value().as_str() {
                "none" => ControlsLevel::None,
                "full" => ControlsLevel::Full,
                _ => ControlsLevel::Minimal,
            });
        })
    };
    let on_autoplay = {
        let autoplay = autoplay.clone();
        Callback::from(move |_: Event| autoplay.set(!*autoplay))
    };
    let copy = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| crate::ui::web::copy(&text))
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let body = html! {
        <>
            <p class="muted">{ "Paste this into a course page. It opens this exact scenario, seed and speed; it pauses when scrolled out of view." }</p>
            <fieldset>
                <legend>{ "Panels" }</legend>
                { for PANELS.iter().map(|p| html! {
                    <label class="check">
                        <input type="checkbox" checked={panels.iter().any(|q| q == p)} onchange={toggle(p)} />
                        { *p }
                    </label>
                }) }
            </fieldset>
            <label>{ "Controls " }
                <select id="embed-controls" onchange={on_controls}>
                    <option value="none" selected={*controls == ControlsLevel::None}>{ "none" }</option>
                    <option value="minimal" selected={*controls == ControlsLevel::Minimal}>{ "minimal" }</option>
                    <option value="full" selected={*controls == ControlsLevel::Full}>{ "full" }</option>
                </select>
            </label>
            <label class="check"><input type="checkbox" checked={*autoplay} onchange={on_autoplay} />{ "autoplay" }</label>
            <textarea id="embed-snippet" readonly=true rows="5" value={text} aria-label="iframe snippet" />
            <div class="dialog-buttons">
                <button id="embed-copy" onclick={copy}>{ "Copy snippet" }</button>
                <button id="embed-close" onclick={close}>{ "Close" }</button>
            </div>
        </>
    };
    crate::ui::dialogs::dialog::dialog("embed-dialog", "embed-title", "Embed this simulation", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_options_are_read_and_bad_ones_named() {
        let (o, p) =
            parse("embed=1&panels=stage,cost&controls=none&autoplay&preset=flash-sale&theme=dark");
        assert!(p.is_empty(), "{p:?}");
        assert!(o.embed && o.autoplay);
        assert_eq!(o.panels, ["stage", "cost"]);
        assert_eq!(o.controls, ControlsLevel::None);
        assert_eq!(o.preset, Some(2));
        assert_eq!(o.theme, Some(Theme::Dark));
        assert!(o.shows("cost") && !o.shows("charts"));
        let (o, p) = parse("embed=1&panels=stage,<script>&controls=all&preset=x");
        assert_eq!(o.panels, ["stage"]);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(!parse("").0.embed);
        assert!(
            parse("").0.shows("charts"),
            "not embedded: everything shows"
        );
    }

    #[test]
    fn the_snippet_is_a_titled_iframe_with_the_state() {
        let s = snippet(
            "https://example.org/fanout/",
            "v=1&preset=flash-sale",
            &["stage".into(), "cost".into()],
            ControlsLevel::Minimal,
            true,
            "Flash \"sale\"",
        );
        assert!(s.starts_with("<iframe src=\"https://example.org/fanout/?embed=1&amp;panels=stage,cost&amp;controls=minimal&amp;autoplay=1#v=1&amp;preset=flash-sale\""), "{s}");
        assert!(s.contains("title=\"Flash &quot;sale&quot;\""), "{s}");
        assert!(s.contains("height=\"770\""), "{s}");
    }
}
