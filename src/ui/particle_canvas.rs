//! The particles of the stage, drawn on a `<canvas>` inside the stage's SVG
//! (a `<foreignObject>` in the particles' place, in the same coordinates:
//! above the panels on the wide stage, under them on the narrow one, where
//! particles cross the panels' header lines; always under the labels drawn
//! after them).
//!
//! Why a canvas: a moving SVG circle costs Chromium a style recalculation
//! and an SVG layout every frame (its `cx`/`cy` are presentation
//! attributes), and up to [`MAX_ALIVE`](super::particles::MAX_ALIVE) of
//! them move at once; on a canvas a frame's particles are one clear and a
//! few paths. Colours are the theme's CSS variables, read from the canvas's
//! computed style now and then (a theme switch shows within half a second,
//! as does a new resolution after the window is resized).

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
/// Width of its edge [stage units].
const EDGE: f64 = 1.5;
/// How often the colours and the stage's width are read again [ms of wall time].
const COLOURS_EVERY_MS: f64 = 500.0;

/// Properties of [`ParticleCanvas`].
#[derive(Properties, PartialEq)]
pub struct ParticleCanvasProps {
    /// The particles of this frame.
    pub dots: Rc<Vec<Dot>>,
    /// The stage's viewBox size [stage units].
    pub width: f64,
    pub height: f64,
    /// The stage's `<svg>` (its drawn width gives the canvas's resolution).
    pub svg: NodeRef,
    /// Wall time of the frame [ms].
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
    if props.dots.is_empty() {
        return;
    }
    if stale || cache.looks.len() != Look::ALL.len() {
        if let Some(style) = computed_style(canvas) {
            cache.looks = Look::ALL
                .iter()
                .map(|l| {
                    let (fill, edge) = l.vars();
                    (
                        css_var(&style, fill).unwrap_or_else(|| "#e69f00".into()),
                        css_var(&style, edge).unwrap_or_else(|| "#ffffff".into()),
                    )
                })
                .collect();
        }
    }
    if stale {
        cache.read_ms = Some(props.now_ms);
    }
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    ctx.set_line_width(EDGE);
    // One path per look: fill, then the edges over it.
    for (look, (fill, edge)) in Look::ALL.iter().zip(&cache.looks) {
        ctx.begin_path();
        let mut any = false;
        for d in props.dots.iter().filter(|d| d.look == *look) {
            ctx.move_to(d.x + RADIUS, d.y);
            let _ = ctx.arc(d.x, d.y, RADIUS, 0.0, TAU);
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

/// The particles' canvas (to be placed inside the stage's `<svg>`).
#[function_component(ParticleCanvas)]
pub fn particle_canvas(props: &ParticleCanvasProps) -> Html {
    let canvas = use_node_ref();
    let cache = use_mut_ref(Cache::default);
    {
        let canvas = canvas.clone();
        let svg = props.svg.clone();
        let cache: Rc<RefCell<Cache>> = cache.clone();
        let p = ParticleCanvasProps {
            dots: props.dots.clone(),
            width: props.width,
            height: props.height,
            svg: props.svg.clone(),
            now_ms: props.now_ms,
        };
        // After the DOM is patched: draw this frame's particles.
        use_effect_with(
            (
                props.dots.clone(),
                props.width.to_bits(),
                props.height.to_bits(),
            ),
            move |_| {
                if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                    draw(
                        &c,
                        svg.cast::<web_sys::Element>(),
                        &p,
                        &mut cache.borrow_mut(),
                    );
                }
            },
        );
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
