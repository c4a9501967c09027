//! What sits on the stage besides the drawing: the narration's captions
//! next to where things happen, the 15-minute wall, the tour's highlight
//! of the panel it talks about, and the controls next to what they change
//! (traffic at the sources, the AZ outage at the EC2 panel, and each
//! instance failed by a click on it or Enter/Space while focused). HTML
//! laid over the SVG, placed after each render from the bounding boxes of
//! the stage's own elements, so it follows whatever geometry the stage has.

use crate::engine::action::Action;
use crate::engine::defaults::TIMEOUT_MAX_S;
use crate::ui::controls::actions::{zone_name, ActionField};
use crate::ui::sim_handle::FrameView;
use crate::ui::view_model::narration::{Anchor, Wall};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Properties of [`StageOverlay`].
#[derive(Properties, PartialEq)]
pub struct OverlayProps {
    pub frame: Rc<FrameView>,
    /// The stage itself.
    pub children: Html,
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

/// The id of the instance an event's target is in, if any.
fn instance_of(t: Option<web_sys::EventTarget>) -> Option<u64> {
    let el: web_sys::Element = t?.dyn_into().ok()?;
    el.closest(".instance").ok()??.get_attribute("data-id")?.parse().ok()
}

/// Places every `[data-anchor]` child of `wrap` at its anchor's box: a
/// caption under a small anchor or inside a panel (the newest first; an
/// older one moves down out of its way), a corner control, or a highlight
/// covering the panel.
fn place(wrap: &web_sys::Element) {
    let w = wrap.get_bounding_client_rect();
    let Ok(list) = wrap.query_selector_all("[data-anchor]") else {
        return;
    };
    let mut taken: Vec<(f64, f64, f64, f64)> = Vec::new();
    for i in (0..list.length()).rev() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else {
            continue;
        };
        let sel = el.get_attribute("data-anchor").unwrap_or_default();
        let Ok(Some(target)) = wrap.query_selector(&sel) else {
            let _ = el.set_attribute("style", "display:none");
            continue;
        };
        let r = target.get_bounding_client_rect();
        let (x0, y0) = (r.left() - w.left(), r.top() - w.top());
        let (ew, eh) = (f64::from(el.offset_width()), f64::from(el.offset_height()));
        let style = match el.get_attribute("data-place").as_deref() {
            Some("cover") => format!(
                "left:{:.0}px;top:{:.0}px;width:{:.0}px;height:{:.0}px",
                x0 - 3.0,
                y0 - 3.0,
                r.width() + 6.0,
                r.height() + 6.0
            ),
            Some("corner") => format!(
                "left:{:.0}px;top:{:.0}px",
                (x0 + r.width() - ew - 8.0).max(0.0),
                y0 + 8.0
            ),
            Some("under") => format!("left:{:.0}px;top:{:.0}px", x0.max(0.0), y0 + r.height() + 6.0),
            _ => {
                // A caption: under a small anchor, inside a panel.
                let small = r.height() < 120.0;
                let mut top = if small {
                    y0 + r.height() + 6.0
                } else {
                    y0 + r.height() * 0.55
                };
                let left = (x0 + r.width() / 2.0 - ew / 2.0).clamp(0.0, (w.width() - ew).max(0.0));
                for &(l, t, rr, b) in &taken {
                    if left < rr && left + ew > l && top < b && top + eh > t {
                        top = b + 4.0;
                    }
                }
                top = top.min((w.height() - eh).max(0.0));
                taken.push((left, top, left + ew, top + eh));
                let fade = el.get_attribute("data-opacity").unwrap_or_else(|| "1".into());
                format!("left:{left:.0}px;top:{top:.0}px;opacity:{fade}")
            }
        };
        let _ = el.set_attribute("style", &style);
    }
}

/// Scrolls the page so that `sel` inside `wrap` is in view above the
/// tour's bar at the bottom of the window.
fn bring_into_view(wrap: &web_sys::Element, sel: &str) {
    let Some(win) = web_sys::window() else {
        return;
    };
    let Ok(Some(target)) = wrap.query_selector(sel) else {
        return;
    };
    let doc = win.document();
    let bar = doc
        .and_then(|d| d.query_selector("[data-testid=tour]").ok().flatten())
        .map_or(0.0, |b| b.get_bounding_client_rect().height());
    let vh = win.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(0.0) - bar - 8.0;
    let r = target.get_bounding_client_rect();
    let dy = if r.top() < 0.0 || r.height() > vh {
        r.top() - 8.0
    } else if r.bottom() > vh {
        r.bottom() - vh
    } else {
        0.0
    };
    if dy != 0.0 {
        win.scroll_by_with_x_and_y(0.0, dy);
    }
}

/// The wall: elapsed against 15:00 (and the timeout when lower), by the
/// Lambda panel.
fn wall_html(w: Wall, ec2_busy: bool) -> Html {
    let pct = |s: f64| format!("{:.1}%", s / TIMEOUT_MAX_S * 100.0);
    html! {
        <div class={classes!("wall", w.stopped().then_some("stopped"))} data-anchor="[data-testid=lambda-panel]"
             data-place="corner" data-testid="wall" role="status">
            <span class="wall-text">{ w.text() }</span>
            <span class="wall-bar" aria-hidden="true">
                <span class="wall-fill" style={format!("width:{}", pct(w.elapsed_s.min(TIMEOUT_MAX_S)))}></span>
                if w.timeout_s < TIMEOUT_MAX_S {
                    <span class="wall-timeout" style={format!("left:{}", pct(w.timeout_s))}></span>
                }
            </span>
            if ec2_busy {
                <span class="wall-ec2">{ "EC2 has no such limit: its job runs on" }</span>
            }
        </div>
    }
}

/// The traffic buttons under the sources.
fn traffic_html(factor: f64, on_action: &Callback<(ActionField, Action)>) -> Html {
    let button = |f: f64, label: &'static str, title: &'static str| {
        let act = on_action.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            act.emit((
                ActionField::Traffic,
                Action::ScaleTraffic {
                    source: None,
                    factor: f,
                },
            ))
        });
        html! {
            <button type="button" {onclick} {title} aria-pressed={(factor == f).to_string()}
                    id={format!("stage-traffic-{f}")}>{ label }</button>
        }
    };
    html! {
        <div class="stage-ops" data-anchor=".sources" data-place="under" role="group" aria-label="Traffic (live)">
            { button(2.0, "×2", "Twice the traffic from now on") }
            { button(10.0, "×10", "Ten times the traffic from now on") }
            { button(1.0, "reset", "Traffic as set") }
        </div>
    }
}

/// The AZ outage button at the EC2 panel (zone a; the Operations panel
/// chooses any zone).
fn zone_html(f: &FrameView, on_action: &Callback<(ActionField, Action)>) -> Html {
    let Some(e) = f.snapshot.ec2.as_ref().filter(|e| e.zones > 0) else {
        return Html::default();
    };
    let down = e.zones_down.contains(&0);
    let act = on_action.clone();
    let onclick = Callback::from(move |_: MouseEvent| {
        let a = if down {
            Action::EndAzOutage { zone: 0 }
        } else {
            Action::AzOutage { zone: 0 }
        };
        act.emit((ActionField::Zone, a));
    });
    let label = if down {
        format!("end outage of {}", zone_name(0))
    } else {
        format!("AZ outage: {}", zone_name(0))
    };
    html! {
        <div class="stage-ops" data-anchor="[data-testid=ec2-panel]" data-place="corner">
            <button type="button" id="stage-az" {onclick} aria-pressed={down.to_string()}
                    title="Every instance in the zone fails; nothing launches there until the outage ends">{ label }</button>
        </div>
    }
}

/// The stage with its captions, wall, highlight and controls.
#[function_component(StageOverlay)]
pub fn stage_overlay(p: &OverlayProps) -> Html {
    let wrap = use_node_ref();
    {
        let wrap = wrap.clone();
        use_effect(move || {
            if let Some(w) = wrap.cast::<web_sys::Element>() {
                place(&w);
            }
        });
    }
    {
        let wrap = wrap.clone();
        use_effect_with(p.focus, move |focus| {
            if let (Some(a), Some(w)) = (focus, wrap.cast::<web_sys::Element>()) {
                bring_into_view(&w, &a.selector());
            }
        });
    }
    let f = &p.frame;
    let fail = |id: u64| (ActionField::Instance, Action::FailInstance { instance: Some(id) });
    let onclick = {
        let act = p.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = instance_of(e.target()) {
                act.emit(fail(id));
            }
        })
    };
    let onkeydown = {
        let act = p.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            let k = e.key();
            if k != "Enter" && k != " " {
                return;
            }
            if let Some(id) = instance_of(e.target()) {
                e.prevent_default();
                e.stop_propagation();
                act.emit(fail(id));
            }
        })
    };
    let on_captions = {
        let cb = p.on_captions.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let ec2_busy = f
        .snapshot
        .ec2
        .as_ref()
        .is_some_and(|e| e.instances.iter().any(|i| i.in_flight > 0));
    html! {
        <div class="stage-wrap" ref={wrap} {onclick} {onkeydown}>
            { p.children.clone() }
            if let Some(a) = p.focus {
                <div class="focus-ring" data-anchor={a.selector()} data-place="cover" aria-hidden="true"></div>
            }
            if let Some(w) = f.wall {
                { wall_html(w, ec2_busy) }
            }
            <div class="captions" aria-live="polite" data-testid="captions" hidden={!p.captions}>
                { for f.captions.iter().filter(|_| p.captions).map(|(c, age)| {
                    let opacity = if *age < 0.66 { 1.0 } else { ((1.0 - age) * 3.0).max(0.0) };
                    html! {
                        <p key={c.id} class="caption" data-anchor={c.anchor.selector()}
                           data-opacity={format!("{opacity:.2}")}>{ c.text.clone() }</p>
                    }
                }) }
            </div>
            if p.controls {
                { traffic_html(p.traffic_factor, &p.on_action) }
                { zone_html(f, &p.on_action) }
            }
            <button type="button" id="captions-toggle" class="captions-toggle" onclick={on_captions}
                    aria-pressed={p.captions.to_string()} title="Captions on the stage (C)">
                { if p.captions { "Captions on" } else { "Captions off" } }
            </button>
        </div>
    }
}
