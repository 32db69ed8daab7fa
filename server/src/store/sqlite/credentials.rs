//! SQLite's staff accounts, with the credentials in force remembered by the one server that
//! uses the data directory, so that a request with a session or token costs no database read
//! (a read is a trip to one of sqlx's SQLite threads: about a tenth of a millisecond, an
//! eighth of a product write).
//!
//! What is remembered must end the moment the store ends it, also when `server staff` ends it
//! from another process. So every change that ends credentials (a logout, a removed account,
//! a new password, a new API token), whoever makes it, rewrites the data directory's marker
//! file with a new random value once it is committed; the server compares the marker with
//! the one it remembered under, at each use, and forgets everything when it differs. Reading
//! the marker is one small file read from the page cache, no thread hop. A lookup that began
//! before a change is not remembered after it (it saw the old marker). PostgreSQL's instances
//! read their credentials from the database each time (`AccountBook`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::Sqlite;

use crate::store::accounts::{AccountBook, AccountError, Accounts, CredentialKind, Holder};
use app::domain::access::Role;
use app::domain::staff::Account;

/// The marker file in the data directory.
const MARKER_FILE: &str = "staff-credentials.changed";
/// The most credentials remembered; past it, all are forgotten and read again.
const MOST_REMEMBERED: usize = 4_096;
/// How long a credential is remembered at most: should the marker ever fail to be written,
/// an ended credential still ends within this.
const REMEMBERED_FOR: Duration = Duration::from_secs(60);

/// The accounts of a data directory, marking every change that ends credentials; a server's
/// remember the credentials in force (a command's do not: it lives for one change).
pub struct LocalAccounts {
    book: AccountBook<Sqlite>,
    marker: PathBuf,
    remembered: Option<Mutex<Remembered>>,
}

/// The credentials looked up since the marker last changed.
#[derive(Default)]
struct Remembered {
    /// The marker's value they were looked up under.
    marker: Vec<u8>,
    held: HashMap<String, (Holder, Instant)>,
}

impl LocalAccounts {
    /// For a server: remembers the credentials it looks up.
    pub fn remembering(book: AccountBook<Sqlite>, dir: &Path) -> LocalAccounts {
        LocalAccounts {
            book,
            marker: dir.join(MARKER_FILE),
            remembered: Some(Mutex::default()),
        }
    }

    /// For a command run beside a server: marks its changes, remembers nothing.
    pub fn marking(book: AccountBook<Sqlite>, dir: &Path) -> LocalAccounts {
        LocalAccounts {
            book,
            marker: dir.join(MARKER_FILE),
            remembered: None,
        }
    }

    /// The marker's value now (empty before the first change).
    fn marker(&self) -> Vec<u8> {
        std::fs::read(&self.marker).unwrap_or_default()
    }

    /// Tells every server on this directory that credentials ended: a new marker, written
    /// whole (a file of its own, named after the new value, renamed over the old one).
    fn mark_ended(&self) -> Result<(), AccountError> {
        let value = crate::auth::new_token();
        let next = self.marker.with_extension(format!("{value}.next"));
        std::fs::write(&next, value)
            .and_then(|()| std::fs::rename(&next, &self.marker))
            .map_err(|e| {
                AccountError::Unavailable(format!(
                    "the change is stored, but running servers may go on accepting what it \
                     ended for up to a minute: cannot write {}: {e}",
                    self.marker.display()
                ))
            })
    }

    /// The remembered holder of `digest`, if it is still in force at `now`. Else, when this
    /// remembers, the marker it read: what a lookup from the store is remembered under.
    fn recall(&self, digest: &str, now: i64) -> Result<Holder, Option<Vec<u8>>> {
        let remembered = self.remembered.as_ref().ok_or(None)?;
        let marker = self.marker();
        let mut remembered = remembered.lock().unwrap_or_else(|e| e.into_inner());
        if remembered.marker != marker {
            remembered.held.clear();
            remembered.marker.clone_from(&marker);
            return Err(Some(marker));
        }
        match remembered.held.get(digest) {
            Some((holder, since))
                if holder.expires_at.is_none_or(|expires| now < expires)
                    && since.elapsed() < REMEMBERED_FOR =>
            {
                Ok(holder.clone())
            }
            _ => Err(Some(marker)),
        }
    }

    /// Remembers `holder` of `digest`, looked up under `marker`, unless the marker has
    /// changed since (a server's only: see [`LocalAccounts::recall`]).
    fn remember(&self, digest: &str, holder: &Holder, marker: Vec<u8>) {
        let Some(remembered) = &self.remembered else {
            return;
        };
        let mut remembered = remembered.lock().unwrap_or_else(|e| e.into_inner());
        if remembered.marker != marker {
            return;
        }
        if remembered.held.len() >= MOST_REMEMBERED {
            remembered.held.clear();
        }
        remembered
            .held
            .insert(digest.to_string(), (holder.clone(), Instant::now()));
    }
}

#[async_trait::async_trait]
impl Accounts for LocalAccounts {
    async fn add(&self, email: &str, role: Role, password_hash: &str) -> Result<(), AccountError> {
        self.book.add(email, role, password_hash).await
    }

    async fn list(&self) -> Result<Vec<Account>, AccountError> {
        self.book.list().await
    }

    async fn find(&self, email: &str) -> Result<Option<(Role, String)>, AccountError> {
        self.book.find(email).await
    }

    async fn remove(&self, email: &str) -> Result<(), AccountError> {
        self.book.remove(email).await?;
        self.mark_ended()
    }

    async fn set_password(&self, email: &str, password_hash: &str) -> Result<(), AccountError> {
        self.book.set_password(email, password_hash).await?;
        self.mark_ended()
    }

    async fn any(&self) -> Result<bool, AccountError> {
        self.book.any().await
    }

    async fn issue(
        &self,
        digest: &str,
        holder: &str,
        kind: CredentialKind,
        expires_at: Option<i64>,
    ) -> Result<(), AccountError> {
        self.book.issue(digest, holder, kind, expires_at).await?;
        // A new API token ends the account's earlier one; a new session ends nothing.
        match kind {
            CredentialKind::Token => self.mark_ended(),
            CredentialKind::Session => Ok(()),
        }
    }

    async fn holder(&self, digest: &str, now: i64) -> Result<Option<Holder>, AccountError> {
        let marker = match self.recall(digest, now) {
            Ok(holder) => return Ok(Some(holder)),
            Err(marker) => marker,
        };
        let holder = self.book.holder(digest, now).await?;
        if let (Some(holder), Some(marker)) = (&holder, marker) {
            self.remember(digest, holder, marker);
        }
        Ok(holder)
    }

    async fn revoke(&self, digest: &str) -> Result<(), AccountError> {
        self.book.revoke(digest).await?;
        self.mark_ended()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::digest;

    const EVA: &str = "eva@tienda.com";

    /// A server's accounts and a command's, on one new data directory, with Eva logged in.
    async fn server_and_command() -> (tempfile::TempDir, LocalAccounts, LocalAccounts, String) {
        let dir = tempfile::tempdir().unwrap();
        let command = super::super::accounts(dir.path()).await.unwrap();
        let book = AccountBook {
            writer: command.book.writer.clone(),
            reader: command.book.reader.clone(),
        };
        let server = LocalAccounts::remembering(book, dir.path());
        command.add(EVA, Role::Editor, "hash").await.unwrap();
        let session = digest("la sesión de Eva");
        let expires = chrono::Utc::now().timestamp() + 3600;
        server
            .issue(&session, EVA, CredentialKind::Session, Some(expires))
            .await
            .unwrap();
        (dir, server, command, session)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[tokio::test]
    async fn a_remembered_session_ends_when_a_command_ends_it() {
        let (_dir, server, command, session) = server_and_command().await;
        let held = server.holder(&session, now()).await.unwrap().unwrap();
        assert_eq!((held.name.as_str(), held.role), (EVA, Some(Role::Editor)));
        assert!(server.recall(&session, now()).is_ok(), "remembered");
        // Another process changes the password: the server's next look is a miss, and the
        // store says the session is over.
        command.set_password(EVA, "otro hash").await.unwrap();
        assert!(server.recall(&session, now()).is_err());
        assert_eq!(server.holder(&session, now()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_remembered_session_still_ends_at_its_time() {
        let (_dir, server, _command, session) = server_and_command().await;
        let held = server.holder(&session, now()).await.unwrap().unwrap();
        let expires = held.expires_at.unwrap();
        assert!(server.recall(&session, expires - 1).is_ok());
        assert!(server.recall(&session, expires).is_err());
    }

    #[tokio::test]
    async fn a_lookup_from_before_a_change_is_not_remembered() {
        let (_dir, server, command, session) = server_and_command().await;
        let before = server.marker();
        let held = server.book.holder(&session, now()).await.unwrap().unwrap();
        command.revoke(&session).await.unwrap();
        // The server notices the change on its next look, then the old lookup arrives.
        assert!(server.recall(&session, now()).is_err());
        server.remember(&session, &held, before);
        assert!(server.recall(&session, now()).is_err(), "not remembered");
        assert_eq!(server.holder(&session, now()).await.unwrap(), None);
    }
}
