//! What a database gives the one store (`engine`): its pools, the connection each write runs
//! on, and what becomes of a committed change there. `sqlite` and `postgres` implement
//! [`Backend`]; the engine knows no more of them.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};

use super::change::Publication;
use super::rows::Rows;
use super::StoreError;

/// The connection type of a backend's database.
pub type Conn<B> = <<B as Backend>::Db as Database>::Connection;

/// A store's connections.
pub struct Pools<DB: Database> {
    /// Where writes run (SQLite: one connection, for the staff's tables and the start; the
    /// store's own writes have a connection of their own, see [`Writer::Own`]).
    pub writer: Pool<DB>,
    /// Where reads run that memory cannot answer.
    pub reader: Pool<DB>,
}

/// The connection one write of the store runs on, held for that write.
pub enum Writer<'a, DB: Database> {
    /// One of the writing pool's (PostgreSQL: writers run side by side until the log's lock).
    Pooled(PoolConnection<DB>),
    /// The store's own, taken in turn (SQLite, one writer at a time): no pool between two
    /// writes, whose check of a connection given back (sqlx pings it) would hold up the next.
    Own(tokio::sync::MutexGuard<'a, DB::Connection>),
}

impl<DB: Database> Deref for Writer<'_, DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        match self {
            Writer::Pooled(connection) => connection,
            Writer::Own(connection) => connection,
        }
    }
}

impl<DB: Database> DerefMut for Writer<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Writer::Pooled(connection) => connection,
            Writer::Own(connection) => connection,
        }
    }
}

/// What a database gives the store: its pools, and what becomes of a committed change.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    type Db: Database<Connection: Rows>;
    fn pools(&self) -> &Pools<Self::Db>;
    /// The connection the store's next write runs on (its transactions, wipes and pruning):
    /// one of the writing pool's unless the database says otherwise.
    async fn writer(&self) -> Result<Writer<'_, Self::Db>, sqlx::Error> {
        Ok(Writer::Pooled(self.pools().writer.acquire().await?))
    }
    /// Right after COMMIT, with the writing connection still held (so the next write waits).
    fn committed(&self, publication: Publication);
    /// Once the connection is let go: returns when this instance shows change `seq`.
    async fn settled(&self, seq: u64);
    /// How long since this instance last had every change of a shared log applied.
    fn behind(&self) -> Duration;
    /// Records that this instance has `here` chat sockets open; how many all instances have.
    async fn presence(&self, here: u64) -> Result<u64, StoreError>;
}
