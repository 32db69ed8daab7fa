//! What only a browser can do, for the islands: keep a socket open, fetch JSON, remember the
//! chat's email, read a form, upload a file with its progress, notice an element scrolled into
//! view. The server's build gets `inert.rs` instead, the same functions doing nothing: islands
//! call them from effects and event handlers, which never run while the server renders.

mod socket;
mod upload;
mod visible;

use leptos::html;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::components::{LinkState, Outbox};
use crate::domain::product_form::ProductForm;
use crate::protocol::{Resumable, ResumePoint};

pub use upload::upload;
pub use visible::when_visible;

/// Keeps a socket to `path` open for the life of the page, handing each server frame, parsed
/// as `E`, to `on_event`. Frames that do not parse are ignored: the server only sends `E`.
/// After a reconnect it resumes from the last frame it had (see [`ResumePoint`]), so a blip in
/// which nothing changed costs one small frame instead of the whole list. `limit`: the first
/// frame holds the first `limit` items only.
pub fn stay_connected<E: DeserializeOwned + Resumable + 'static>(
    path: &'static str,
    limit: Option<u64>,
    link: WriteSignal<LinkState>,
    outbox: Outbox,
    on_event: impl Fn(E) + 'static,
) {
    let point = StoredValue::new_local(ResumePoint::default());
    let url = move || {
        let mut start = point.with_value(ResumePoint::start);
        start.limit = limit;
        format!("{path}{}", start.query())
    };
    socket::keep_connected(url, link, outbox, move |text| {
        if let Ok(event) = serde_json::from_str::<E>(&text) {
            point.update_value(|p| p.note(&event));
            on_event(event);
        }
    });
}

/// A successful `GET` of `url`: its JSON body, and a header's value read as a number.
pub struct Fetched<T> {
    pub body: T,
    pub headers: Vec<u64>,
}

/// `GET url`, its JSON body and the numbers in `headers` (0 for one missing); `None` on any
/// failure (offline, an error status, a body that does not parse).
pub async fn get_json<T: DeserializeOwned>(url: &str, headers: &[&str]) -> Option<Fetched<T>> {
    let response = gloo_net::http::Request::get(url).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    let numbers = headers
        .iter()
        .map(|name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    let body = response.json::<T>().await.ok()?;
    Some(Fetched {
        body,
        headers: numbers,
    })
}

/// `POST url` with `body` as JSON: the answer's JSON body, or the sentence to show (the
/// server's own `error`, or that the request did not get through).
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, String> {
    let unreachable = |_| crate::components::OFFLINE.to_string();
    let response = gloo_net::http::Request::post(url)
        .json(body)
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    if response.ok() {
        return response.json::<T>().await.map_err(unreachable);
    }
    Err(refusal(response).await)
}

/// `DELETE url`: done, or the sentence to show (the server's own `error`, or that the request
/// did not get through).
pub async fn delete(url: &str) -> Result<(), String> {
    let response = gloo_net::http::Request::delete(url)
        .send()
        .await
        .map_err(|_| crate::components::OFFLINE.to_string())?;
    if response.ok() {
        return Ok(());
    }
    Err(refusal(response).await)
}

/// What an error answer says: the server's own `error`, or its status.
async fn refusal(response: gloo_net::http::Response) -> String {
    match response.json::<crate::domain::Invalid>().await {
        Ok(refused) => refused.error,
        Err(_) => format!("El servidor respondió {}", response.status()),
    }
}

/// `localStorage`.
pub mod storage {
    fn local() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    pub fn load(key: &str) -> Option<String> {
        local()?.get_item(key).ok().flatten()
    }

    pub fn save(key: &str, value: &str) {
        if let Some(storage) = local() {
            let _ = storage.set_item(key, value);
        }
    }

    pub fn forget(key: &str) {
        if let Some(storage) = local() {
            let _ = storage.remove_item(key);
        }
    }
}

/// The canonical decomposition (NFD) of `c`, a character at a time. The browser asks its own
/// JavaScript engine, which has the Unicode tables already: compiling them into the WASM would
/// add 127 KB to every page load.
pub fn decompose(c: char, each: impl FnMut(char)) {
    let decomposed: String = js_sys::JsString::from(c.to_string())
        .normalize("NFD")
        .into();
    decomposed.chars().for_each(each);
}

/// Keeps the card of product `id` where it is on the screen across the change about to be
/// drawn: measures it now, and once the change is drawn scrolls the window by however far it
/// moved. The browser's own scroll anchoring is off for the list (see the style sheet): it
/// picks the element to keep by itself, and below a list end in view it picks the chat, so
/// every page loaded would leave the end in view and load the next.
pub fn keep_in_place(id: u64) {
    let element_top = move || {
        let element = document().get_element_by_id(&format!("product-{id}"))?;
        Some(element.get_bounding_client_rect().top())
    };
    let Some(before) = element_top() else {
        return;
    };
    request_animation_frame(move || {
        if let Some(after) = element_top() {
            window().scroll_by_with_x_and_y(0.0, after - before);
        }
    });
}

/// What is typed in a product form now.
pub fn read_form(form: &NodeRef<html::Form>) -> Option<ProductForm> {
    let form = form.get_untracked()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let text = |name: &str| data.get(name).as_string().unwrap_or_default();
    Some(ProductForm {
        title: text("title"),
        description: text("description"),
        code: text("code"),
        price: text("price"),
        status: data.has("status").then(|| text("status")),
        stock: text("stock"),
        category: text("category"),
        thumbnails: text("thumbnails"),
    })
}
