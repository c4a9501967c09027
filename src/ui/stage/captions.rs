//! What sits on the stage besides the drawing: the narration's captions
//! next to where things happen, the 15-minute wall, the tour's highlight
//! of the panel it talks about, and the controls next to what they change
//! (traffic at the sources, the AZ outage at the EC2 panel, and each
//! instance failed by a click on it or Enter/Space while focused). HTML
//! laid over the SVG, placed after each render from the bounding boxes of
//! the stage's own elements, so it follows whatever geometry the stage has.

use crate::engine::action::Action;
use crate::engine::defaults::TIMEOUT_MAX_S;
use crate::ui::controls::actions::ActionField;
use crate::ui::sim_handle::FrameView;
use crate::ui::stage::Stage;
use crate::ui::view_model::narration::{Anchor, Wall};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Properties of [`StageOverlay`].
#[derive(Properties, PartialEq)]
pub struct OverlayProps {
    pub frame: Rc<FrameView>,
    /// The panels' titles (for the stage).
    pub lambda_title: AttrValue,
    pub ec2_title: AttrValue,
    /// Projector mode (the stage's larger type).
    pub projector: bool,
    /// Captions shown (they are still computed when off).
    pub captions: bool,
    /// The live traffic factor in force.
    pub traffic_factor: f64,
    /// The panel a tour step talks about, highlighted and scrolled into view.
    #[prop_or_default]
    pub focus: Option<Anchor>,
    /// Whether the on-stage controls are shown (not in a bare embed).
    #[prop_or(true)]
    pub controls: bool,
    pub on_action: Callback<(ActionField, Action)>,
    pub on_captions: Callback<()>,
}

/// The value of attribute `attr` on the nearest element matching `sel`
/// around an event's target.
fn around(t: Option<web_sys::EventTarget>, sel: &str, attr: &str) -> Option<String> {
    let el: web_sys::Element = t?.dyn_into().ok()?;
    el.closest(sel).ok()??.get_attribute(attr)
}

type Cbs = (Callback<(ActionField, Action)>, Callback<()>);

#[inline(never)]
/// What a click (or Enter/Space) on the stage asks for: an instance to
/// fail, a traffic factor, the AZ outage or the captions' switch.
fn act(t: Option<web_sys::EventTarget>, zone_down: bool, cbs: &Cbs) -> bool {
    let (on_action, on_captions) = cbs;
    if let Some(id) = around(t.clone(), ".instance", "data-id").and_then(|v| v.parse().ok()) {
        let a = Action::FailInstance { instance: Some(id) };
        on_action.emit((ActionField::Instance, a));
        return true;
    }
    let Some(what) = around(t, "[data-act]", "data-act") else {
        return false;
    };
    match what.as_str() {
        "c" => on_captions.emit(()),
        "az" => on_action.emit((
            ActionField::Zone,
            if zone_down {
                Action::EndAzOutage { zone: 0 }
            } else {
                Action::AzOutage { zone: 0 }
            },
        )),
        f => {
            // No float parsing here: it would weigh ~2 KB in the bundle.
            let factor = match f {
                "2" => 2.0,
                "10" => 10.0,
                _ => 1.0,
            };
            let a = Action::ScaleTraffic {
                source: None,
                factor,
            };
            on_action.emit((ActionField::Traffic, a));
        }
    }
    true
}

#[inline(never)]
/// Places every `[data-anchor]` child of `wrap` at its anchor's box: a
/// caption under a small anchor or inside a panel (the newest first; an
/// older one moves down out of its way), or a control in a panel's corner
/// or under it. Marks the tour's panel and, when it changed, scrolls it
/// into view.
fn place(wrap: &web_sys::Element, focus: Option<Anchor>) {
    let w = wrap.get_bounding_client_rect();
    let Ok(list) = wrap.query_selector_all("[data-anchor]") else {
        return;
    };
    let mut taken: Vec<(f64, f64, f64, f64)> = Vec::new();
    for i in (0..list.length()).rev() {
        let Some(el) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            continue;
        };
        let sel = el.get_attribute("data-anchor").unwrap_or_default();
        let Ok(Some(target)) = wrap.query_selector(&sel) else {
            continue;
        };
        let r = target.get_bounding_client_rect();
        let (x0, y0) = (r.left() - w.left(), r.top() - w.top());
        let (ew, eh) = (f64::from(el.offset_width()), f64::from(el.offset_height()));
        let (left, top) = match el.get_attribute("data-place").as_deref() {
            // Left of a panel, level with its bottom (in the sources'
            // column, clear of the panel's text); in its corner when the
            // panel spans the stage (the narrow stage).
            Some("corner") if x0 >= ew + 12.0 => (x0 - ew - 6.0, y0 + r.height() - eh - 4.0),
            Some("corner") => ((x0 + r.width() - ew - 6.0).max(0.0), y0 + 4.0),
            // Right, a third down a panel: clear of its title.
            Some("side") => ((x0 + r.width() - ew - 12.0).max(0.0), y0 + r.height() * 0.3),
            Some("under") => (x0.max(0.0), y0 + r.height() + 6.0),
            _ => {
                // A caption: above a small anchor (under it at the top of
                // the stage), inside a panel. A panel is a quarter of the
                // stage's height or more; an instance, however large the
                // stage is drawn, is under a sixth.
                let mut top = if r.height() >= w.height() / 4.0 {
                    y0 + r.height() * 0.4
                } else if y0 >= eh + 6.0 {
                    y0 - eh - 6.0
                } else {
                    y0 + r.height() + 6.0
                };
                let left = (x0 + (r.width() - ew) / 2.0).clamp(0.0, (w.width() - ew).max(0.0));
                for &(l, t, rr, b) in &taken {
                    if left < rr && left + ew > l && top < b && top + eh > t {
                        top = b + 4.0;
                    }
                }
                top = top.min((w.height() - eh).max(0.0));
                taken.push((left, top, left + ew, top + eh));
                (left, top)
            }
        };
        // The element's own style (a caption's fade, the wall's bar) kept.
        let own = el.get_attribute("data-style").unwrap_or_default();
        let _ = el.set_attribute("style", &format!("{own};left:{left:.0}px;top:{top:.0}px"));
    }
    // The tour's panel: marked, and brought into view when it changed.
    let sel = focus.map(Anchor::selector).unwrap_or_default();
    if wrap.get_attribute("data-focus").unwrap_or_default() == sel {
        return;
    }
    let _ = wrap.set_attribute("data-focus", &sel);
    if let Ok(Some(old)) = wrap.query_selector(".tour-focus") {
        let _ = old.class_list().remove_1("tour-focus");
    }
    if let Ok(Some(target)) = wrap.query_selector(&sel) {
        let _ = target.class_list().add_1("tour-focus");
        bring_into_view(&target);
    }
}

/// Scrolls the page so that `target` is in view above the tour's bar at
/// the bottom of the window.
fn bring_into_view(target: &web_sys::Element) {
    let Some(win) = web_sys::window() else {
        return;
    };
    let bar = win
        .document()
        .and_then(|d| d.query_selector("[data-testid=tour]").ok().flatten())
        .map_or(0.0, |b| b.get_bounding_client_rect().height());
    let vh = win
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
        - bar
        - 16.0;
    let r = target.get_bounding_client_rect();
    let dy = if r.top() < 0.0 || r.height() > vh {
        r.top() - 8.0
    } else {
        (r.bottom() - vh).max(0.0)
    };
    if dy != 0.0 {
        win.scroll_by_with_x_and_y(0.0, dy);
    }
}

/// The wall: elapsed against 15:00 (and the timeout when lower) as text
/// over a bar drawn by its background, by the Lambda panel.
fn wall_html(w: Wall, ec2_busy: bool) -> Html {
    let pct = |s: f64| s.min(TIMEOUT_MAX_S) / TIMEOUT_MAX_S * 100.0;
    let style = format!("--p:{:.1}%;--t:{:.1}%", pct(w.elapsed_s), pct(w.timeout_s));
    html! {
        <p class={classes!("wall", w.stopped().then_some("stopped"))} data-anchor="[data-testid=lambda-panel]"
           data-place="side" data-testid="wall" role="status" data-style={style}>
            { w.text() }{ if ec2_busy { " · EC2 runs on: no such limit" } else { "" } }
        </p>
    }
}

/// A button of the overlay: what it does is in `data-act` (see [`act`]).
#[inline(never)]
fn button(act: &'static str, label: &'static str, on: bool) -> Html {
    html! { <button type="button" data-act={act} aria-pressed={if on { "true" } else { "false" }}>{ label }</button> }
}

/// The stage with its captions, wall and controls (traffic under the
/// sources, the AZ outage beside the EC2 panel).
#[function_component(StageOverlay)]
pub fn stage_overlay(p: &OverlayProps) -> Html {
    let wrap = use_node_ref();
    {
        let (wrap, focus) = (wrap.clone(), p.focus);
        use_effect(move || {
            if let Some(w) = wrap.cast::<web_sys::Element>() {
                place(&w, focus);
            }
        });
    }
    let f = &p.frame;
    let ec2 = f.snapshot.ec2.as_ref();
    let zone_down = ec2.is_some_and(|e| e.zones_down.contains(&0));
    let cbs = (p.on_action.clone(), p.on_captions.clone());
    let on = move |t: Option<web_sys::EventTarget>| act(t, zone_down, &cbs);
    let onclick = {
        let on = on.clone();
        Callback::from(move |e: MouseEvent| {
            on(e.target());
        })
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let k = e.key();
        // Buttons click themselves on Enter/Space; instances do not.
        if (k == "Enter" || k == " ")
            && around(e.target(), ".instance", "data-id").is_some()
            && on(e.target())
        {
            e.prevent_default();
            e.stop_propagation();
        }
    });
    let ec2_busy = ec2.is_some_and(|e| e.instances.iter().any(|i| i.in_flight > 0));
    let tf = p.traffic_factor;
    html! {
        <div class="stage-wrap" ref={wrap} {onclick} {onkeydown}>
            <Stage frame={f.clone()} lambda_title={p.lambda_title.clone()} ec2_title={p.ec2_title.clone()} projector={p.projector} />
            if let Some(w) = f.wall {
                { wall_html(w, ec2_busy) }
            }
            <div class="captions" aria-live="polite" data-testid="captions">
                { for f.captions.iter().filter(|_| p.captions).map(|(c, age)| html! {
                    <p key={c.id} class="caption" data-anchor={c.anchor.selector()}
                       data-style={format!("opacity:{:.2}", if *age < 0.66 { 1.0 } else { (1.0 - age) * 3.0 })}>{ c.text.clone() }</p>
                }) }
            </div>
            if p.controls {
                <div class="stage-ops" data-anchor=".sources" data-place="under" role="group" aria-label="Traffic, live" id="stage-traffic">
                    { for [("2", "traffic ×2", 2.0), ("10", "×10", 10.0), ("1", "reset", 0.0)].into_iter().map(|(a, l, x)| button(a, l, tf == x)) }
                </div>
                if ec2.is_some_and(|e| e.zones > 0) {
                    <div class="stage-ops" data-anchor="[data-testid=ec2-panel]" data-place="corner" id="stage-az">
                        { button("az", if zone_down { "end the AZ outage" } else { "AZ outage: zone a" }, zone_down) }
                    </div>
                }
            }
            <p class="captions-toggle">{ button("c", if p.captions { "captions on (C)" } else { "captions off (C)" }, p.captions) }</p>
        </div>
    }
}
