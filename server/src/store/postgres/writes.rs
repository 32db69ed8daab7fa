//! The write transactions. Each takes the next number of the change log first: the row lock
//! on the 'log' counter serializes writers until they commit, so numbers and the ids taken
//! after them follow commit order with no gaps, and everything a transaction reads is as of
//! the last commit. A refused change (taken code, unknown id) rolls back, number included.

use std::time::Duration;

use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use super::CHANNEL;
use crate::live::frame_bytes;
use crate::store::import_plan::{self, ImportPlan, BATCH};
use crate::store::message_batch::MessageBatch;
use crate::store::sql;
use crate::store::{ImportRow, Imported, StoreError, CATALOG_RELOAD};
use app::domain::{MessageDraft, NewProduct, Product, ProductChanges, ProductId};
use app::protocol::ProductEvent;

/// A committed change's result and its number in the change log.
pub struct Committed<T> {
    pub value: T,
    pub seq: i64,
}

pub async fn create_product(
    pool: &PgPool,
    new: NewProduct,
) -> Result<Committed<Product>, StoreError> {
    let mut tx = pool.begin().await?;
    let committed = create_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(committed)
}

async fn create_in(
    tx: &mut PgConnection,
    new: NewProduct,
) -> Result<Committed<Product>, StoreError> {
    let seq = next(tx, "log").await?;
    let id = next(tx, "product").await?;
    let product = new.with_id(id as ProductId);
    let inserted = sqlx::query(sql::INSERT_PRODUCT)
        .bind(id)
        .bind(&product.code)
        .bind(Json(&product))
        .execute(&mut *tx)
        .await;
    refuse_taken_code(inserted, &product.code)?;
    let event = ProductEvent::Added {
        product: product.clone(),
        seq: seq as u64,
    };
    record(tx, seq, "products", &event).await?;
    Ok(Committed {
        value: product,
        seq,
    })
}

pub async fn update_product(
    pool: &PgPool,
    id: ProductId,
    changes: ProductChanges,
    expected: Option<Product>,
) -> Result<Committed<Product>, StoreError> {
    let mut tx = pool.begin().await?;
    let seq = next(&mut tx, "log").await?;
    let stored: Option<Json<Product>> = sqlx::query_scalar(sql::PRODUCT)
        .bind(row_id(id))
        .fetch_optional(&mut *tx)
        .await?;
    let Json(mut product) = stored.ok_or(StoreError::NotFound(id))?;
    if expected.is_some_and(|expected| expected != product) {
        return Err(StoreError::ChangedMeanwhile(id));
    }
    changes.apply_to(&mut product);
    let updated = sqlx::query(sql::UPDATE_PRODUCT)
        .bind(row_id(id))
        .bind(&product.code)
        .bind(Json(&product))
        .execute(&mut *tx)
        .await;
    refuse_taken_code(updated, &product.code)?;
    let event = ProductEvent::Updated {
        product: product.clone(),
        seq: seq as u64,
    };
    record(&mut tx, seq, "products", &event).await?;
    tx.commit().await?;
    Ok(Committed {
        value: product,
        seq,
    })
}

pub async fn remove_product(
    pool: &PgPool,
    id: ProductId,
) -> Result<Committed<Product>, StoreError> {
    let mut tx = pool.begin().await?;
    let seq = next(&mut tx, "log").await?;
    let removed: Option<Json<Product>> = sqlx::query_scalar(sql::DELETE_PRODUCT)
        .bind(row_id(id))
        .fetch_optional(&mut *tx)
        .await?;
    let Json(product) = removed.ok_or(StoreError::NotFound(id))?;
    let event = ProductEvent::Removed {
        id,
        seq: seq as u64,
    };
    record(&mut tx, seq, "products", &event).await?;
    tx.commit().await?;
    Ok(Committed {
        value: product,
        seq,
    })
}

/// Stores `drafts` in one transaction that holds the log's lock once for all of them, with
/// four statements however many there are.
pub async fn post_messages(
    pool: &PgPool,
    drafts: Vec<MessageDraft>,
) -> Result<MessageBatch, StoreError> {
    let mut tx = pool.begin().await?;
    let last_seq = take(&mut tx, "log", drafts.len()).await?;
    // Taken after the log's lock, so message ids too increase in commit order.
    let last_id = take(&mut tx, "message", drafts.len()).await?;
    let batch = MessageBatch::new(drafts, last_id, last_seq);
    sqlx::query(
        "INSERT INTO messages (id, email, text, sent_at) SELECT (m->>'id')::bigint, \
         m->>'email', m->>'text', (m->>'sent_at')::timestamptz \
         FROM jsonb_array_elements($1::jsonb) AS m",
    )
    .bind(batch.message_rows())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH recorded AS (INSERT INTO changes (seq, channel, frame) \
         SELECT (c->>'seq')::bigint, 'chat', c->>'frame' FROM jsonb_array_elements($1::jsonb) AS c) \
         SELECT pg_notify($2, $3::text)",
    )
    .bind(batch.change_rows())
    .bind(CHANNEL)
    .bind(batch.last_seq())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(batch)
}

/// Creates or updates every row in one transaction that holds the log's lock throughout, a
/// batch of [`BATCH`] rows per statement. Up to `IMPORT_EVENTS_MAX` rows each become a
/// numbered change; a larger import is one change that tells every instance to reload the
/// catalog.
pub async fn import_products(
    pool: &PgPool,
    rows: Vec<ImportRow>,
) -> Result<Committed<Imported>, StoreError> {
    let mut tx = pool.begin().await?;
    // The log's lock first, so the whole import is serialized with every other write.
    sqlx::query("SELECT value FROM counters WHERE name = 'log' FOR UPDATE")
        .execute(&mut *tx)
        .await?;
    let mut existing = Vec::new();
    for codes in import_plan::codes(&rows).chunks(BATCH) {
        let found: Vec<Json<Product>> =
            sqlx::query_scalar("SELECT data FROM products WHERE code = ANY($1)")
                .bind(codes)
                .fetch_all(&mut *tx)
                .await?;
        existing.extend(found.into_iter().map(|Json(p)| p));
    }
    let mut plan = ImportPlan::new(rows, existing);
    let created = plan.created(take(&mut tx, "product", plan.creates()).await?);
    for batch in plan.updates.chunks(BATCH) {
        sqlx::query(
            "UPDATE products SET code = u->>'code', data = u \
             FROM jsonb_array_elements($1::jsonb) AS u WHERE products.id = (u->>'id')::bigint",
        )
        .bind(Json(batch))
        .execute(&mut *tx)
        .await?;
    }
    for batch in created.chunks(BATCH) {
        sqlx::query(
            "INSERT INTO products (id, code, data) SELECT (p->>'id')::bigint, p->>'code', p \
             FROM jsonb_array_elements($1::jsonb) AS p",
        )
        .bind(Json(batch))
        .execute(&mut *tx)
        .await?;
    }
    let imported = plan.imported(&created);
    let seq = take(&mut tx, "log", plan.changes(&created)).await?;
    if plan.one_by_one {
        for event in import_plan::events(&plan.updates, &created, seq) {
            let number = event.seq().unwrap_or_default() as i64;
            record(&mut tx, number, "products", &event).await?;
        }
    } else {
        record_frame(&mut tx, seq, "products", CATALOG_RELOAD).await?;
    }
    tx.commit().await?;
    Ok(Committed {
        value: imported,
        seq,
    })
}

/// Takes `count` numbers of `counter` at once; the last one taken.
async fn take(tx: &mut PgConnection, counter: &str, count: usize) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sql::TAKE)
        .bind(counter)
        .bind(count as i64)
        .fetch_one(tx)
        .await
}

/// Adds `examples` if the database has never seen a change, in one transaction that holds the
/// log's lock throughout, so instances starting together seed it once.
pub async fn seed_if_new(pool: &PgPool, examples: Vec<NewProduct>) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let head: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'log' FOR UPDATE")
        .fetch_one(&mut *tx)
        .await?;
    if head == 0 {
        for new in examples {
            create_in(&mut tx, new).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes changes that are both older than [`sql::KEEP_CHANGES_SECS`] and not among the latest
/// [`sql::KEEP_LATEST_CHANGES`], hourly, for as long as the server runs. An instance that falls
/// further behind reloads the catalog and the chat instead of replaying; a socket that resumes
/// from further back gets a snapshot.
pub async fn prune_old_changes(pool: PgPool) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let pruned = sqlx::query(
            "DELETE FROM changes WHERE created_at < now() - make_interval(secs => $1) \
             AND seq <= (SELECT value FROM counters WHERE name = 'log') - $2",
        )
        .bind(sql::KEEP_CHANGES_SECS as f64)
        .bind(sql::KEEP_LATEST_CHANGES)
        .execute(&pool)
        .await;
        match pruned {
            Ok(done) if done.rows_affected() > 0 => {
                tracing::info!(
                    pruned = done.rows_affected(),
                    "old changes pruned from the log"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not prune the change log"),
        }
    }
}

/// Records this instance's count of chat sockets (none: it leaves the table) and returns the
/// total of every instance heard from in the last 15 seconds.
pub async fn presence(pool: &PgPool, instance: &str, here: u64) -> Result<u64, StoreError> {
    let here = i64::try_from(here).unwrap_or(i64::MAX);
    if here == 0 {
        sqlx::query("DELETE FROM presence WHERE instance = $1")
            .bind(instance)
            .execute(pool)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO presence (instance, online, seen_at) VALUES ($1, $2, now()) \
             ON CONFLICT (instance) DO UPDATE SET online = EXCLUDED.online, seen_at = now()",
        )
        .bind(instance)
        .bind(here)
        .execute(pool)
        .await?;
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(online), 0)::BIGINT FROM presence \
         WHERE instance <> $1 AND seen_at > now() - interval '15 seconds'",
    )
    .bind(instance)
    .fetch_one(pool)
    .await?;
    Ok((others.max(0) + here) as u64)
}

/// Increments a counter and returns its new value. On 'log' this also takes the row lock
/// that serializes writers until commit.
async fn next(tx: &mut PgConnection, counter: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sql::NEXT)
        .bind(counter)
        .fetch_one(tx)
        .await
}

/// Records a change as its socket frame and notifies its number, both effective at commit.
async fn record(
    tx: &mut PgConnection,
    seq: i64,
    channel: &str,
    event: &impl serde::Serialize,
) -> Result<(), sqlx::Error> {
    record_frame(tx, seq, channel, frame_bytes(event).as_str()).await
}

async fn record_frame(
    tx: &mut PgConnection,
    seq: i64,
    channel: &str,
    frame: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH recorded AS (INSERT INTO changes (seq, channel, frame) VALUES ($1, $2, $3)) \
         SELECT pg_notify($4, $1::text)",
    )
    .bind(seq)
    .bind(channel)
    .bind(frame)
    .bind(CHANNEL)
    .execute(tx)
    .await?;
    Ok(())
}

fn refuse_taken_code<T>(result: Result<T, sqlx::Error>, code: &str) -> Result<T, StoreError> {
    match result {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(StoreError::DuplicateCode(code.to_string()))
        }
        other => Ok(other?),
    }
}

/// A product id as a row key. Ids beyond the column's range name no row.
fn row_id(id: ProductId) -> i64 {
    i64::try_from(id).unwrap_or(-1)
}
