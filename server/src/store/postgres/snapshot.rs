//! Reading the whole state: at start-up, and whenever an instance lost track of the log.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Connection, PgConnection, PgExecutor, PgPool};

use crate::live::{Loaded, CHAT_WINDOW as WINDOW};
use crate::store::{sql, StoreError};
use app::domain::{ChatMessage, Product};

/// Reads everything in one repeatable-read transaction, so the parts agree with `head`.
pub async fn load(connection: &mut PgConnection) -> Result<Loaded, sqlx::Error> {
    let mut tx = connection.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let head: i64 = sqlx::query_scalar(sql::LOG_HEAD)
        .fetch_one(&mut *tx)
        .await?;
    let epoch: String = sqlx::query_scalar(sql::EPOCH).fetch_one(&mut *tx).await?;
    let products: Vec<Json<Product>> = sqlx::query_scalar(sql::ALL_PRODUCTS)
        .fetch_all(&mut *tx)
        .await?;
    // One more than the window tells whether anything older exists.
    let mut latest_messages = newest(&mut *tx, WINDOW + 1, i64::MAX).await?;
    let complete = latest_messages.len() <= WINDOW;
    if !complete {
        latest_messages.remove(0);
    }
    tx.commit().await?;
    Ok(Loaded {
        products: products.into_iter().map(|Json(p)| p).collect(),
        latest_messages,
        complete,
        seq: head as u64,
        epoch,
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
    let rows: Vec<(i64, String, String, DateTime<Utc>)> = sqlx::query_as(sql::NEWEST_MESSAGES)
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

/// The product frames after change `since` up to `upto`, or `None` when the log was pruned
/// past `since`.
pub async fn product_changes(
    pool: &PgPool,
    since: u64,
    upto: u64,
) -> Result<Option<Vec<String>>, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let head: i64 = sqlx::query_scalar(sql::LOG_HEAD)
        .fetch_one(&mut *tx)
        .await?;
    let oldest: Option<i64> = sqlx::query_scalar(sql::OLDEST_CHANGE)
        .fetch_one(&mut *tx)
        .await?;
    if !sql::log_holds_after(since, oldest, head) {
        return Ok(None);
    }
    let frames: Vec<String> = sqlx::query_scalar(sql::PRODUCT_CHANGES)
        .bind(i64::try_from(since).unwrap_or(i64::MAX))
        .bind(i64::try_from(upto).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(sql::replayable(frames))
}
