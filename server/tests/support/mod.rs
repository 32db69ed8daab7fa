//! What the suites share: real server processes ([`TestServer`]), their sockets, the stores
//! they run on, staff logins, and the data the tests write.
//!
//! Every test says on which stores it runs, by the macro it is written in: [`on_each_store!`]
//! (the usual case: the test runs once on SQLite and once on PostgreSQL), [`on_sqlite!`] or
//! [`on_postgres!`] (tests about one store). A server started outside them panics, so a new
//! suite cannot run on one store by accident.
#![allow(dead_code, unused_imports, unused_macros)] // each test file uses its own part of this

mod client;
pub mod cluster;
mod data;
pub mod pg;
mod server;
mod socket;
pub mod staff;

use std::cell::Cell;
use std::future::Future;

pub use data::{acknowledged, assert_all_kept, by_id, gather_writers, lines, product, Progress};
pub use server::TestServer;
pub use socket::Socket;

/// The stores a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// A fresh data directory per server.
    Sqlite,
    /// A fresh database per server, on the run's cluster (`TEST_DATABASE_URL`).
    Postgres,
}

thread_local! {
    static STORE: Cell<Option<Store>> = const { Cell::new(None) };
}

/// The store of the test running on this thread.
pub fn current_store() -> Store {
    STORE.with(Cell::get).expect(
        "a test that starts servers must say on which stores it runs: write it inside \
         on_each_store!, on_sqlite! or on_postgres! (tests/support/mod.rs)",
    )
}

/// Runs `test` on `store`, on a runtime of its own (as `#[tokio::test]` does).
pub fn run<F: Future<Output = ()>>(store: Store, test: impl FnOnce() -> F) {
    STORE.with(|current| current.set(Some(store)));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the test")
        .block_on(test());
}

/// Tests that run on both stores: each `async fn name() { ... }` becomes `name::sqlite` and
/// `name::postgres`.
macro_rules! on_each_store {
    ($($(#[$attribute:meta])* async fn $name:ident() $body:block)*) => {$(
        $(#[$attribute])*
        mod $name {
            use super::*;
            async fn body() $body
            #[test]
            fn sqlite() {
                $crate::support::run($crate::support::Store::Sqlite, body);
            }
            #[test]
            fn postgres() {
                $crate::support::run($crate::support::Store::Postgres, body);
            }
        }
    )*};
}

/// Tests about SQLite alone (its file, its directory lock).
macro_rules! on_sqlite {
    ($($(#[$attribute:meta])* async fn $name:ident() $body:block)*) => {$(
        $(#[$attribute])*
        #[test]
        fn $name() {
            $crate::support::run($crate::support::Store::Sqlite, || async $body);
        }
    )*};
}

/// Tests about PostgreSQL alone (several instances, the database going away).
macro_rules! on_postgres {
    ($($(#[$attribute:meta])* async fn $name:ident() $body:block)*) => {$(
        $(#[$attribute])*
        #[test]
        fn $name() {
            $crate::support::run($crate::support::Store::Postgres, || async $body);
        }
    )*};
}

pub(crate) use {on_each_store, on_postgres, on_sqlite};
