//! Every write, once for both stores: each runs inside a transaction the store began (see
//! `engine`), takes the next number of the change log first, makes its change, and records it
//! as the event sockets will get. The caller commits, then hands the [`Committed`] change over.
//!
//! Taking the log's number first matters on PostgreSQL: its row lock serializes writers until
//! they commit, so numbers (and the ids taken after them) follow commit order with no gaps, and
//! everything a write reads is as of the last commit. SQLite has one writer at a time anyway.
//! A refused change (a taken code, an unknown id) rolls back, its number included.

use super::change::{Change, Channel, Publication, CATALOG_RELOAD};
use super::history;
use super::import_plan::{self, ImportPlan, ROWS_PER_STATEMENT};
use super::message_batch::MessageBatch;
use super::reads::CHAT_WINDOW;
use super::rows::{Counter, Rows};
use super::{ImportRow, Imported, StoreError};
use app::domain::history::ChangeKind;
use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};
use app::protocol::{ChatEvent, ProductEvent};

/// A write done and ready to commit: its result, what it hands the subscriber once committed,
/// and the number of its last change (the one an instance must have applied to show it).
pub struct Committed<T> {
    pub value: T,
    pub publication: Publication,
    pub last_seq: u64,
}

impl<T> Committed<T> {
    /// A write of the changes `changes`, the last of which is its last.
    fn of(value: T, changes: Vec<Change>) -> Committed<T> {
        Committed {
            value,
            last_seq: changes.last().map_or(0, |change| change.seq),
            publication: Publication::Changes(changes),
        }
    }
}

pub async fn create_product(
    tx: &mut impl Rows,
    new: NewProduct,
    actor: Option<&str>,
) -> Result<Committed<Product>, StoreError> {
    let (product, change) = create_in(tx, new, actor).await?;
    Ok(Committed::of(product, vec![change]))
}

async fn create_in(
    tx: &mut impl Rows,
    new: NewProduct,
    actor: Option<&str>,
) -> Result<(Product, Change), StoreError> {
    let (seq, id) = tx.next_with_log(Counter::Product).await?;
    let seq = seq as u64;
    let product = new.with_id(id as ProductId);
    refuse_taken_code(tx.insert_product(&product).await, &product.code)?;
    let event = ProductEvent::Added {
        product: product.clone(),
        seq,
    };
    let change = record_one(tx, seq, &event, ChangeKind::Created, actor, &product).await?;
    Ok((product, change))
}

/// Records one product's change, numbered `seq`: `event` in the log (as the sockets hear it)
/// and `kind` by `actor` in the record of changes, with `product` as the record keeps it.
async fn record_one(
    tx: &mut impl Rows,
    seq: u64,
    event: &ProductEvent,
    kind: ChangeKind,
    actor: Option<&str>,
    product: &Product,
) -> Result<Change, StoreError> {
    let change = Change::new(seq, Channel::Products, event);
    let row = history::row(kind, actor, product, seq);
    tx.record_product_change(&change, &row).await?;
    Ok(change)
}

/// Applies `changes`; with `expected`, only if the product is still exactly that.
pub async fn update_product(
    tx: &mut impl Rows,
    id: ProductId,
    changes: ProductChanges,
    expected: Option<Product>,
    actor: Option<&str>,
) -> Result<Committed<Product>, StoreError> {
    let seq = tx.next(Counter::Log).await? as u64;
    let mut product = tx
        .product(row_id(id))
        .await?
        .ok_or(StoreError::NotFound(id))?;
    if expected.is_some_and(|expected| expected != product) {
        return Err(StoreError::ChangedMeanwhile(id));
    }
    changes.apply_to(&mut product);
    refuse_taken_code(tx.update_product(&product).await, &product.code)?;
    let event = ProductEvent::Updated {
        product: product.clone(),
        seq,
    };
    let change = record_one(tx, seq, &event, ChangeKind::Updated, actor, &product).await?;
    Ok(Committed::of(product, vec![change]))
}

pub async fn remove_product(
    tx: &mut impl Rows,
    id: ProductId,
    actor: Option<&str>,
) -> Result<Committed<Product>, StoreError> {
    let seq = tx.next(Counter::Log).await? as u64;
    let product = tx
        .delete_product(row_id(id))
        .await?
        .ok_or(StoreError::NotFound(id))?;
    let event = ProductEvent::Removed { id, seq };
    let change = record_one(tx, seq, &event, ChangeKind::Removed, actor, &product).await?;
    Ok(Committed::of(product, vec![change]))
}

/// Makes product `id` again what it was right after its change `seq`: a removed product comes
/// back with its id (`added`), one still in the catalog is updated (`updated`).
pub async fn restore_product(
    tx: &mut impl Rows,
    id: ProductId,
    seq: u64,
    actor: Option<&str>,
) -> Result<Committed<Product>, StoreError> {
    let new_seq = tx.next(Counter::Log).await? as u64;
    let entry = tx
        .history_entry(row_id(id), i64::try_from(seq).unwrap_or(-1))
        .await?
        .ok_or(StoreError::UnknownChange(id, seq))?;
    let product = Product {
        id,
        ..entry.product
    };
    let back = tx.product(row_id(id)).await?.is_none();
    let written = if back {
        tx.insert_product(&product).await
    } else {
        tx.update_product(&product).await
    };
    refuse_taken_code(written, &product.code)?;
    // The sockets hear what the catalog sees (a product back, or changed); the record says
    // that it was restored.
    let event = if back {
        ProductEvent::Added {
            product: product.clone(),
            seq: new_seq,
        }
    } else {
        ProductEvent::Updated {
            product: product.clone(),
            seq: new_seq,
        }
    };
    let change = record_one(tx, new_seq, &event, ChangeKind::Restored, actor, &product).await?;
    Ok(Committed::of(product, vec![change]))
}

/// Creates or updates every row, [`ROWS_PER_STATEMENT`] rows per statement, in the caller's
/// one transaction, which holds the log's lock throughout. Up to `IMPORT_EVENTS_MAX` rows each
/// become a numbered change; a larger import is one change that says "reload".
pub async fn import_products(
    tx: &mut impl Rows,
    rows: Vec<ImportRow>,
    actor: Option<&str>,
) -> Result<Committed<Imported>, StoreError> {
    // The log's lock first, so the whole import is serialized with every other write.
    tx.lock_log().await?;
    let mut existing = Vec::new();
    for codes in import_plan::codes(&rows).chunks(ROWS_PER_STATEMENT) {
        existing.extend(tx.products_with_codes(codes).await?);
    }
    let mut plan = ImportPlan::new(rows, existing);
    let created = plan.created(tx.take(Counter::Product, plan.creates()).await?);
    for batch in plan.updates.chunks(ROWS_PER_STATEMENT) {
        tx.update_products(batch).await?;
    }
    for batch in created.chunks(ROWS_PER_STATEMENT) {
        tx.insert_products(batch).await?;
    }
    let imported = plan.imported(&created);
    let last_seq = tx.take(Counter::Log, plan.changes(&created)).await?;
    let numbered = plan.numbered(&created, last_seq);
    for batch in numbered.chunks(ROWS_PER_STATEMENT) {
        let record = history::rows(ChangeKind::Imported, actor, batch.iter().copied());
        tx.record_history(&record).await?;
    }
    if plan.one_by_one {
        let changes = import_plan::changes(&numbered, plan.updates.len());
        tx.record_changes(&changes).await?;
        return Ok(Committed::of(imported, changes));
    }
    let seq = last_seq as u64;
    let reload = Change {
        seq,
        channel: Channel::Products,
        event: CATALOG_RELOAD.to_string(),
    };
    tx.record_changes(&[reload]).await?;
    let mut products = plan.updates;
    products.extend(created);
    Ok(Committed {
        value: imported,
        publication: Publication::Absorbed { seq, products },
        last_seq: seq,
    })
}

/// Stores `drafts` in the caller's one transaction (one commit however many), in order, with
/// five statements: the log's numbers and the ids are taken once for all of them.
pub async fn post_messages(
    tx: &mut impl Rows,
    drafts: Vec<MessageDraft>,
) -> Result<Committed<Vec<ChatMessage>>, StoreError> {
    let last_seq = tx.take(Counter::Log, drafts.len()).await?;
    // Taken after the log's number, so message ids too increase in commit order.
    let last_id = tx.take(Counter::Message, drafts.len()).await?;
    let batch = MessageBatch::new(drafts, last_id, last_seq);
    tx.insert_messages(&batch.rows()).await?;
    tx.record_changes(&batch.changes).await?;
    Ok(Committed::of(batch.messages, batch.changes))
}

/// Removes chat message `id`: its row, and its email and text from the change log too (its
/// logged event becomes the removal's), recorded as a change every chat socket hears. What it
/// frees is overwritten in the database's files (the caller ends that: `Rows::stop_wiping`).
pub async fn remove_message(tx: &mut impl Rows, id: u64) -> Result<Committed<()>, StoreError> {
    let seq = tx.next(Counter::Log).await? as u64;
    tx.wipe_deleted().await?;
    let row = i64::try_from(id).unwrap_or(-1);
    let Some(logged) = tx.delete_message(row).await? else {
        return Err(StoreError::MessageNotFound(id));
    };
    let change = Change::new(seq, Channel::Chat, &ChatEvent::MessageRemoved { id });
    tx.erase_message_event(row, logged, &change.event).await?;
    tx.record_changes(std::slice::from_ref(&change)).await?;
    Ok(Committed::of((), vec![change]))
}

/// Removes every stored message of `email` (a ban's purge) as [`remove_message`] removes one:
/// rows gone, logged events overwritten with their removals, the freed pages overwritten. The
/// sockets hear a removal for each purged message among the latest [`CHAT_WINDOW`] (all a chat
/// window can show); older ones leave the store without a word to them. How many went.
pub async fn purge_author(tx: &mut impl Rows, email: &str) -> Result<Committed<u64>, StoreError> {
    tx.lock_log().await?;
    tx.wipe_deleted().await?;
    let mut purged = tx.purge_messages(email).await?;
    purged.sort_unstable();
    let logged: Vec<i64> = purged.iter().filter_map(|(_, seq)| *seq).collect();
    tx.erase_purged_events(&logged).await?;
    for (id, _) in purged.iter().filter(|(_, seq)| seq.is_none()) {
        let event = Change::new(
            0,
            Channel::Chat,
            &ChatEvent::MessageRemoved { id: *id as u64 },
        );
        tx.erase_message_event(*id, None, &event.event).await?;
    }
    let window_starts = tx.head(Counter::Message).await? - CHAT_WINDOW as i64;
    let heard: Vec<u64> = purged
        .iter()
        .filter(|(id, _)| *id > window_starts)
        .map(|(id, _)| *id as u64)
        .collect();
    let count = purged.len() as u64;
    if heard.is_empty() {
        return Ok(Committed::of(count, Vec::new()));
    }
    let last_seq = tx.take(Counter::Log, heard.len()).await? as u64;
    let first_seq = last_seq + 1 - heard.len() as u64;
    let changes: Vec<Change> = heard
        .into_iter()
        .zip(first_seq..)
        .map(|(id, seq)| Change::new(seq, Channel::Chat, &ChatEvent::MessageRemoved { id }))
        .collect();
    tx.record_changes(&changes).await?;
    Ok(Committed::of(count, changes))
}

/// Adds `examples` if the store has never stored anything (so neither an emptied catalog nor
/// the data carried over from an earlier version gets them); whether it did. The caller's
/// transaction holds the log's lock throughout, so instances starting together seed once.
pub async fn seed_if_new(
    tx: &mut impl Rows,
    examples: Vec<NewProduct>,
) -> Result<bool, StoreError> {
    tx.lock_log().await?;
    if tx.largest_counter().await? != 0 {
        return Ok(false);
    }
    for new in examples {
        create_in(tx, new, None).await?;
    }
    Ok(true)
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
pub fn row_id(id: ProductId) -> i64 {
    i64::try_from(id).unwrap_or(-1)
}
