//! The reads memory cannot answer, once for both stores: the whole state (at start-up, and
//! when an instance lost track of the log) and the product changes a resumed socket missed.
//! Each runs in a read transaction that sees one state throughout (`Rows::read_snapshot`).

use super::change::{Snapshot, CATALOG_RELOAD};
use super::rows::{Counter, Rows};
use super::sql;
use app::protocol::CHAT_RESUME_LIMIT;

/// How many of the newest messages the views keep in memory: enough to resume a chat socket
/// that missed as many as may be resumed (the message it last had is among them too).
pub const CHAT_WINDOW: usize = CHAT_RESUME_LIMIT + 1;

/// Everything the views show, as of the log's head.
pub async fn snapshot(tx: &mut impl Rows) -> Result<Snapshot, sqlx::Error> {
    tx.read_snapshot().await?;
    let seq = tx.head(Counter::Log).await? as u64;
    let epoch = tx.epoch().await?;
    let products = tx.all_products().await?;
    // One more than the window tells whether anything older exists.
    let mut latest_messages = tx.newest_messages(CHAT_WINDOW + 1, i64::MAX).await?;
    let complete = latest_messages.len() <= CHAT_WINDOW;
    if !complete {
        latest_messages.remove(0);
    }
    Ok(Snapshot {
        products,
        latest_messages,
        complete,
        seq,
        epoch,
    })
}

/// The events of the product changes after `since` up to `upto`, in order; `None` when the log
/// no longer holds all of them, or one of them is a large import's "reload" (a socket resuming
/// across it needs a snapshot).
pub async fn missed_product_events(
    tx: &mut impl Rows,
    since: u64,
    upto: u64,
) -> Result<Option<Vec<String>>, sqlx::Error> {
    tx.read_snapshot().await?;
    let head = tx.head(Counter::Log).await?;
    let oldest = tx.oldest_change().await?;
    if !sql::log_holds_after(since, oldest, head) {
        return Ok(None);
    }
    let as_row = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let events = tx.product_events(as_row(since), as_row(upto)).await?;
    Ok((!events.iter().any(|event| event == CATALOG_RELOAD)).then_some(events))
}
