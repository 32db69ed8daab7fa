//! The write transactions on SQLite. The same steps as PostgreSQL's (`postgres/writes.rs`):
//! take the next number of the change log, make the change, record it as the frame sockets
//! will get. SQLite has one writer at a time, and the store runs them on its one writing
//! connection, so numbers follow commit order without a row lock.

use sqlx::types::Json;
use sqlx::{Connection, SqliteConnection};

use super::super::sql;
use super::legacy::Legacy;
use crate::live::frame_bytes;
use crate::store::import_plan::{self, ImportPlan, BATCH};
use crate::store::message_batch::MessageBatch;
use crate::store::{ImportRow, Imported, StoreError, CATALOG_RELOAD};
use app::domain::{MessageDraft, NewProduct, Product, ProductChanges, ProductId};
use app::protocol::ProductEvent;

/// A committed change: its result, and the event every socket gets.
pub struct Committed<T, E> {
    pub value: T,
    pub event: E,
}

pub async fn create_product(
    connection: &mut SqliteConnection,
    new: NewProduct,
) -> Result<Committed<Product, ProductEvent>, StoreError> {
    let mut tx = connection.begin().await?;
    let committed = create_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(committed)
}

async fn create_in(
    tx: &mut SqliteConnection,
    new: NewProduct,
) -> Result<Committed<Product, ProductEvent>, StoreError> {
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
        event,
    })
}

pub async fn update_product(
    connection: &mut SqliteConnection,
    id: ProductId,
    changes: ProductChanges,
    expected: Option<Product>,
) -> Result<Committed<Product, ProductEvent>, StoreError> {
    let mut tx = connection.begin().await?;
    let stored: Option<Json<Product>> = sqlx::query_scalar(sql::PRODUCT)
        .bind(row_id(id))
        .fetch_optional(&mut *tx)
        .await?;
    let Json(mut product) = stored.ok_or(StoreError::NotFound(id))?;
    if expected.is_some_and(|expected| expected != product) {
        return Err(StoreError::ChangedMeanwhile(id));
    }
    changes.apply_to(&mut product);
    let seq = next(&mut tx, "log").await?;
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
        event,
    })
}

pub async fn remove_product(
    connection: &mut SqliteConnection,
    id: ProductId,
) -> Result<Committed<Product, ProductEvent>, StoreError> {
    let mut tx = connection.begin().await?;
    let removed: Option<Json<Product>> = sqlx::query_scalar(sql::DELETE_PRODUCT)
        .bind(row_id(id))
        .fetch_optional(&mut *tx)
        .await?;
    let Json(product) = removed.ok_or(StoreError::NotFound(id))?;
    let seq = next(&mut tx, "log").await?;
    let event = ProductEvent::Removed {
        id,
        seq: seq as u64,
    };
    record(&mut tx, seq, "products", &event).await?;
    tx.commit().await?;
    Ok(Committed {
        value: product,
        event,
    })
}

/// Stores `drafts` in one transaction (one commit, one fsync, four statements, however many),
/// in order.
pub async fn post_messages(
    connection: &mut SqliteConnection,
    drafts: Vec<MessageDraft>,
) -> Result<MessageBatch, StoreError> {
    let mut tx = connection.begin().await?;
    let last_seq = take(&mut tx, "log", drafts.len()).await?;
    let last_id = take(&mut tx, "message", drafts.len()).await?;
    let batch = MessageBatch::new(drafts, last_id, last_seq);
    sqlx::query(
        "INSERT INTO messages (id, email, text, sent_at) SELECT json_extract(value, '$.id'), \
         json_extract(value, '$.email'), json_extract(value, '$.text'), \
         json_extract(value, '$.sent_at') FROM json_each($1)",
    )
    .bind(batch.message_rows())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO changes (seq, channel, frame) SELECT json_extract(value, '$.seq'), 'chat', \
         json_extract(value, '$.frame') FROM json_each($1)",
    )
    .bind(batch.change_rows())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(batch)
}

/// How an import reaches the views: its events, or (a large one) every product it wrote and
/// the one change `seq` that stands for them all.
pub enum ImportPublished {
    Events(Vec<ProductEvent>),
    Reload { seq: u64, products: Vec<Product> },
}

/// Creates or updates every row in one transaction, a batch of [`BATCH`] rows per statement.
/// Up to `IMPORT_EVENTS_MAX` rows each become a numbered change and event; a larger import
/// is one change that says "reload".
pub async fn import_products(
    connection: &mut SqliteConnection,
    rows: Vec<ImportRow>,
) -> Result<Committed<Imported, ImportPublished>, StoreError> {
    let mut tx = connection.begin().await?;
    let mut existing = Vec::new();
    for codes in import_plan::codes(&rows).chunks(BATCH) {
        let found: Vec<Json<Product>> = sqlx::query_scalar(
            "SELECT data FROM products WHERE code IN (SELECT value FROM json_each($1))",
        )
        .bind(Json(codes))
        .fetch_all(&mut *tx)
        .await?;
        existing.extend(found.into_iter().map(|Json(p)| p));
    }
    let mut plan = ImportPlan::new(rows, existing);
    let created = plan.created(take(&mut tx, "product", plan.creates()).await?);
    for batch in plan.updates.chunks(BATCH) {
        sqlx::query(
            "UPDATE products SET code = json_extract(u.value, '$.code'), data = u.value \
             FROM json_each($1) AS u WHERE products.id = json_extract(u.value, '$.id')",
        )
        .bind(Json(batch))
        .execute(&mut *tx)
        .await?;
    }
    for batch in created.chunks(BATCH) {
        sqlx::query(
            "INSERT INTO products (id, code, data) SELECT json_extract(value, '$.id'), \
             json_extract(value, '$.code'), value FROM json_each($1)",
        )
        .bind(Json(batch))
        .execute(&mut *tx)
        .await?;
    }
    let imported = plan.imported(&created);
    let last_seq = take(&mut tx, "log", plan.changes(&created)).await?;
    let published = if plan.one_by_one {
        let events = import_plan::events(&plan.updates, &created, last_seq);
        for event in &events {
            let seq = event.seq().unwrap_or_default() as i64;
            record(&mut tx, seq, "products", event).await?;
        }
        ImportPublished::Events(events)
    } else {
        sqlx::query("INSERT INTO changes (seq, channel, frame) VALUES ($1, 'products', $2)")
            .bind(last_seq)
            .bind(CATALOG_RELOAD)
            .execute(&mut *tx)
            .await?;
        let mut products = plan.updates;
        products.extend(created);
        ImportPublished::Reload {
            seq: last_seq as u64,
            products,
        }
    };
    tx.commit().await?;
    Ok(Committed {
        value: imported,
        event: published,
    })
}

/// Takes `count` numbers of `counter` at once; the last one taken.
async fn take(tx: &mut SqliteConnection, counter: &str, count: usize) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sql::TAKE)
        .bind(counter)
        .bind(count as i64)
        .fetch_one(tx)
        .await
}

/// Adds `examples` to a database that has never seen a change.
pub async fn seed_if_new(
    connection: &mut SqliteConnection,
    examples: Vec<NewProduct>,
) -> Result<(), StoreError> {
    let mut tx = connection.begin().await?;
    let untouched: i64 = sqlx::query_scalar("SELECT SUM(value) FROM counters")
        .fetch_one(&mut *tx)
        .await?;
    if untouched == 0 {
        for new in examples {
            create_in(&mut tx, new).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Imports an older version's data, ids kept, in one transaction: the counters go past every
/// imported id (and the old `next_id`), and `meta` remembers the import, so a crash before the
/// files are renamed never imports them twice. Returns whether it imported (false: done
/// before).
pub async fn import(
    connection: &mut SqliteConnection,
    legacy: &Legacy,
) -> Result<bool, StoreError> {
    let mut tx = connection.begin().await?;
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE name = 'imported'")
        .fetch_optional(&mut *tx)
        .await?;
    if done.is_some() {
        return Ok(false);
    }
    for product in &legacy.products {
        let inserted = sqlx::query(sql::INSERT_PRODUCT)
            .bind(row_id(product.id))
            .bind(&product.code)
            .bind(Json(product))
            .execute(&mut *tx)
            .await;
        refuse_taken_code(inserted, &product.code)?;
    }
    for message in &legacy.messages {
        sqlx::query(sql::INSERT_MESSAGE)
            .bind(message.id as i64)
            .bind(&message.email)
            .bind(&message.text)
            .bind(super::rfc3339(&message.sent_at))
            .execute(&mut *tx)
            .await?;
    }
    let last_product = legacy.next_product_id.saturating_sub(1);
    let last_message = legacy.messages.last().map_or(0, |m| m.id);
    for (counter, at_least) in [("product", last_product), ("message", last_message)] {
        sqlx::query("UPDATE counters SET value = MAX(value, $2) WHERE name = $1")
            .bind(counter)
            .bind(at_least as i64)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT INTO meta (name, value) VALUES ('imported', datetime('now'))")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes changes that are both older than [`sql::KEEP_CHANGES_SECS`] and not among the
/// latest [`sql::KEEP_LATEST_CHANGES`]. Returns how many.
pub async fn prune_changes(connection: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM changes WHERE created_at < unixepoch() - $1 \
         AND seq <= (SELECT value FROM counters WHERE name = 'log') - $2",
    )
    .bind(sql::KEEP_CHANGES_SECS)
    .bind(sql::KEEP_LATEST_CHANGES)
    .execute(connection)
    .await?;
    Ok(done.rows_affected())
}

async fn next(tx: &mut SqliteConnection, counter: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sql::NEXT)
        .bind(counter)
        .fetch_one(tx)
        .await
}

/// Records a change as its socket frame, for sockets that resume after it.
async fn record(
    tx: &mut SqliteConnection,
    seq: i64,
    channel: &str,
    event: &impl serde::Serialize,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO changes (seq, channel, frame) VALUES ($1, $2, $3)")
        .bind(seq)
        .bind(channel)
        .bind(frame_bytes(event).as_str())
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
