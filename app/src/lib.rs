//! The shared heart of tiempo real: domain types, their validation, the socket protocol, and
//! the Leptos pages. The server compiles it with `ssr`, the browser bundle with `hydrate`; both
//! therefore agree on every field, limit and message by construction.

// Leptos views are deeply nested types; the page tree needs more than the default 128.
#![recursion_limit = "256"]

/// What only a browser can do (sockets, HTTP, storage, uploads). One gate for all of it: the
/// server's build gets `inert.rs`, the same functions doing nothing.
#[cfg_attr(feature = "hydrate", path = "browser/web.rs")]
#[cfg_attr(not(feature = "hydrate"), path = "browser/inert.rs")]
pub mod browser;
pub mod components;
pub mod domain;
pub mod pages;
pub mod paths;
pub mod protocol;

pub use pages::{shell, App};
