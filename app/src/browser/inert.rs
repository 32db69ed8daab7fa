//! The server's side of `web.rs`: the same functions. Those about the page do nothing: islands
//! call them only from effects and event handlers, which the server never runs, and they exist
//! so that the islands' code is one text for both builds. [`decompose`] is real: the server
//! searches with it.

use leptos::html;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::components::{LinkState, Outbox};
use crate::domain::product_form::ProductForm;
use crate::protocol::Resumable;

/// The canonical decomposition (NFD) of `c`, from the Unicode tables compiled in.
pub fn decompose(c: char, each: impl FnMut(char)) {
    unicode_normalization::char::decompose_canonical(c, each);
}

pub fn stay_connected<E: DeserializeOwned + Resumable + 'static>(
    _path: &'static str,
    _limit: Option<u64>,
    _link: WriteSignal<LinkState>,
    _outbox: Outbox,
    _on_event: impl Fn(E) + 'static,
) {
}

pub struct Fetched<T> {
    pub body: T,
    pub headers: Vec<u64>,
}

pub async fn get_json<T: DeserializeOwned>(_url: &str, _headers: &[&str]) -> Option<Fetched<T>> {
    None
}

pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    _url: &str,
    _body: &B,
) -> Result<T, String> {
    Err(String::new())
}

pub async fn delete(_url: &str) -> Result<(), String> {
    Err(String::new())
}

pub mod storage {
    pub fn load(_key: &str) -> Option<String> {
        None
    }

    pub fn save(_key: &str, _value: &str) {}

    pub fn forget(_key: &str) {}
}

pub fn keep_in_place(_id: u64) {}

pub fn read_form(_form: &NodeRef<html::Form>) -> Option<ProductForm> {
    None
}

pub fn upload(
    _url: &str,
    _content_type: &str,
    _input: &NodeRef<html::Input>,
    _progress: impl Fn(f64) + 'static,
    _done: impl FnOnce(u16, String) + 'static,
) -> bool {
    false
}

#[derive(Clone, Copy)]
pub struct Watch;

impl Watch {
    pub fn again(&self) {}
}

pub fn when_visible(
    _target: NodeRef<html::Div>,
    _margin_px: u32,
    _seen: impl Fn() + 'static,
) -> Watch {
    Watch
}
