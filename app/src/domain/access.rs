//! Who is asking, and what their role lets them do. The server decides (see the server's
//! `auth`); the pages and the live island only show or hide the controls accordingly, so one
//! rule here answers both.

use serde::{Deserialize, Serialize};

/// A staff account's role (the contract's "Staff accounts").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, the accounts included.
    Admin,
    /// Catalog changes, their history and restores.
    Editor,
    /// Chat moderation.
    Moderator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Moderator];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    /// The role's name as the pages say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administración",
            Role::Editor => "Edición del catálogo",
            Role::Moderator => "Moderación del chat",
        }
    }
}

/// A logged-in member of the staff: the account's email (or
/// [`SHARED_PASSWORD_ACTOR`](super::history::SHARED_PASSWORD_ACTOR) for the shared password,
/// which acts as an admin) and role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Staff access is off (no account, no shared password): everyone may edit and moderate
    /// (the classroom case).
    Open,
    /// A member of the staff, logged in, with their role.
    Staff(Member),
    /// A visitor of a shop with staff access: reading and chatting only.
    Visitor,
}

impl Access {
    /// Changes to the catalog, its history and restores.
    pub fn can_edit(&self) -> bool {
        match self {
            Access::Open => true,
            Access::Staff(member) => matches!(member.role, Role::Admin | Role::Editor),
            Access::Visitor => false,
        }
    }

    /// Removing chat messages and banning authors.
    pub fn can_moderate(&self) -> bool {
        match self {
            Access::Open => true,
            Access::Staff(member) => matches!(member.role, Role::Admin | Role::Moderator),
            Access::Visitor => false,
        }
    }

    /// Whether the chat shows "Borrar" and "Bloquear": to moderators and admins only. With
    /// staff access off anyone may moderate through the API (the classroom case, like the
    /// catalog), but a chat where every reader sees a delete button on everyone's messages
    /// invites accidents, so the page offers it only to a logged-in member.
    pub fn moderates_in_page(&self) -> bool {
        self.member().is_some() && self.can_moderate()
    }

    /// The staff accounts. Never open: with staff access off there are no accounts to manage,
    /// and the first one is made on the command line.
    pub fn can_manage_staff(&self) -> bool {
        matches!(self, Access::Staff(member) if member.role == Role::Admin)
    }

    /// The logged-in member, if any.
    pub fn member(&self) -> Option<&Member> {
        match self {
            Access::Staff(member) => Some(member),
            Access::Open | Access::Visitor => None,
        }
    }

    /// Who the record of changes names for a change made with this access (see
    /// `history::Actor`): the member's name, nobody when staff access is off.
    pub fn actor(&self) -> super::history::Actor {
        self.member().map(|member| member.name.clone())
    }
}

/// What a visitor is told when they try to change the catalog.
pub const STAFF_ONLY: &str = "Solo el personal puede cambiar el catálogo: ingresá para editar";
/// What a member is told when their role does not allow what they tried.
pub const NOT_YOUR_ROLE: &str = "Tu rol en el equipo no permite hacer esto";

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role) -> Access {
        Access::Staff(Member {
            name: "ana@tienda.com".into(),
            role,
        })
    }

    #[test]
    fn each_role_does_what_it_is_for() {
        let (admin, editor, moderator) = (
            staff(Role::Admin),
            staff(Role::Editor),
            staff(Role::Moderator),
        );
        assert!(admin.can_edit() && admin.can_moderate() && admin.can_manage_staff());
        assert!(editor.can_edit() && !editor.can_moderate() && !editor.can_manage_staff());
        assert!(!moderator.can_edit() && moderator.can_moderate());
        assert!(!moderator.can_manage_staff());
        assert!(!Access::Visitor.can_edit() && !Access::Visitor.can_moderate());
        assert!(Access::Open.can_edit() && !Access::Open.can_manage_staff());
        assert!(Access::Open.can_moderate() && !Access::Open.moderates_in_page());
        assert!(admin.moderates_in_page() && !editor.moderates_in_page());
    }

    #[test]
    fn the_record_names_the_member() {
        assert_eq!(
            staff(Role::Editor).actor().as_deref(),
            Some("ana@tienda.com")
        );
        assert_eq!(Access::Open.actor(), None);
    }

    #[test]
    fn roles_by_name() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.name()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.name()));
        }
        assert_eq!(Role::from_name("owner"), None);
    }
}
