//! Every statement a store runs, as one method each on the connection of either database, so
//! that what a write does (`writes`) and what a read does (`reads`) is written once, over
//! [`Rows`], for both.
//!
//! The methods are the same code for SQLite and PostgreSQL: sqlx's typed queries take the same
//! binds on both connection types, so [`rows_for!`] writes that code once and each dialect
//! module states it for its own connection, with its `sql::Dialect`.

use serde::Serialize;

use super::change::Change;
use super::history::HistoryRow;
use app::domain::history::{HistoryEntry, RemovedProduct};
use app::domain::{ChatMessage, Product};

/// The store's counters: `log` numbers every change, the others give ids.
#[derive(Clone, Copy, Debug)]
pub enum Counter {
    Log,
    Product,
    Message,
}

impl Counter {
    pub fn name(self) -> &'static str {
        match self {
            Counter::Log => "log",
            Counter::Product => "product",
            Counter::Message => "message",
        }
    }
}

/// A message as its row is written (the JSON array of `Dialect::insert_messages`).
#[derive(Serialize)]
pub struct MessageRow<'a> {
    pub id: i64,
    /// The number of its change in the log (none for messages carried over from an earlier
    /// version's files, which were never logged).
    pub seq: Option<i64>,
    pub email: &'a str,
    pub text: &'a str,
    /// RFC 3339 with milliseconds, as stored (SQLite) or parsed (PostgreSQL).
    pub sent_at: String,
    pub staff: bool,
}

impl<'a> MessageRow<'a> {
    pub fn of(message: &'a ChatMessage, seq: Option<u64>) -> MessageRow<'a> {
        MessageRow {
            id: message.id as i64,
            seq: seq.map(|seq| seq as i64),
            email: &message.email,
            text: &message.text,
            sent_at: message
                .sent_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            staff: message.staff,
        }
    }
}

/// A change as its row is written (the JSON array of `Dialect::record_changes`).
#[derive(Serialize)]
struct ChangeRow<'a> {
    seq: i64,
    channel: &'static str,
    event: &'a str,
}

/// The rows of a change log entry for each of `changes`.
pub fn change_rows(changes: &[Change]) -> sqlx::types::Json<Vec<impl Serialize + '_>> {
    sqlx::types::Json(
        changes
            .iter()
            .map(|change| ChangeRow {
                seq: change.seq as i64,
                channel: change.channel.name(),
                event: &change.event,
            })
            .collect(),
    )
}

/// The statements, on a connection (or in a transaction) of either database. Inserts and
/// updates of a product return sqlx's own error, so that a taken code can be told apart.
#[async_trait::async_trait]
pub trait Rows: Send {
    async fn next(&mut self, counter: Counter) -> Result<i64, sqlx::Error>;
    /// The next number of the log and the next of `counter`: `(seq, id)`.
    async fn next_with_log(&mut self, counter: Counter) -> Result<(i64, i64), sqlx::Error>;
    /// Takes `count` numbers at once; the last one taken.
    async fn take(&mut self, counter: Counter, count: usize) -> Result<i64, sqlx::Error>;
    async fn lock_log(&mut self) -> Result<(), sqlx::Error>;
    async fn read_snapshot(&mut self) -> Result<(), sqlx::Error>;
    async fn largest_counter(&mut self) -> Result<i64, sqlx::Error>;
    /// The last number `counter` gave: the last change of the log, the last id.
    async fn head(&mut self, counter: Counter) -> Result<i64, sqlx::Error>;
    async fn epoch(&mut self) -> Result<String, sqlx::Error>;
    async fn product(&mut self, id: i64) -> Result<Option<Product>, sqlx::Error>;
    async fn all_products(&mut self) -> Result<Vec<Product>, sqlx::Error>;
    async fn products_with_codes(&mut self, codes: &[String]) -> Result<Vec<Product>, sqlx::Error>;
    async fn insert_product(&mut self, product: &Product) -> Result<(), sqlx::Error>;
    async fn update_product(&mut self, product: &Product) -> Result<(), sqlx::Error>;
    async fn delete_product(&mut self, id: i64) -> Result<Option<Product>, sqlx::Error>;
    async fn insert_products(&mut self, batch: &[Product]) -> Result<(), sqlx::Error>;
    async fn update_products(&mut self, batch: &[Product]) -> Result<(), sqlx::Error>;
    async fn insert_messages(&mut self, rows: &[MessageRow<'_>]) -> Result<(), sqlx::Error>;
    /// The last `limit` messages with an id below `before`, oldest first.
    async fn newest_messages(
        &mut self,
        limit: usize,
        before: i64,
    ) -> Result<Vec<ChatMessage>, sqlx::Error>;
    async fn record_changes(&mut self, changes: &[Change]) -> Result<(), sqlx::Error>;
    async fn oldest_change(&mut self) -> Result<Option<i64>, sqlx::Error>;
    /// The events of the product changes after `since` up to `upto`, in order.
    async fn product_events(&mut self, since: i64, upto: i64) -> Result<Vec<String>, sqlx::Error>;
    /// `(seq, channel, event)` of at most `limit` changes after `seq`, in order.
    async fn changes_after(
        &mut self,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>, sqlx::Error>;
    async fn prune_changes(&mut self) -> Result<u64, sqlx::Error>;
    async fn record_history(&mut self, rows: &[HistoryRow<'_>]) -> Result<(), sqlx::Error>;
    /// Records one product's change: `change` in the log and `row` in the record, together
    /// (one round trip to the database instead of two: most writes are of one product).
    async fn record_product_change(
        &mut self,
        change: &Change,
        row: &HistoryRow<'_>,
    ) -> Result<(), sqlx::Error>;
    /// Deletes message `id`; whether it existed.
    /// Deletes message `id`: `None` when there was none, else the number of its change (when
    /// it was stored with one).
    async fn delete_message(&mut self, id: i64) -> Result<Option<Option<i64>>, sqlx::Error>;
    /// From now on, what is deleted is overwritten in the database's files (where they would
    /// keep it), until [`Rows::stop_wiping`].
    async fn wipe_deleted(&mut self) -> Result<(), sqlx::Error>;
    /// Back to ordinary deletes, and the write-ahead log emptied of the pages that held what
    /// was deleted (outside any transaction).
    async fn stop_wiping(&mut self) -> Result<(), sqlx::Error>;
    /// Writes `event` over the logged event of message `id`.
    /// Writes `event` over the logged event of message `id`, numbered `seq` when known.
    async fn erase_message_event(
        &mut self,
        id: i64,
        seq: Option<i64>,
        event: &str,
    ) -> Result<(), sqlx::Error>;
    /// Deletes every message of `email`: each one's id and the number of its change (when it
    /// was stored with one).
    async fn purge_messages(&mut self, email: &str)
        -> Result<Vec<(i64, Option<i64>)>, sqlx::Error>;
    /// Writes each message's removal over its logged event, for the changes numbered `seqs`.
    async fn erase_purged_events(&mut self, seqs: &[i64]) -> Result<(), sqlx::Error>;
    /// The record of product `id`, newest first, at most `limit` entries.
    async fn history(&mut self, id: i64, limit: i64) -> Result<Vec<HistoryEntry>, sqlx::Error>;
    async fn history_entry(
        &mut self,
        id: i64,
        seq: i64,
    ) -> Result<Option<HistoryEntry>, sqlx::Error>;
    /// The products removed and not back since, newest removal first.
    async fn removed(&mut self, limit: i64) -> Result<Vec<RemovedProduct>, sqlx::Error>;
    /// Deletes the record's rows past `KEEP_HISTORY_DAYS` of the products with ids in `ids`.
    async fn prune_history(&mut self, ids: std::ops::Range<i64>) -> Result<u64, sqlx::Error>;
}

/// Implements [`Rows`] for a connection type of sqlx, with that database's [`Dialect`].
macro_rules! rows_for {
    ($connection:ty, $dialect:expr) => {
        #[async_trait::async_trait]
        impl $crate::store::rows::Rows for $connection {
            async fn next(
                &mut self,
                counter: $crate::store::rows::Counter,
            ) -> Result<i64, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::NEXT)
                    .bind(counter.name())
                    .fetch_one(&mut *self)
                    .await
            }

            async fn next_with_log(
                &mut self,
                counter: $crate::store::rows::Counter,
            ) -> Result<(i64, i64), sqlx::Error> {
                let Some(both) = $dialect.next_with_log else {
                    let seq = self.next($crate::store::rows::Counter::Log).await?;
                    return Ok((seq, self.next(counter).await?));
                };
                let taken: Vec<(String, i64)> = sqlx::query_as(both)
                    .bind(counter.name())
                    .fetch_all(&mut *self)
                    .await?;
                let value = |name: &str| {
                    taken
                        .iter()
                        .find(|(taken, _)| taken == name)
                        .map(|(_, value)| *value)
                        .ok_or(sqlx::Error::RowNotFound)
                };
                Ok((value("log")?, value(counter.name())?))
            }

            async fn take(
                &mut self,
                counter: $crate::store::rows::Counter,
                count: usize,
            ) -> Result<i64, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::TAKE)
                    .bind(counter.name())
                    .bind(count as i64)
                    .fetch_one(&mut *self)
                    .await
            }

            async fn lock_log(&mut self) -> Result<(), sqlx::Error> {
                if let Some(lock) = $dialect.lock_log {
                    sqlx::query(lock).execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn read_snapshot(&mut self) -> Result<(), sqlx::Error> {
                if let Some(snapshot) = $dialect.read_snapshot {
                    sqlx::query(snapshot).execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn largest_counter(&mut self) -> Result<i64, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::LARGEST_COUNTER)
                    .fetch_one(&mut *self)
                    .await
            }

            async fn head(
                &mut self,
                counter: $crate::store::rows::Counter,
            ) -> Result<i64, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::HEAD)
                    .bind(counter.name())
                    .fetch_one(&mut *self)
                    .await
            }

            async fn epoch(&mut self) -> Result<String, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::EPOCH)
                    .fetch_one(&mut *self)
                    .await
            }

            async fn product(
                &mut self,
                id: i64,
            ) -> Result<Option<app::domain::Product>, sqlx::Error> {
                let stored: Option<sqlx::types::Json<app::domain::Product>> =
                    sqlx::query_scalar($crate::store::sql::PRODUCT)
                        .bind(id)
                        .fetch_optional(&mut *self)
                        .await?;
                Ok(stored.map(|json| json.0))
            }

            async fn all_products(&mut self) -> Result<Vec<app::domain::Product>, sqlx::Error> {
                let all: Vec<sqlx::types::Json<app::domain::Product>> =
                    sqlx::query_scalar($crate::store::sql::ALL_PRODUCTS)
                        .fetch_all(&mut *self)
                        .await?;
                Ok(all.into_iter().map(|json| json.0).collect())
            }

            async fn products_with_codes(
                &mut self,
                codes: &[String],
            ) -> Result<Vec<app::domain::Product>, sqlx::Error> {
                let found: Vec<sqlx::types::Json<app::domain::Product>> =
                    sqlx::query_scalar($dialect.products_with_codes)
                        .bind(sqlx::types::Json(codes))
                        .fetch_all(&mut *self)
                        .await?;
                Ok(found.into_iter().map(|json| json.0).collect())
            }

            async fn insert_product(
                &mut self,
                product: &app::domain::Product,
            ) -> Result<(), sqlx::Error> {
                write_product(self, $crate::store::sql::INSERT_PRODUCT, product).await
            }

            async fn update_product(
                &mut self,
                product: &app::domain::Product,
            ) -> Result<(), sqlx::Error> {
                write_product(self, $crate::store::sql::UPDATE_PRODUCT, product).await
            }

            async fn delete_product(
                &mut self,
                id: i64,
            ) -> Result<Option<app::domain::Product>, sqlx::Error> {
                let removed: Option<sqlx::types::Json<app::domain::Product>> =
                    sqlx::query_scalar($crate::store::sql::DELETE_PRODUCT)
                        .bind(id)
                        .fetch_optional(&mut *self)
                        .await?;
                Ok(removed.map(|json| json.0))
            }

            async fn insert_products(
                &mut self,
                batch: &[app::domain::Product],
            ) -> Result<(), sqlx::Error> {
                write_json(
                    self,
                    $dialect.insert_products,
                    sqlx::types::Json(batch),
                    None,
                )
                .await
            }

            async fn update_products(
                &mut self,
                batch: &[app::domain::Product],
            ) -> Result<(), sqlx::Error> {
                write_json(
                    self,
                    $dialect.update_products,
                    sqlx::types::Json(batch),
                    None,
                )
                .await
            }

            async fn insert_messages(
                &mut self,
                rows: &[$crate::store::rows::MessageRow<'_>],
            ) -> Result<(), sqlx::Error> {
                write_json(
                    self,
                    $dialect.insert_messages,
                    sqlx::types::Json(rows),
                    None,
                )
                .await
            }

            async fn newest_messages(
                &mut self,
                limit: usize,
                before: i64,
            ) -> Result<Vec<app::domain::ChatMessage>, sqlx::Error> {
                let rows: Vec<(i64, String, String, chrono::DateTime<chrono::Utc>, bool)> =
                    sqlx::query_as($crate::store::sql::NEWEST_MESSAGES)
                        .bind(before)
                        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                        .fetch_all(&mut *self)
                        .await?;
                Ok(rows
                    .into_iter()
                    .map(
                        |(id, email, text, sent_at, staff)| app::domain::ChatMessage {
                            id: id as u64,
                            email,
                            text,
                            sent_at,
                            staff,
                        },
                    )
                    .collect())
            }

            async fn record_changes(
                &mut self,
                changes: &[$crate::store::change::Change],
            ) -> Result<(), sqlx::Error> {
                let last = changes.last().map_or(0, |change| change.seq as i64);
                let rows = $crate::store::rows::change_rows(changes);
                write_json(self, $dialect.record_changes, rows, Some(last)).await
            }

            async fn oldest_change(&mut self) -> Result<Option<i64>, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::OLDEST_CHANGE)
                    .fetch_one(&mut *self)
                    .await
            }

            async fn product_events(
                &mut self,
                since: i64,
                upto: i64,
            ) -> Result<Vec<String>, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::PRODUCT_EVENTS)
                    .bind(since)
                    .bind(upto)
                    .fetch_all(&mut *self)
                    .await
            }

            async fn changes_after(
                &mut self,
                seq: i64,
                limit: i64,
            ) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::CHANGES_AFTER)
                    .bind(seq)
                    .bind(limit)
                    .fetch_all(&mut *self)
                    .await
            }

            async fn prune_changes(&mut self) -> Result<u64, sqlx::Error> {
                let done = sqlx::query($dialect.prune_changes)
                    .bind($crate::store::sql::KEEP_CHANGES_SECS)
                    .bind($crate::store::sql::KEEP_LATEST_CHANGES)
                    .execute(&mut *self)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn record_history(
                &mut self,
                rows: &[$crate::store::history::HistoryRow<'_>],
            ) -> Result<(), sqlx::Error> {
                write_json(self, $dialect.record_history, sqlx::types::Json(rows), None).await
            }

            async fn record_product_change(
                &mut self,
                change: &$crate::store::change::Change,
                row: &$crate::store::history::HistoryRow<'_>,
            ) -> Result<(), sqlx::Error> {
                sqlx::query($dialect.record_product_change)
                    .bind(change.seq as i64)
                    .bind(change.channel.name())
                    .bind(&change.event)
                    .bind(row.product_id)
                    .bind(&row.at)
                    .bind(row.actor)
                    .bind(row.kind)
                    .bind(sqlx::types::Json(row.product))
                    .execute(&mut *self)
                    .await
                    .map(drop)
            }
            async fn delete_message(
                &mut self,
                id: i64,
            ) -> Result<Option<Option<i64>>, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::DELETE_MESSAGE)
                    .bind(id)
                    .fetch_optional(&mut *self)
                    .await
            }

            async fn wipe_deleted(&mut self) -> Result<(), sqlx::Error> {
                if let Some(wipe) = &$dialect.wipe {
                    sqlx::query(wipe.on).execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn stop_wiping(&mut self) -> Result<(), sqlx::Error> {
                if let Some(wipe) = &$dialect.wipe {
                    sqlx::query(wipe.off).execute(&mut *self).await?;
                    sqlx::query(wipe.after_commit).execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn erase_message_event(
                &mut self,
                id: i64,
                seq: Option<i64>,
                event: &str,
            ) -> Result<(), sqlx::Error> {
                // By key; a message stored before its change was noted is looked for.
                let scan: &'static str = $dialect.erase_message_event;
                let (statement, key) = match seq {
                    Some(seq) => ($crate::store::sql::ERASE_CHANGE, seq),
                    None => (scan, id),
                };
                sqlx::query(statement)
                    .bind(key)
                    .bind(event)
                    .execute(&mut *self)
                    .await
                    .map(drop)
            }

            async fn purge_messages(
                &mut self,
                email: &str,
            ) -> Result<Vec<(i64, Option<i64>)>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::PURGE_MESSAGES)
                    .bind(email)
                    .fetch_all(&mut *self)
                    .await
            }

            async fn erase_purged_events(&mut self, seqs: &[i64]) -> Result<(), sqlx::Error> {
                if seqs.is_empty() {
                    return Ok(());
                }
                write_json(
                    self,
                    $dialect.erase_purged_events,
                    sqlx::types::Json(seqs),
                    None,
                )
                .await
            }

            async fn history(
                &mut self,
                id: i64,
                limit: i64,
            ) -> Result<Vec<app::domain::history::HistoryEntry>, sqlx::Error> {
                let rows: Vec<$crate::store::history::StoredEntry> =
                    sqlx::query_as($crate::store::sql::HISTORY)
                        .bind(id)
                        .bind(limit)
                        .fetch_all(&mut *self)
                        .await?;
                rows.into_iter()
                    .map($crate::store::history::entry)
                    .collect()
            }

            async fn history_entry(
                &mut self,
                id: i64,
                seq: i64,
            ) -> Result<Option<app::domain::history::HistoryEntry>, sqlx::Error> {
                let row: Option<$crate::store::history::StoredEntry> =
                    sqlx::query_as($crate::store::sql::HISTORY_ENTRY)
                        .bind(id)
                        .bind(seq)
                        .fetch_optional(&mut *self)
                        .await?;
                row.map($crate::store::history::entry).transpose()
            }

            async fn removed(
                &mut self,
                limit: i64,
            ) -> Result<Vec<app::domain::history::RemovedProduct>, sqlx::Error> {
                let rows: Vec<$crate::store::history::StoredRemoval> =
                    sqlx::query_as($crate::store::sql::REMOVED)
                        .bind(limit)
                        .fetch_all(&mut *self)
                        .await?;
                Ok(rows
                    .into_iter()
                    .map($crate::store::history::removal)
                    .collect())
            }

            async fn prune_history(
                &mut self,
                ids: std::ops::Range<i64>,
            ) -> Result<u64, sqlx::Error> {
                let done = sqlx::query($dialect.prune_history)
                    .bind($crate::store::history::KEEP_HISTORY_DAYS)
                    .bind(ids.start)
                    .bind(ids.end)
                    .execute(&mut *self)
                    .await?;
                Ok(done.rows_affected())
            }
        }

        /// An insert or update of one product's row: id, code, data.
        async fn write_product(
            connection: &mut $connection,
            statement: &'static str,
            product: &app::domain::Product,
        ) -> Result<(), sqlx::Error> {
            sqlx::query(statement)
                .bind(i64::try_from(product.id).unwrap_or(-1))
                .bind(&product.code)
                .bind(sqlx::types::Json(product))
                .execute(connection)
                .await
                .map(drop)
        }

        /// A bulk statement: its JSON array, and the number `$2` for the statements that take one
        /// (PostgreSQL refuses a parameter its statement does not use).
        async fn write_json<T: serde::Serialize + Send + Sync>(
            connection: &mut $connection,
            statement: &'static str,
            rows: sqlx::types::Json<T>,
            number: Option<i64>,
        ) -> Result<(), sqlx::Error> {
            let mut query = sqlx::query(statement).bind(rows);
            if let Some(number) = number {
                query = query.bind(number);
            }
            query.execute(connection).await.map(drop)
        }
    };
}

pub(crate) use rows_for;
