//! Reading the whole state: at start-up, and whenever an instance lost track of the log.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Connection, PgConnection, PgExecutor, PgPool};

use crate::live::CHAT_WINDOW as WINDOW;
use crate::store::StoreError;
use app::domain::{ChatMessage, Product};

/// The catalog and the newest messages as of change number `head`.
pub struct Snapshot {
    pub head: i64,
    pub products: Vec<Product>,
    /// Ascending by id, at most the chat view's window.
    pub latest_messages: Vec<ChatMessage>,
    /// Whether `latest_messages` is every message there is.
    pub complete: bool,
}

/// Reads everything in one repeatable-read transaction, so the parts agree with `head`.
pub async fn load(connection: &mut PgConnection) -> Result<Snapshot, sqlx::Error> {
    let mut tx = connection.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let head: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'log'")
        .fetch_one(&mut *tx)
        .await?;
    let products: Vec<Json<Product>> = sqlx::query_scalar("SELECT data FROM products ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    // One more than the window tells whether anything older exists.
    let mut latest_messages = newest(&mut *tx, WINDOW + 1, i64::MAX).await?;
    let complete = latest_messages.len() <= WINDOW;
    if !complete {
        latest_messages.remove(0);
    }
    tx.commit().await?;
    Ok(Snapshot {
        head,
        products: products.into_iter().map(|Json(p)| p).collect(),
        latest_messages,
        complete,
    })
}

/// The last `limit` messages with an id below `before` (all when `None`), oldest first.
pub async fn messages(
    pool: &PgPool,
    limit: usize,
    before: Option<u64>,
) -> Result<Vec<ChatMessage>, StoreError> {
    let before = before.map_or(i64::MAX, |id| i64::try_from(id).unwrap_or(i64::MAX));
    Ok(newest(pool, limit, before).await?)
}

async fn newest<'e>(
    executor: impl PgExecutor<'e>,
    limit: usize,
    before: i64,
) -> Result<Vec<ChatMessage>, sqlx::Error> {
    let rows: Vec<(i64, String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, email, text, sent_at FROM \
           (SELECT id, email, text, sent_at FROM messages WHERE id < $1 ORDER BY id DESC LIMIT $2) \
         AS newest ORDER BY id",
    )
    .bind(before)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(executor)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, text, sent_at)| ChatMessage {
            id: id as u64,
            email,
            text,
            sent_at,
        })
        .collect())
}
