//! The record of changes: who changed a product, when, how, and what it was right after; what
//! the history API answers and what a restore asks for (the contract's "The record of
//! changes").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::price::format_price;
use super::product_form::field_label;
use super::Product;

/// Who made a change: an account's email, [`SHARED_PASSWORD_ACTOR`] for the shared staff
/// password, nobody (`None`) when staff access is off and anyone may edit.
pub type Actor = Option<String>;

/// The actor of changes made with the shared `STAFF_PASSWORD`.
pub const SHARED_PASSWORD_ACTOR: &str = "staff";

/// How a change came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Created,
    Updated,
    Removed,
    Restored,
    Imported,
}

impl ChangeKind {
    /// Its name, as the API and the store say it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Removed => "removed",
            ChangeKind::Restored => "restored",
            ChangeKind::Imported => "imported",
        }
    }

    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Created => "Creado",
            ChangeKind::Updated => "Modificado",
            ChangeKind::Removed => "Eliminado",
            ChangeKind::Restored => "Restaurado",
            ChangeKind::Imported => "Importado",
        }
    }

    pub fn from_name(name: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Created,
            ChangeKind::Updated,
            ChangeKind::Removed,
            ChangeKind::Restored,
            ChangeKind::Imported,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

/// One change of a product (`GET /api/products/{id}/history`): `product` as it was right
/// after the change; for a removal, as it was before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: ChangeKind,
    pub product: Product,
}

/// A product removed and not restored (`GET /api/products/removed`), as it was before; `seq`
/// (an addition to the contract's fields) is the removal's change, the one to restore.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemovedProduct {
    pub seq: u64,
    pub product: Product,
    pub at: DateTime<Utc>,
    pub actor: Actor,
}

/// The body of `POST /api/products/{id}/restore`: the change whose product comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreRequest {
    pub seq: u64,
}

/// When a change was made, as the viewer reads it: `DD/MM/YYYY HH:MM` in their own time zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Who made a change, as the page names them.
pub fn actor_label(actor: &Actor) -> &str {
    actor.as_deref().unwrap_or("sin cuenta (acceso abierto)")
}

/// One field a change changed, in the page's words: its label, before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

/// What changed from `before` to `after`, field by field, each value as the page shows it
/// (prices in es-AR).
pub fn field_changes(before: &Product, after: &Product) -> Vec<FieldChange> {
    let shown = |p: &Product| {
        let pictures = if p.thumbnails.is_empty() {
            "ninguna".to_string()
        } else {
            p.thumbnails.join(", ")
        };
        [
            ("title", p.title.clone()),
            ("description", p.description.clone()),
            ("code", p.code.clone()),
            ("price", format_price(p.price)),
            ("stock", p.stock.to_string()),
            ("category", p.category.clone()),
            ("status", if p.status { "Sí" } else { "No" }.to_string()),
            ("thumbnails", pictures),
        ]
    };
    shown(before)
        .into_iter()
        .zip(shown(after))
        .filter(|((_, was), (_, now))| was != now)
        .map(|((name, before), (_, after))| FieldChange {
            label: field_label(name).unwrap_or(name),
            before,
            after,
        })
        .collect()
}

/// What each entry of a history (newest first) changed against the entry before it in time:
/// nothing for the oldest one shown and for a removal (whose product is as it was before).
pub fn what_changed(entries: &[HistoryEntry]) -> Vec<Vec<FieldChange>> {
    entries
        .iter()
        .enumerate()
        .map(|(at, entry)| match (entry.kind, entries.get(at + 1)) {
            (ChangeKind::Removed, _) | (_, None) => Vec::new(),
            (_, Some(older)) => field_changes(&older.product, &entry.product),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(price: f64, title: &str) -> Product {
        Product {
            id: 1,
            title: title.into(),
            description: "d".into(),
            code: "C-1".into(),
            price,
            status: true,
            stock: 3,
            category: "c".into(),
            thumbnails: Vec::new(),
        }
    }

    fn entry(seq: u64, kind: ChangeKind, product: Product) -> HistoryEntry {
        HistoryEntry {
            seq,
            at: Utc::now(),
            actor: None,
            kind,
            product,
        }
    }

    #[test]
    fn a_change_shows_each_field_it_changed_before_and_after_prices_in_es_ar() {
        let before = product(1234.5, "Escuadra");
        let mut after = product(99.0, "Escuadra 30 cm");
        after.status = false;
        assert_eq!(
            field_changes(&before, &after),
            [
                FieldChange {
                    label: "Título",
                    before: "Escuadra".into(),
                    after: "Escuadra 30 cm".into()
                },
                FieldChange {
                    label: "Precio",
                    before: "$ 1.234,50".into(),
                    after: "$ 99,00".into()
                },
                FieldChange {
                    label: "Activo",
                    before: "Sí".into(),
                    after: "No".into()
                },
            ]
        );
        assert!(field_changes(&before, &before).is_empty());
    }

    #[test]
    fn each_entry_is_compared_with_the_one_before_it_in_time() {
        // Newest first: created at 10, updated to 20, removed, restored to 10.
        let history = [
            entry(4, ChangeKind::Restored, product(10.0, "a")),
            entry(3, ChangeKind::Removed, product(20.0, "a")),
            entry(2, ChangeKind::Updated, product(20.0, "a")),
            entry(1, ChangeKind::Created, product(10.0, "a")),
        ];
        let changed = what_changed(&history);
        assert_eq!(changed[0][0].before, "$ 20,00");
        assert_eq!(changed[0][0].after, "$ 10,00");
        assert!(changed[1].is_empty(), "a removal changes no field");
        assert_eq!(changed[2].len(), 1);
        assert!(changed[3].is_empty(), "the first has nothing before it");
    }

    #[test]
    fn every_kind_reads_back_from_its_name_as_serde_writes_it() {
        for kind in [
            ChangeKind::Created,
            ChangeKind::Updated,
            ChangeKind::Removed,
            ChangeKind::Restored,
            ChangeKind::Imported,
        ] {
            assert_eq!(ChangeKind::from_name(kind.name()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
        assert_eq!(ChangeKind::from_name("deleted"), None);
    }
}
