//! Noticing that an element came into view (the end of a list scrolled to), without a handler
//! on every scroll event.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// Watches one element; see [`when_visible`].
#[derive(Clone, Copy)]
pub struct Watch {
    target: NodeRef<html::Div>,
    observer: StoredValue<Option<IntersectionObserver>, LocalStorage>,
}

impl Watch {
    /// Asks again whether the element is in view (and calls back if it is): after the content
    /// around it changed, it may still be in view without having come into it.
    pub fn again(&self) {
        let Some(element) = self.target.get_untracked() else {
            return;
        };
        self.observer.with_value(|observer| {
            if let Some(observer) = observer {
                observer.unobserve(&element);
                observer.observe(&element);
            }
        });
    }
}

/// Calls `seen` whenever `target` comes within `margin_px` of the viewport, for as long as the
/// page lives.
pub fn when_visible(
    target: NodeRef<html::Div>,
    margin_px: u32,
    seen: impl Fn() + 'static,
) -> Watch {
    let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let visible = entries.iter().any(|entry| {
            entry
                .dyn_into::<IntersectionObserverEntry>()
                .is_ok_and(|e| e.is_intersecting())
        });
        if visible {
            seen();
        }
    });
    let options = IntersectionObserverInit::new();
    options.set_root_margin(&format!("{margin_px}px"));
    let observer =
        IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options).ok();
    // One observer per page, alive as long as the page.
    callback.forget();
    let watch = Watch {
        target,
        observer: StoredValue::new_local(observer),
    };
    Effect::new(move |_| {
        if target.get().is_some() {
            watch.again();
        }
    });
    watch
}
