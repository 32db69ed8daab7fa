//! Who may change the catalog on a page. The server decides (see the server's `auth`); the
//! pages and the live island only show or hide the controls accordingly.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// No staff password is set: everyone may edit (the classroom case).
    Open,
    /// Staff, logged in.
    Staff,
    /// A visitor of a shop with staff access: reading only.
    Visitor,
}

impl Access {
    pub fn can_edit(self) -> bool {
        matches!(self, Access::Open | Access::Staff)
    }

    /// Who the record of changes names for a change made with this access (see
    /// `history::Actor`).
    pub fn actor(self) -> super::history::Actor {
        match self {
            Access::Staff => Some(super::history::SHARED_PASSWORD_ACTOR.to_string()),
            Access::Open | Access::Visitor => None,
        }
    }
}

/// What a visitor is told when they try to change the catalog.
pub const STAFF_ONLY: &str = "Solo el personal puede cambiar el catálogo: ingresá para editar";
