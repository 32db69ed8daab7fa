//! An import decided before it is written, the same for both stores: the rows whose code the
//! store knows become updates of those products, the others new products (ids in file order).
//! The stores then write each side in a few statements (a JSON array per batch) instead of a
//! few statements per row: 100,000 rows in seconds, not minutes.

use std::collections::HashMap;

use super::{ImportRow, Imported};
use app::domain::{Product, ProductId};
use app::protocol::ProductEvent;

/// How many codes are looked up, or products written, per statement.
pub const BATCH: usize = 5_000;

pub struct ImportPlan {
    /// Known codes: each product as its row leaves it.
    pub updates: Vec<Product>,
    /// Unknown codes, in file order, without their ids yet.
    creates: Vec<ImportRow>,
}

impl ImportPlan {
    /// `existing`: the stored products whose code is among the rows'.
    pub fn new(rows: Vec<ImportRow>, existing: Vec<Product>) -> Self {
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
        ImportPlan { updates, creates }
    }

    /// How many new products it makes (the ids to take).
    pub fn creates(&self) -> usize {
        self.creates.len()
    }

    /// The new products, numbered from `first_id` on.
    pub fn created(&mut self, first_id: ProductId) -> Vec<Product> {
        std::mem::take(&mut self.creates)
            .into_iter()
            .zip(first_id..)
            .map(|(row, id)| row.product.with_id(id))
            .collect()
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

/// The events of a small import, numbered from `first_seq`: updates, then creations.
pub fn events(updated: &[Product], created: &[Product], first_seq: u64) -> Vec<ProductEvent> {
    let updates = updated.iter().map(|product| (product, false));
    let creates = created.iter().map(|product| (product, true));
    updates
        .chain(creates)
        .zip(first_seq..)
        .map(|((product, new), seq)| {
            let product = product.clone();
            if new {
                ProductEvent::Added { product, seq }
            } else {
                ProductEvent::Updated { product, seq }
            }
        })
        .collect()
}
