//! The record of changes as the store keeps it: one row per product per change (see
//! `migrations/*/0003_product_history.sql`), written in the transaction of the change itself,
//! so a change is never without its record nor a record without its change.

use chrono::{DateTime, Utc};
use serde::Serialize;

use app::domain::history::{ChangeKind, HistoryEntry, RemovedProduct};
use app::domain::Product;

/// How long the record is kept at least (pruned beyond that, hourly).
pub const KEEP_HISTORY_DAYS: i64 = 90;

/// A record row as written (the JSON array of `Dialect::record_history`).
#[derive(Serialize)]
pub struct HistoryRow<'a> {
    pub product_id: i64,
    pub seq: i64,
    /// RFC 3339 with milliseconds in UTC: it sorts as text in SQLite as it does in time.
    pub at: String,
    pub actor: Option<&'a str>,
    pub kind: &'static str,
    pub product: &'a Product,
}

/// The rows recording that `kind` happened to each product, with the change numbered beside
/// it, by `actor`, now.
pub fn rows<'a>(
    kind: ChangeKind,
    actor: Option<&'a str>,
    changed: impl IntoIterator<Item = (&'a Product, u64)>,
) -> Vec<HistoryRow<'a>> {
    let at = now();
    changed
        .into_iter()
        .map(|(product, seq)| HistoryRow::new(kind, actor, product, seq, at.clone()))
        .collect()
}

/// The row recording that `kind` happened to `product` by `actor`, now, numbered `seq`.
pub fn row<'a>(
    kind: ChangeKind,
    actor: Option<&'a str>,
    product: &'a Product,
    seq: u64,
) -> HistoryRow<'a> {
    HistoryRow::new(kind, actor, product, seq, now())
}

impl<'a> HistoryRow<'a> {
    fn new(
        kind: ChangeKind,
        actor: Option<&'a str>,
        product: &'a Product,
        seq: u64,
        at: String,
    ) -> HistoryRow<'a> {
        HistoryRow {
            product_id: product.id as i64,
            seq: seq as i64,
            at,
            actor,
            kind: kind.name(),
            product,
        }
    }
}

/// Now, as `HistoryRow::at` keeps it.
fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A record row as read: `seq, at, actor, kind, product`.
pub type StoredEntry = (
    i64,
    DateTime<Utc>,
    Option<String>,
    String,
    sqlx::types::Json<Product>,
);

pub fn entry((seq, at, actor, kind, product): StoredEntry) -> Result<HistoryEntry, sqlx::Error> {
    let kind = ChangeKind::from_name(&kind)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown change kind {kind:?}").into()))?;
    Ok(HistoryEntry {
        seq: seq as u64,
        at,
        actor,
        kind,
        product: product.0,
    })
}

/// A removed product as read: `seq, product, at, actor`.
pub type StoredRemoval = (
    i64,
    sqlx::types::Json<Product>,
    DateTime<Utc>,
    Option<String>,
);

pub fn removal((seq, product, at, actor): StoredRemoval) -> RemovedProduct {
    RemovedProduct {
        seq: seq as u64,
        product: product.0,
        at,
        actor,
    }
}
