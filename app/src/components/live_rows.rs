//! The live list's rows: the products on screen, each with a revision number, so the keyed
//! list redraws a card when its product changes (and only then), not only when it comes or goes.
//!
//! The row whose edit form is open is frozen: redrawing it would rebuild the form and throw
//! away what the person typed. What happens to that product meanwhile (the form says so, see
//! `Editing`) is held and applied when the form closes.

use leptos::prelude::*;

use crate::domain::{Product, ProductId};

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub revision: u64,
    pub product: Product,
}

/// What happened to the frozen product while its form was open.
#[derive(Clone, Debug, PartialEq)]
enum Held {
    Nothing,
    Changed(Product),
    Removed,
}

/// The list state and what the socket's events do to it.
#[derive(Clone, Copy)]
pub struct LiveRows {
    pub rows: RwSignal<Vec<Row>>,
    revision: StoredValue<u64>,
    frozen: StoredValue<Option<(ProductId, Held)>>,
}

impl LiveRows {
    pub fn new(initial: Vec<Product>) -> Self {
        let live = LiveRows {
            rows: RwSignal::new(Vec::new()),
            revision: StoredValue::new(0),
            frozen: StoredValue::new(None),
        };
        live.replace(initial);
        live
    }

    fn row(&self, product: Product) -> Row {
        let revision = self.revision.get_value() + 1;
        self.revision.set_value(revision);
        Row { revision, product }
    }

    fn frozen_id(&self) -> Option<ProductId> {
        self.frozen
            .with_value(|frozen| frozen.as_ref().map(|(id, _)| *id))
    }

    fn hold(&self, held: Held) {
        self.frozen.update_value(|frozen| {
            if let Some((_, slot)) = frozen {
                *slot = held;
            }
        });
    }

    /// The whole list, as a snapshot gives it. Rows whose product did not change keep their
    /// revision, so a reconnect redraws only what changed meanwhile.
    pub fn replace(&self, products: Vec<Product>) {
        let old = self.rows.get_untracked();
        let before = |id: ProductId| {
            old.binary_search_by_key(&id, |r| r.product.id)
                .ok()
                .map(|at| &old[at])
        };
        let frozen = self.frozen_id();
        let mut rows = Vec::with_capacity(products.len() + 1);
        for product in products {
            match before(product.id) {
                Some(row) if Some(product.id) == frozen => {
                    self.hold(if row.product == product {
                        Held::Nothing
                    } else {
                        Held::Changed(product)
                    });
                    rows.push(row.clone());
                }
                Some(row) if row.product == product => rows.push(row.clone()),
                _ => rows.push(self.row(product)),
            }
        }
        if let Some(row) = frozen.and_then(before) {
            if rows.iter().all(|r| r.product.id != row.product.id) {
                self.hold(Held::Removed);
                rows.push(row.clone());
            }
        }
        rows.sort_by_key(|r| r.product.id);
        self.rows.set(rows);
    }

    /// Inserts or replaces, keeping ascending id order.
    pub fn upsert(&self, product: Product) {
        if self.frozen_id() == Some(product.id) {
            return self.hold(Held::Changed(product));
        }
        let row = self.row(product);
        self.rows.update(|rows| {
            match rows.binary_search_by_key(&row.product.id, |r| r.product.id) {
                Ok(at) => rows[at] = row,
                Err(at) => rows.insert(at, row),
            }
        });
    }

    pub fn remove(&self, id: ProductId) {
        if self.frozen_id() == Some(id) {
            return self.hold(Held::Removed);
        }
        self.rows.update(|rows| rows.retain(|r| r.product.id != id));
    }

    /// Freezes the row of the product whose form is open (`None`: no form open), after
    /// applying what was held for the row frozen until now.
    pub fn freeze(&self, id: Option<ProductId>) {
        if self.frozen_id() == id {
            return;
        }
        let mut released = None;
        self.frozen.update_value(|frozen| released = frozen.take());
        match released {
            Some((_, Held::Changed(product))) => self.upsert(product),
            Some((gone, Held::Removed)) => self.remove(gone),
            Some((_, Held::Nothing)) | None => {}
        }
        self.frozen.set_value(id.map(|id| (id, Held::Nothing)));
    }

    pub fn get(&self, id: ProductId) -> Option<Product> {
        self.rows.with_untracked(|rows| {
            rows.binary_search_by_key(&id, |r| r.product.id)
                .ok()
                .map(|at| rows[at].product.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: ProductId, title: &str) -> Product {
        Product {
            id,
            title: title.into(),
            description: "d".into(),
            code: format!("C-{id}"),
            price: 1.0,
            status: true,
            stock: 1,
            category: "c".into(),
            thumbnails: vec![],
        }
    }

    /// Signals need an owner (and, in the server's build, the owner's arena).
    fn reactive(test: impl FnOnce()) {
        Owner::new_root(None).with(test)
    }

    fn shown(live: &LiveRows) -> Vec<(ProductId, String, u64)> {
        live.rows.with_untracked(|rows| {
            rows.iter()
                .map(|r| (r.product.id, r.product.title.clone(), r.revision))
                .collect()
        })
    }

    #[test]
    fn a_change_redraws_only_its_row_and_a_snapshot_only_what_changed() {
        reactive(|| {
            let live = LiveRows::new(vec![product(1, "a"), product(2, "b")]);
            let [(_, _, one), (_, _, two)] = shown(&live)[..] else {
                panic!("two rows")
            };
            live.upsert(product(2, "B"));
            let after = shown(&live);
            assert_eq!(after[0].2, one);
            assert!(after[1].2 > two && after[1].1 == "B");

            let before = shown(&live);
            live.replace(vec![product(1, "a"), product(2, "B"), product(3, "c")]);
            let after = shown(&live);
            assert_eq!(after[..2], before[..], "unchanged rows keep their revision");
            assert_eq!(after[2].0, 3);
        });
    }

    #[test]
    fn the_open_row_stays_as_drawn_until_its_form_closes() {
        reactive(|| {
            let live = LiveRows::new(vec![product(1, "a"), product(2, "b")]);
            live.freeze(Some(2));
            let drawn = shown(&live);
            live.upsert(product(2, "someone else's"));
            live.upsert(product(1, "other row"));
            assert_eq!(shown(&live)[1], drawn[1], "the open row is not redrawn");
            assert_eq!(shown(&live)[0].1, "other row", "the others are");
            live.freeze(None);
            assert_eq!(shown(&live)[1].1, "someone else's", "applied on closing");
        });
    }

    #[test]
    fn a_product_deleted_while_open_goes_when_its_form_closes() {
        reactive(|| {
            let live = LiveRows::new(vec![product(1, "a"), product(2, "b")]);
            live.freeze(Some(1));
            live.remove(1);
            assert_eq!(shown(&live).len(), 2);
            live.freeze(None);
            assert_eq!(shown(&live)[0].0, 2);
            assert_eq!(shown(&live).len(), 1);

            // Gone from a snapshot (deleted while disconnected): the same.
            live.freeze(Some(2));
            live.replace(vec![product(3, "c")]);
            assert_eq!(shown(&live).iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
            live.freeze(Some(3));
            assert_eq!(shown(&live).iter().map(|r| r.0).collect::<Vec<_>>(), [3]);
        });
    }
}
