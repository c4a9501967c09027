//! The stage's drawn width [CSS px], followed as it changes (a
//! `ResizeObserver` on the stage, through js_sys: no more web-sys
//! features), so that the stage can choose its type factor
//! ([`crate::ui::view_model::layout::typescale`]).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The observer and its callback, kept alive together.
struct Watch {
    observer: JsValue,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        call(&self.observer, "disconnect", None);
    }
}

fn call(o: &JsValue, name: &str, arg: Option<&JsValue>) {
    if let Ok(f) = js_sys::Reflect::get(o, &name.into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            let _ = match arg {
                Some(a) => f.call1(o, a),
                None => f.call0(o),
            };
        }
    }
}

fn width_of(el: &NodeRef) -> f64 {
    el.cast::<web_sys::Element>()
        .map_or(0.0, |e| f64::from(e.client_width()))
}

/// The width of the element `el` refers to [CSS px] (0 until measured);
/// re-renders the component when it changes (to the whole pixel).
#[hook]
pub fn use_width(el: NodeRef) -> f64 {
    let width = use_state_eq(|| 0.0f64);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            let set = {
                let (el, width) = (el.clone(), width.clone());
                move || width.set(width_of(&el).round())
            };
            set();
            let callback = {
                let set = set.clone();
                Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| set())
            };
            let watch = web_sys::window().and_then(|win| {
                let ctor: js_sys::Function = js_sys::Reflect::get(&win, &"ResizeObserver".into())
                    .ok()?
                    .dyn_into()
                    .ok()?;
                let observer =
                    js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(callback.as_ref()))
                        .ok()?;
                call(&observer, "observe", el.get().as_ref().map(|n| n.as_ref()));
                Some(Watch {
                    observer,
                    _callback: callback,
                })
            });
            move || drop(watch)
        });
    }
    *width
}
