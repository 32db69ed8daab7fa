//! tiempo real's server: the product catalog and the chat, over HTTP, WebSockets and
//! server-rendered pages. See `settings` for its flags and environment variables (`--help`).
//!
//! A library beside the `server` binary so that the benchmark (`src/bin/bench`) seeds its
//! stores through the very store code the server runs ([`store`]), and the tests and the
//! benchmark start servers on sockets they bound themselves ([`harness`]).

// Leptos views are deeply nested types; the page tree needs more than the default 128.
#![recursion_limit = "256"]

mod auth;
mod catalog;
mod catalog_csv;
mod chat_room;
mod commands;
mod config;
mod error;
mod fanout;
mod guard;
pub mod harness;
mod http;
mod live;
mod params;
mod presence;
mod routes;
mod serve;
mod settings;
mod start_error;
mod state;
pub mod store;
mod team;
mod telemetry;
mod ws;

pub use serve::main;
