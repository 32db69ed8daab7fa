//! The shared heart of tiempo real: domain types, their validation, the socket protocol, and
//! the Leptos pages. The server compiles it with `ssr`, the browser bundle with `hydrate`; both
//! therefore agree on every field, limit and message by construction.

// Leptos views are deeply nested types; the page tree needs more than the default 128.
#![recursion_limit = "256"]

pub mod components;
pub mod domain;
pub mod pages;
pub mod paths;
pub mod protocol;
#[cfg(feature = "hydrate")]
pub mod socket;

pub use pages::{shell, App};
