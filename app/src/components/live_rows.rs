//! The live list's rows: the products on screen, each with a revision number, so the keyed
//! list redraws a card when its product changes, not only when it comes or goes.

use leptos::prelude::*;

use crate::domain::{Product, ProductId};

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub revision: u64,
    pub product: Product,
}

/// The list state and what the socket's events do to it.
#[derive(Clone, Copy)]
pub struct LiveRows {
    pub rows: RwSignal<Vec<Row>>,
    revision: StoredValue<u64>,
}

impl LiveRows {
    pub fn new(initial: Vec<Product>) -> Self {
        let live = LiveRows {
            rows: RwSignal::new(Vec::new()),
            revision: StoredValue::new(0),
        };
        live.replace(initial);
        live
    }

    fn row(&self, product: Product) -> Row {
        let revision = self.revision.get_value() + 1;
        self.revision.set_value(revision);
        Row { revision, product }
    }

    pub fn replace(&self, products: Vec<Product>) {
        let rows = products.into_iter().map(|p| self.row(p)).collect();
        self.rows.set(rows);
    }

    /// Inserts or replaces, keeping ascending id order.
    pub fn upsert(&self, product: Product) {
        let row = self.row(product);
        self.rows.update(|rows| {
            match rows.binary_search_by_key(&row.product.id, |r| r.product.id) {
                Ok(at) => rows[at] = row,
                Err(at) => rows.insert(at, row),
            }
        });
    }

    pub fn remove(&self, id: ProductId) {
        self.rows.update(|rows| rows.retain(|r| r.product.id != id));
    }

    pub fn get(&self, id: ProductId) -> Option<Product> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .find(|r| r.product.id == id)
                .map(|r| r.product.clone())
        })
    }
}
