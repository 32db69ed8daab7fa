//! An import decided before it is written, the same for both stores: the rows whose code the
//! store knows become updates of those products, the others new products (ids in file order).
//! The stores then write each side in a few statements (a JSON array per batch) instead of a
//! few statements per row: 100,000 rows in seconds, not minutes.

use std::collections::HashMap;

use super::change::{Change, Channel};
use super::{ImportRow, Imported, IMPORT_EVENTS_MAX};
use app::domain::{Product, ProductId};
use app::protocol::ProductEvent;

/// How many codes are looked up, or products written, per statement.
pub const ROWS_PER_STATEMENT: usize = 5_000;

pub struct ImportPlan {
    /// Known codes: each product as its row leaves it.
    pub updates: Vec<Product>,
    /// Unknown codes, in file order, without their ids yet.
    creates: Vec<ImportRow>,
    /// Whether every row becomes a numbered change and event of its own (a small file), or
    /// the whole import one change that says "reload".
    pub one_by_one: bool,
}

impl ImportPlan {
    /// `existing`: the stored products whose code is among the rows'.
    pub fn new(rows: Vec<ImportRow>, existing: Vec<Product>) -> Self {
        let one_by_one = rows.len() <= IMPORT_EVENTS_MAX;
        let mut known: HashMap<String, Product> =
            existing.into_iter().map(|p| (p.code.clone(), p)).collect();
        let mut updates = Vec::new();
        let mut creates = Vec::new();
        for row in rows {
            match known.remove(&row.product.code) {
                Some(stored) => updates.push(row.update(stored)),
                None => creates.push(row),
            }
        }
        ImportPlan {
            updates,
            creates,
            one_by_one,
        }
    }

    /// How many new products it makes (the ids to take).
    pub fn creates(&self) -> usize {
        self.creates.len()
    }

    /// The new products, numbered so that the last gets `last_id` (their ids were taken at
    /// once: see `sql::TAKE`).
    pub fn created(&mut self, last_id: i64) -> Vec<Product> {
        let first_id = last_id as ProductId + 1 - self.creates.len() as ProductId;
        std::mem::take(&mut self.creates)
            .into_iter()
            .zip(first_id..)
            .map(|(row, id)| row.product.with_id(id))
            .collect()
    }

    /// How many numbered changes the import makes in the log.
    pub fn changes(&self, created: &[Product]) -> usize {
        if self.one_by_one {
            self.updates.len() + created.len()
        } else {
            1
        }
    }

    /// Each product the import wrote, updates then creations, with the number of its change:
    /// its own when the import is replayed one by one, else the import's one change.
    pub fn numbered<'a>(
        &'a self,
        created: &'a [Product],
        last_seq: i64,
    ) -> Vec<(&'a Product, u64)> {
        let all = self.updates.iter().chain(created);
        if self.one_by_one {
            let first_seq = last_seq as u64 + 1 - (self.updates.len() + created.len()) as u64;
            all.zip(first_seq..).collect()
        } else {
            all.map(|product| (product, last_seq as u64)).collect()
        }
    }

    pub fn imported(&self, created: &[Product]) -> Imported {
        Imported {
            created: created.len() as u64,
            updated: self.updates.len() as u64,
        }
    }
}

/// The codes of `rows`, for looking up the stored products among them.
pub fn codes(rows: &[ImportRow]) -> Vec<String> {
    rows.iter().map(|row| row.product.code.clone()).collect()
}

/// The changes of a small import: each product of [`ImportPlan::numbered`] as the event of its
/// number (the first `updated` of them were updated, the rest created).
pub fn changes(numbered: &[(&Product, u64)], updated: usize) -> Vec<Change> {
    numbered
        .iter()
        .enumerate()
        .map(|(at, &(product, seq))| {
            let product = product.clone();
            let event = if at < updated {
                ProductEvent::Updated { product, seq }
            } else {
                ProductEvent::Added { product, seq }
            };
            Change::new(seq, Channel::Products, &event)
        })
        .collect()
}
