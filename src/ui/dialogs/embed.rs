//! Embed mode (`?embed=1`): which panels and controls an embedded
//! simulator shows, read from the query string, and the iframe snippet the
//! "Embed" dialog writes for the current state: the iframe with a fallback
//! height, and the small listener that fits it to the height the embedded
//! app posts (`{type: "fanout:height", height, id}`, docs/sharing.md).

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
    /// `frame=`: a name the host page gave this iframe, echoed as `id` in
    /// the height messages (letters, digits, `-`, `_`; at most 64).
    pub frame: String,
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
            frame: String::new(),
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
            // A bad name is not echoed (and not worth a message).
            "frame"
                if v.len() <= 64
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                o.frame = v;
            }
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

/// The fallback iframe height \[px\] (used until the app's first height
/// message, and on a page without the listener): what the chosen panels and
/// controls measure in an iframe 920 px wide. The rule: the chrome of the
/// controls level (toolbar, footer, padding), plus the row of the stage and
/// the cost panel (one value for each of stage, cost, both: the two may sit
/// side by side), plus the charts, plus the parameters (always shown with
/// full controls). `tests/browser/embed.test.mjs` re-measures every term at
/// 920 px, requires the rule within 5 % and prints the measured constants
/// when the layout has moved.
pub fn height_for(panels: &[String], controls: ControlsLevel) -> u32 {
    let has = |p: &str| panels.iter().any(|q| q == p);
    let row = match (has("stage"), has("cost")) {
        (true, true) => ROW_STAGE_COST,
        (true, false) => ROW_STAGE,
        (false, true) => ROW_COST,
        (false, false) => 0,
    };
    let chrome = match controls {
        ControlsLevel::None => CHROME_NONE,
        ControlsLevel::Minimal => CHROME_MINIMAL,
        ControlsLevel::Full => CHROME_FULL,
    };
    let params = has("params") || controls == ControlsLevel::Full;
    chrome + row + if has("charts") { CHARTS } else { 0 } + if params { PARAMS } else { 0 }
}

// Measured at 920 px, the Flash sale preset playing (see `height_for`).
const CHROME_NONE: u32 = 1;
const CHROME_MINIMAL: u32 = 220;
const CHROME_FULL: u32 = 650;
const ROW_STAGE_COST: u32 = 828;
const ROW_STAGE: u32 = 618;
const ROW_COST: u32 = 198;
const CHARTS: u32 = 1391;
const PARAMS: u32 = 1230;

/// The origin (`scheme://host[:port]`) of an http(s) address.
fn origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (host > 0).then(|| &url[..url.len() - rest.len() + host])
}

/// The host page's listener: sets the height of the `iframe[data-fanout]`
/// that sent the message (and only from the app's origin, when it has one),
/// so that its inside is that tall whatever its borders and box-sizing
/// (set, then corrected by what `clientHeight` shows).
fn listener(app: &str) -> String {
    let check = origin(app).map_or(String::new(), |o| format!("e.origin!==\"{o}\"||"));
    format!(
        "<script>/* Fanout: fits each embedded simulator to its content */\n\
         addEventListener(\"message\",function(e){{var d=e.data,h;\
         if({check}!d||d.type!==\"fanout:height\"||typeof d.height!==\"number\")return;\
         h=Math.min(Math.max(d.height,100),2e4);\
         document.querySelectorAll(\"iframe[data-fanout]\").forEach(function(f){{\
         if(f.contentWindow===e.source){{f.style.height=h+\"px\";f.style.height=2*h-f.clientHeight+\"px\"}}}})}});</script>"
    )
}

/// The iframe snippet and its listener: `app` is the simulator's address,
/// `fragment` the state (without `#`).
pub fn snippet(
    app: &str,
    fragment: &str,
    panels: &[String],
    controls: ControlsLevel,
    autoplay: bool,
    title: &str,
) -> String {
    let level = match controls {
        ControlsLevel::None => "none",
        ControlsLevel::Minimal => "minimal",
        ControlsLevel::Full => "full",
    };
    let src = format!(
        "{app}?embed=1&panels={}&controls={level}{}#{fragment}",
        panels.join(","),
        if autoplay { "&autoplay=1" } else { "" }
    );
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{}\" style=\"border:0;max-width:1200px\" loading=\"lazy\" data-fanout></iframe>\n{}",
        attr(&src),
        attr(title),
        height_for(panels, controls),
        listener(app)
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
            <p class="muted">{ "Paste this into a course page. It opens this exact scenario, seed and speed; it pauses when scrolled out of view. The script fits the frame to its content (once per page is enough); without it the frame keeps its height." }</p>
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
            <textarea id="embed-snippet" readonly=true rows="8" value={text} aria-label="iframe snippet" />
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
        assert!(s.contains("data-fanout></iframe>\n<script>"), "{s}");
        assert!(
            s.contains("e.origin!==\"https://example.org\"||"),
            "the listener takes messages from the app's origin only: {s}"
        );
        assert!(s.contains("f.contentWindow===e.source"), "{s}");
        assert!(s.ends_with("</script>"), "{s}");
        let h = |p: &[&str], c| height_for(&p.iter().map(|p| p.to_string()).collect::<Vec<_>>(), c);
        assert!(s.contains(&format!(
            "height=\"{}\"",
            h(&["stage", "cost"], ControlsLevel::Minimal)
        )));
        // The rule: chrome, the stage/cost row, charts, parameters; full
        // controls show the parameters anyway.
        let m = ControlsLevel::Minimal;
        assert_eq!(
            h(&["stage", "cost", "charts"], m) - h(&["stage", "cost"], m),
            h(&["charts"], m) - h(&[], m)
        );
        assert!(h(&["stage", "cost"], m) >= h(&["stage"], m).max(h(&["cost"], m)));
        assert_eq!(
            h(&["stage", "params"], ControlsLevel::Full),
            h(&["stage"], ControlsLevel::Full)
        );
        assert!(h(&[], ControlsLevel::None) < h(&[], m));
    }

    #[test]
    fn origins_and_frame_names() {
        assert_eq!(origin("https://a.b:8080/x/?q#f"), Some("https://a.b:8080"));
        assert_eq!(origin("http://127.0.0.1:5/"), Some("http://127.0.0.1:5"));
        assert_eq!(origin("http://h"), Some("http://h"));
        assert_eq!(origin("file:///tmp/index.html"), None);
        assert_eq!(origin("https:///x"), None);
        assert!(
            !listener("file:///x/").contains("e.origin"),
            "no origin to check: the source check alone"
        );
        let (o, p) = parse("embed=1&frame=sim-2_b");
        assert!(p.is_empty());
        assert_eq!(o.frame, "sim-2_b");
        let (o, p) = parse("embed=1&frame=%3Cx%3E");
        assert_eq!(o.frame, "", "not echoed");
        assert!(p.is_empty());
    }
}
