//! The particles of the stage, drawn on a `<canvas>` inside the stage's SVG
//! (a `<foreignObject>` in the particles' place, in the same coordinates:
//! above the panels, whose text the particles' paths keep off, and under
//! the labels drawn after it; it takes no pointer events).
//!
//! Why a canvas: a moving SVG circle costs Chromium a style recalculation
//! and an SVG layout every frame (its `cx`/`cy` are presentation
//! attributes), and up to [`MAX_ALIVE`](crate::ui::view_model::particles::MAX_ALIVE) of
//! them move at once; on a canvas a frame's particles are one clear and a
//! few paths. Colours are the theme's CSS variables, read from the canvas's
//! computed style now and then, and at once (with a redraw) when the theme
//! changes (`prefers-color-scheme`, or the page's own theme or projector
//! switch) or the stage's size does (a window resize, a rotated phone).
//!
//! A particle is drawn at least [`MIN_RADIUS_PX`] CSS pixels in radius
//! however small the stage is drawn (the phone's stage is scaled to about
//! 0.38 CSS px a unit).

use std::cell::RefCell;
use std::f64::consts::TAU;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// How a particle is drawn (as the SVG classes `particle`, `particle cold`,
/// `particle ec2`, `particle bounce` were).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// An invocation on its way to a warm Lambda environment.
    Warm,
    /// One that causes a cold start.
    Cold,
    /// A request to the EC2 fleet.
    Ec2,
    /// Throttled (429) or refused (503), bouncing to its tally.
    Bounce,
}

impl Look {
    const ALL: [Look; 4] = [Look::Warm, Look::Cold, Look::Ec2, Look::Bounce];

    /// CSS variables of its fill and its edge.
    fn vars(self) -> (&'static str, &'static str) {
        match self {
            Look::Warm => ("--warm", "--panel"),
            Look::Cold => ("--init", "--ink"),
            Look::Ec2 => ("--ec2", "--panel"),
            Look::Bounce => ("--bad", "--panel"),
        }
    }
}

/// One particle to draw: centre in stage units, and its look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub look: Look,
}

/// Radius of a particle [stage units].
pub const RADIUS: f64 = 5.0;
/// Smallest radius of a particle on screen [CSS px].
pub const MIN_RADIUS_PX: f64 = 3.0;
/// Width of its edge [stage units].
const EDGE: f64 = 1.5;
/// Thinnest edge on screen [CSS px].
const MIN_EDGE_PX: f64 = 1.0;

/// A particle's radius and edge width [stage units] when a stage unit is
/// drawn `css_per_unit` CSS pixels wide: as designed, or larger where that
/// would be under [`MIN_RADIUS_PX`] (and `MIN_EDGE_PX`) on screen.
pub fn dot_size(css_per_unit: f64) -> (f64, f64) {
    if !(css_per_unit.is_finite() && css_per_unit > 0.0) {
        return (RADIUS, EDGE);
    }
    (
        RADIUS.max(MIN_RADIUS_PX / css_per_unit),
        EDGE.max(MIN_EDGE_PX / css_per_unit),
    )
}
/// How often the colours and the stage's width are read again [ms of wall time].
const COLOURS_EVERY_MS: f64 = 500.0;

/// Properties of [`ParticleCanvas`].
#[derive(Properties, PartialEq, Clone)]
pub struct ParticleCanvasProps {
    /// The particles of this frame.
    pub dots: Rc<Vec<Dot>>,
    /// The stage's viewBox size [stage units].
    pub width: f64,
    pub height: f64,
    /// The stage's `<svg>` (its drawn width gives the canvas's resolution).
    pub svg: NodeRef,
    /// Wall time of the frame \[ms\].
    pub now_ms: f64,
}

/// What is read from the page now and then rather than every frame.
#[derive(Default)]
struct Cache {
    read_ms: Option<f64>,
    /// (fill, edge) per [`Look::ALL`].
    looks: Vec<(String, String)>,
    /// The stage's drawn width [CSS px] (reading it forces a layout).
    shown: i32,
    ctx: Option<web_sys::CanvasRenderingContext2d>,
    /// The particles' radius on screen last drawn [CSS px].
    radius_px: f64,
    /// The frame drawn last (to draw it again at once on a theme switch or
    /// a resize).
    last: Option<ParticleCanvasProps>,
}

/// `getComputedStyle(el).getPropertyValue(name)`, trimmed (through
/// `js_sys`, so that no more `web-sys` features are needed).
fn css_var(style: &JsValue, name: &str) -> Option<String> {
    let get: js_sys::Function = js_sys::Reflect::get(style, &"getPropertyValue".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let v = get.call1(style, &name.into()).ok()?.as_string()?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

fn computed_style(el: &web_sys::Element) -> Option<JsValue> {
    let win = web_sys::window()?;
    let f: js_sys::Function = js_sys::Reflect::get(&win, &"getComputedStyle".into())
        .ok()?
        .dyn_into()
        .ok()?;
    f.call1(&win, el).ok()
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    svg: Option<web_sys::Element>,
    props: &ParticleCanvasProps,
    cache: &mut Cache,
) {
    // Every half second: the stage's drawn width and the theme's colours.
    // Read every frame, the width would force a layout in mid-frame.
    let stale = cache
        .read_ms
        .is_none_or(|t| (props.now_ms - t).abs() >= COLOURS_EVERY_MS);
    if stale {
        cache.shown = svg.map_or(0, |s| s.client_width());
    }
    // Resolution: the canvas's backing store matches the pixels the stage
    // covers on screen (its drawn width × the device pixel ratio).
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let shown = cache.shown;
    let scale = if shown > 0 {
        f64::from(shown) / props.width * dpr.max(1.0)
    } else {
        dpr.max(1.0)
    };
    let (w, h) = (
        (props.width * scale).round().max(1.0) as u32,
        (props.height * scale).round().max(1.0) as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    if cache.ctx.is_none() {
        cache.ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
    }
    let Some(ctx) = cache.ctx.as_ref() else {
        return;
    };
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    if stale || cache.looks.len() != Look::ALL.len() {
        if let Some(style) = computed_style(canvas) {
            let looks: Vec<(String, String)> = Look::ALL
                .iter()
                .map(|l| {
                    let (fill, edge) = l.vars();
                    (
                        css_var(&style, fill).unwrap_or_else(|| "#e69f00".into()),
                        css_var(&style, edge).unwrap_or_else(|| "#ffffff".into()),
                    )
                })
                .collect();
            if looks != cache.looks {
                // What the particles are drawn in, for the browser tests.
                let palette: Vec<String> = looks.iter().map(|(f, e)| format!("{f} {e}")).collect();
                let _ = canvas.set_attribute("data-palette", &palette.join(","));
                cache.looks = looks;
            }
        }
    }
    if stale {
        cache.read_ms = Some(props.now_ms);
    }
    if props.dots.is_empty() {
        return;
    }
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    let (radius, edge_w) = dot_size(scale / dpr.max(1.0));
    let radius_px = radius * scale / dpr.max(1.0);
    if (radius_px - cache.radius_px).abs() > 0.01 {
        // The particles' radius on screen [CSS px], for the browser tests.
        let _ = canvas.set_attribute("data-radius-px", &format!("{radius_px:.2}"));
        cache.radius_px = radius_px;
    }
    ctx.set_line_width(edge_w);
    // One path per look: fill, then the edges over it.
    for (look, (fill, edge)) in Look::ALL.iter().zip(&cache.looks) {
        ctx.begin_path();
        let mut any = false;
        for d in props.dots.iter().filter(|d| d.look == *look) {
            ctx.move_to(d.x + radius, d.y);
            let _ = ctx.arc(d.x, d.y, radius, 0.0, TAU);
            any = true;
        }
        if any {
            ctx.set_fill_style_str(fill);
            ctx.fill();
            ctx.set_stroke_style_str(edge);
            ctx.stroke();
        }
    }
}

/// Draws the last frame again at once, with the colours and the stage's
/// width read anew (after a theme switch or a resize).
fn redraw(canvas: &NodeRef, svg: &NodeRef, cache: &RefCell<Cache>) {
    let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
        return;
    };
    let Ok(mut cache) = cache.try_borrow_mut() else {
        return;
    };
    let Some(last) = cache.last.clone() else {
        return;
    };
    cache.read_ms = None;
    draw(&c, svg.cast::<web_sys::Element>(), &last, &mut cache);
}

/// What makes the canvas redraw at once; dropped (and disconnected) with
/// the component.
struct Watchers {
    _scheme: Option<gloo::events::EventListener>,
    _resize: gloo::events::EventListener,
    observers: Vec<JsValue>,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Watchers {
    fn drop(&mut self) {
        for o in &self.observers {
            if let Ok(f) = js_sys::Reflect::get(o, &"disconnect".into()) {
                if let Ok(f) = f.dyn_into::<js_sys::Function>() {
                    let _ = f.call0(o);
                }
            }
        }
    }
}

/// Redraws at once on a change of `prefers-color-scheme`, of the page's
/// theme or projector attributes (a `MutationObserver`), of the window's
/// size, or of the stage's drawn size (a `ResizeObserver`).
fn watch(canvas: NodeRef, svg: NodeRef, cache: Rc<RefCell<Cache>>) -> Option<Watchers> {
    let win = web_sys::window()?;
    let again = {
        let (canvas, svg, cache) = (canvas.clone(), svg.clone(), cache.clone());
        Rc::new(move || redraw(&canvas, &svg, &cache))
    };
    let scheme = win
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .map(|mql| {
            let again = again.clone();
            gloo::events::EventListener::new(&mql, "change", move |_| again())
        });
    let resize = {
        let again = again.clone();
        gloo::events::EventListener::new(&win, "resize", move |_| again())
    };
    let callback = {
        let again = again.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
            again()
        })
    };
    // The observers through js_sys (no more web-sys features needed).
    let make = |name: &str| -> Option<JsValue> {
        let ctor: js_sys::Function = js_sys::Reflect::get(&win, &name.into())
            .ok()?
            .dyn_into()
            .ok()?;
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(callback.as_ref())).ok()
    };
    let observe = |o: &JsValue, target: &JsValue, options: &JsValue| {
        if let Ok(f) = js_sys::Reflect::get(o, &"observe".into()) {
            if let Ok(f) = f.dyn_into::<js_sys::Function>() {
                let _ = f.call2(o, target, options);
            }
        }
    };
    let mut observers = Vec::new();
    if let (Some(o), Some(el)) = (make("ResizeObserver"), svg.get()) {
        observe(&o, &el, &JsValue::UNDEFINED);
        observers.push(o);
    }
    let root = win.document().and_then(|d| d.document_element());
    if let (Some(o), Some(root)) = (make("MutationObserver"), root) {
        let options = js_sys::Object::new();
        let filter = js_sys::Array::of2(&"data-theme".into(), &"data-projector".into());
        let _ = js_sys::Reflect::set(&options, &"attributeFilter".into(), &filter);
        observe(&o, &root, &options);
        observers.push(o);
    }
    Some(Watchers {
        _scheme: scheme,
        _resize: resize,
        observers,
        _callback: callback,
    })
}

/// The particles' canvas (to be placed inside the stage's `<svg>`).
#[function_component(ParticleCanvas)]
pub fn particle_canvas(props: &ParticleCanvasProps) -> Html {
    let canvas = use_node_ref();
    let cache = use_mut_ref(Cache::default);
    {
        let canvas = canvas.clone();
        let svg = props.svg.clone();
        let cache: Rc<RefCell<Cache>> = cache.clone();
        let p = props.clone();
        // After the DOM is patched: draw this frame's particles.
        use_effect_with(
            (
                props.dots.clone(),
                props.width.to_bits(),
                props.height.to_bits(),
            ),
            move |_| {
                if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                    let mut cache = cache.borrow_mut();
                    draw(&c, svg.cast::<web_sys::Element>(), &p, &mut cache);
                    cache.last = Some(p);
                }
            },
        );
    }
    {
        let (canvas, svg, cache) = (canvas.clone(), props.svg.clone(), cache.clone());
        use_effect_with((), move |_| {
            let watchers = watch(canvas, svg, cache);
            move || drop(watchers)
        });
    }
    let (w, h) = (format!("{}", props.width), format!("{}", props.height));
    html! {
        <foreignObject class="particles" x="0" y="0" width={w} height={h} aria-hidden="true">
            // The XHTML namespace makes it an HTML canvas inside the SVG.
            <canvas xmlns="http://www.w3.org/1999/xhtml" ref={canvas} class="particle-canvas"
                    data-testid="particles" data-particles={props.dots.len().to_string()}></canvas>
        </foreignObject>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_keep_a_minimum_size_on_screen() {
        // The wide stage at 1280 px: 0.82 CSS px a unit, drawn as designed.
        assert_eq!(dot_size(0.82), (RADIUS, EDGE));
        // A 320 px phone: 0.38 CSS px a unit; 5 units would be 1.9 px.
        for k in [0.2, 0.38, 0.5, 0.59] {
            let (r, e) = dot_size(k);
            assert!((r * k - MIN_RADIUS_PX).abs() < 1e-9, "{k}: {r}");
            assert!(e * k >= MIN_EDGE_PX - 1e-9, "{k}: {e}");
        }
        // Nothing drawn yet (no width): as designed.
        assert_eq!(dot_size(0.0), (RADIUS, EDGE));
        assert_eq!(dot_size(f64::NAN), (RADIUS, EDGE));
    }
}
