//! The record of changes: who changed a product, when, how, and what it was right after; what
//! the history API answers and what a restore asks for (the contract's "The record of
//! changes").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

/// A product removed and not restored (`GET /api/products/removed`), as it was before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemovedProduct {
    pub product: Product,
    pub at: DateTime<Utc>,
    pub actor: Actor,
}

/// The body of `POST /api/products/{id}/restore`: the change whose product comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreRequest {
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

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
