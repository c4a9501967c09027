//! The app's hold on the browser: the pending animation frame, the page's
//! listeners (keys, back/forward, tab visibility, file drops), the
//! IntersectionObserver that pauses an embed out of view, the
//! ResizeObserver that tells an embed's host page its height, and a file
//! being read. Dropping a handle cancels what it holds.

use super::files::FileMsg;
use super::link::LinkMsg;
use super::run::RunMsg;
use super::{App, Msg};
use crate::ui::controls::presenter;
use crate::ui::web;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The IntersectionObserver and its callback (kept alive together).
type Observer = (
    web_sys::IntersectionObserver,
    Closure<dyn FnMut(js_sys::Array)>,
);

/// An embed's ResizeObserver (through js_sys) and its callback.
type Sizer = (JsValue, Closure<dyn FnMut(js_sys::Array)>);

/// Handles on the browser, kept alive while the app is.
#[derive(Default)]
pub(super) struct Browser {
    /// Dropping the handle cancels the pending frame.
    frame: Option<AnimationFrame>,
    /// The app's root element (observed for being in view).
    pub root: NodeRef,
    /// A file being read.
    pub reader: Option<gloo::file::callbacks::FileReader>,
    listeners: Vec<EventListener>,
    observer: Option<Observer>,
    /// An embed's ResizeObserver (through js_sys) and its callback.
    sizer: Option<Sizer>,
}

impl Browser {
    pub fn disconnect(&self) {
        if let Some((obs, _)) = &self.observer {
            obs.disconnect();
        }
        if let Some((obs, _)) = &self.sizer {
            call(obs, "disconnect", &JsValue::UNDEFINED);
        }
    }
}

/// Calls `obj.name(arg)`, quietly.
fn call(obj: &JsValue, name: &str, arg: &JsValue) {
    if let Ok(f) = js_sys::Reflect::get(obj, &name.into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            let _ = f.call1(obj, arg);
        }
    }
}

/// Tells the host page of an embed the height of its content whenever it
/// changes: `{type: "fanout:height", height: <CSS px, whole>, id: <frame=>}`
/// to the parent window, with target origin `*`, as the host may be any
/// course site and a referrer (which would name it) is often withheld; the
/// message holds nothing but the height the host would see if it could,
/// and its own frame's name (docs/sharing.md). Returns the observer.
fn post_height(frame: &str) -> Option<Sizer> {
    let win = web_sys::window()?;
    let parent = win.parent().ok().flatten()?;
    if parent == win {
        return None;
    }
    let root = win.document()?.document_element()?;
    let frame = JsValue::from_str(frame);
    let measured: JsValue = root.clone().into();
    let mut last = 0.0;
    // (The closure type of the other observers: no new glue.)
    let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
        // The root element's box: all the content, margins included, and
        // not the viewport's height (which the parent sets).
        // (getBoundingClientRect through js_sys: no DomRect binding needed.)
        let h = js_sys::Reflect::get(&measured, &"getBoundingClientRect".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call0(&measured).ok())
            .and_then(|r| js_sys::Reflect::get(&r, &"height".into()).ok())
            .and_then(|h| h.as_f64())
            .unwrap_or(0.0)
            .ceil();
        if h == last || h <= 0.0 {
            return;
        }
        last = h;
        let msg = js_sys::Object::new();
        for (k, v) in [
            ("type", JsValue::from_str("fanout:height")),
            ("height", h.into()),
            ("id", frame.clone()),
        ] {
            let _ = js_sys::Reflect::set(&msg, &k.into(), &v);
        }
        let _ = parent.post_message(&msg, "*");
    });
    let ctor: js_sys::Function = js_sys::Reflect::get(&win, &"ResizeObserver".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let obs = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(cb.as_ref())).ok()?;
    call(&obs, "observe", &root);
    Some((obs, cb))
}

/// Whether the reader asked for reduced motion.
pub(super) fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// The message of a key pressed on the page, unless it is typed into a
/// field or moves a slider.
fn key_message(e: &web_sys::KeyboardEvent) -> Option<Msg> {
    let key = e.key();
    let on_range = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.type_() == "range");
    if web::is_typing(e) || (on_range && key.starts_with("Arrow")) {
        return None;
    }
    presenter::action(&key, e.ctrl_key() || e.alt_key() || e.meta_key()).map(Msg::Key)
}

impl App {
    pub(super) fn request_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.browser.frame = Some(request_animation_frame(move |ts| {
            link.send_message(Msg::Frame(ts))
        }));
    }

    /// Keys, back/forward, tab visibility and file drops.
    pub(super) fn listen(&mut self, ctx: &Context<Self>) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let link = ctx.link().clone();
        let opts = EventListenerOptions::enable_prevent_default();
        let keys = EventListener::new_with_options(&doc, "keydown", opts, move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if let Some(msg) = key_message(e) {
                e.prevent_default();
                link.send_message(msg);
            }
        });
        let link = ctx.link().clone();
        let pop = EventListener::new(
            &web_sys::window().expect("a window").into(),
            "popstate",
            move |_| link.send_message(Msg::Link(LinkMsg::PopState)),
        );
        let link = ctx.link().clone();
        let vis = EventListener::new(&doc, "visibilitychange", move |_| {
            link.send_message(Msg::Run(RunMsg::Visibility))
        });
        let over = EventListener::new_with_options(&doc, "dragover", opts, |e| e.prevent_default());
        let link = ctx.link().clone();
        let drop = EventListener::new_with_options(&doc, "drop", opts, move |e| {
            e.prevent_default();
            let file = e
                .dyn_ref::<web_sys::DragEvent>()
                .and_then(|d| d.data_transfer())
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(f) = file {
                link.send_message(Msg::File(FileMsg::Import(f)));
            }
        });
        self.browser.listeners = vec![keys, pop, vis, over, drop];
    }

    /// Once mounted: removes index.html's placeholder; an embed reports
    /// its height to its host page.
    pub(super) fn mounted(&mut self) {
        if let Some(p) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("boot"))
        {
            p.remove();
        }
        if self.page.embed.embed {
            self.browser.sizer = post_height(&self.page.embed.frame);
        }
    }

    /// Watches whether the app is in view (an embed pauses out of view).
    pub(super) fn observe_root(&mut self, ctx: &Context<Self>) {
        self.mounted();
        let Some(el) = self.browser.root.cast::<web_sys::Element>() else {
            return;
        };
        let link = ctx.link().clone();
        let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(e) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
            {
                link.send_message(Msg::Run(RunMsg::InView(e.is_intersecting())));
            }
        });
        if let Ok(obs) = web_sys::IntersectionObserver::new(cb.as_ref().unchecked_ref()) {
            obs.observe(&el);
            self.browser.observer = Some((obs, cb));
        }
    }
}
