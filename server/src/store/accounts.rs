//! Staff accounts and what their holders act with (login sessions, API tokens), kept in the
//! store so that every instance, and the `server staff` commands beside them, see one truth:
//! a logout, a removed account or a new password ends the credentials for all of them at
//! once, because a credential is looked up in the store each time it is used (a SQLite server
//! remembers it until a change says otherwise: `sqlite::LocalAccounts`).
//!
//! Credentials are kept only as the SHA-256 of their random tokens (a fast digest is right
//! for a random token of 256 bits; passwords get Argon2id, in `auth`, never here).

use sqlx::{Database, Pool};

use super::engine::OPERATION_LIMIT;
use app::domain::access::Role;
use app::domain::staff::Account;

/// Why an account operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account with that email exists already")]
    Taken,
    #[error("no account has that email")]
    NotFound,
    /// Removing it would leave the staff without an admin.
    #[error("it is the last admin")]
    LastAdmin,
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl From<sqlx::Error> for AccountError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Database(e) if e.is_unique_violation() => AccountError::Taken,
            other => AccountError::Unavailable(other.to_string()),
        }
    }
}

/// What a credential is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// A login's session (the cookie).
    Session,
    /// An account's API token (`Authorization: Bearer`).
    Token,
}

impl CredentialKind {
    pub fn name(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::Token => "token",
        }
    }
}

/// A credential in force: who holds it, and their role (`None` when the holder is not an
/// account: the shared password's sessions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub name: String,
    pub role: Option<Role>,
    /// When the credential ends (Unix seconds), if ever.
    pub expires_at: Option<i64>,
}

/// The store's accounts and credentials, on whichever database the store uses.
#[async_trait::async_trait]
pub trait Accounts: Send + Sync + 'static {
    async fn add(&self, email: &str, role: Role, password_hash: &str) -> Result<(), AccountError>;
    /// Every account, by email.
    async fn list(&self) -> Result<Vec<Account>, AccountError>;
    /// An account's role and password hash.
    async fn find(&self, email: &str) -> Result<Option<(Role, String)>, AccountError>;
    /// Removes the account and ends everything it holds; never the last admin.
    async fn remove(&self, email: &str) -> Result<(), AccountError>;
    /// Sets the password and ends every session and token of the account.
    async fn set_password(&self, email: &str, password_hash: &str) -> Result<(), AccountError>;
    /// Whether any account exists (staff access is on when one does).
    async fn any(&self) -> Result<bool, AccountError>;
    /// Keeps a new credential for `holder`, ending at `expires_at` (Unix seconds) if ever.
    /// A new API token replaces the account's earlier ones.
    async fn issue(
        &self,
        digest: &str,
        holder: &str,
        kind: CredentialKind,
        expires_at: Option<i64>,
    ) -> Result<(), AccountError>;
    /// Who holds the credential with this digest, if it is in force at `now` (Unix seconds).
    async fn holder(&self, digest: &str, now: i64) -> Result<Option<Holder>, AccountError>;
    /// Ends one credential (a logout).
    async fn revoke(&self, digest: &str) -> Result<(), AccountError>;
}

/// The staff's tables over a database's pools (the accounts here, the chat's bans in `bans`):
/// reads on `reader`, every change on `writer` (SQLite's one writing connection).
pub struct AccountBook<DB: Database> {
    pub writer: Pool<DB>,
    pub reader: Pool<DB>,
}

/// The statements (the same in both databases).
pub mod sql {
    pub const ADD: &str =
    "INSERT INTO staff_accounts (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)";
    pub const LIST: &str = "SELECT email, role FROM staff_accounts ORDER BY email";
    pub const FIND: &str = "SELECT role, password_hash FROM staff_accounts WHERE email = $1";
    pub const ROLE: &str = "SELECT role FROM staff_accounts WHERE email = $1";
    pub const ADMINS: &str = "SELECT COUNT(*) FROM staff_accounts WHERE role = 'admin'";
    pub const REMOVE: &str = "DELETE FROM staff_accounts WHERE email = $1";
    pub const SET_PASSWORD: &str = "UPDATE staff_accounts SET password_hash = $2 WHERE email = $1";
    pub const ANY: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM staff_accounts LIMIT 1) AS one";
    pub const ISSUE: &str =
        "INSERT INTO staff_credentials (digest, holder, kind, expires_at) VALUES ($1, $2, $3, $4)";
    pub const END_HELD: &str = "DELETE FROM staff_credentials WHERE holder = $1";
    pub const END_TOKENS: &str =
        "DELETE FROM staff_credentials WHERE holder = $1 AND kind = 'token'";
    pub const END_EXPIRED: &str = "DELETE FROM staff_credentials WHERE expires_at <= $1";
    pub const HOLDER: &str = "SELECT c.holder, a.role, c.expires_at FROM staff_credentials c \
         LEFT JOIN staff_accounts a ON a.email = c.holder \
         WHERE c.digest = $1 AND (c.expires_at IS NULL OR c.expires_at > $2)";
    pub const REVOKE: &str = "DELETE FROM staff_credentials WHERE digest = $1";
}

/// Implements [`Accounts`] for the [`AccountBook`] of a database: the same code for SQLite and
/// PostgreSQL (sqlx binds the same types on both), stated once per database.
macro_rules! accounts_for {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::accounts::Accounts for $crate::store::accounts::AccountBook<$db> {
            async fn add(
                &self,
                email: &str,
                role: app::domain::access::Role,
                password_hash: &str,
            ) -> Result<(), $crate::store::accounts::AccountError> {
                let now = chrono::Utc::now().timestamp();
                let query = sqlx::query($crate::store::accounts::sql::ADD)
                    .bind(email)
                    .bind(role.name())
                    .bind(password_hash)
                    .bind(now);
                $crate::store::accounts::bounded(query.execute(&self.writer)).await?;
                Ok(())
            }

            async fn list(
                &self,
            ) -> Result<Vec<app::domain::staff::Account>, $crate::store::accounts::AccountError>
            {
                let rows: Vec<(String, String)> = $crate::store::accounts::bounded(
                    sqlx::query_as($crate::store::accounts::sql::LIST).fetch_all(&self.reader),
                )
                .await?;
                rows.into_iter()
                    .map(|(email, role)| {
                        Ok(app::domain::staff::Account {
                            email,
                            role: $crate::store::accounts::role(&role)?,
                        })
                    })
                    .collect()
            }

            async fn find(
                &self,
                email: &str,
            ) -> Result<
                Option<(app::domain::access::Role, String)>,
                $crate::store::accounts::AccountError,
            > {
                let row: Option<(String, String)> = $crate::store::accounts::bounded(
                    sqlx::query_as($crate::store::accounts::sql::FIND)
                        .bind(email)
                        .fetch_optional(&self.reader),
                )
                .await?;
                row.map(|(role, hash)| Ok(($crate::store::accounts::role(&role)?, hash)))
                    .transpose()
            }

            async fn remove(
                &self,
                email: &str,
            ) -> Result<(), $crate::store::accounts::AccountError> {
                use sqlx::Connection;
                let email = email.to_string();
                $crate::store::accounts::bounded(async {
                    let mut connection = self.writer.acquire().await?;
                    let begin = <$db as $crate::store::accounts::LockAccounts>::BEGIN;
                    let mut tx = connection.begin_with(begin).await?;
                    if let Some(lock) = <$db as $crate::store::accounts::LockAccounts>::LOCK {
                        sqlx::query(lock).execute(&mut *tx).await?;
                    }
                    let role: Option<String> =
                        sqlx::query_scalar($crate::store::accounts::sql::ROLE)
                            .bind(&email)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some(role) = role else {
                        return Err($crate::store::accounts::AccountError::NotFound);
                    };
                    let admins: i64 = sqlx::query_scalar($crate::store::accounts::sql::ADMINS)
                        .fetch_one(&mut *tx)
                        .await?;
                    if role == "admin" && admins <= 1 {
                        return Err($crate::store::accounts::AccountError::LastAdmin);
                    }
                    for statement in [
                        $crate::store::accounts::sql::REMOVE,
                        $crate::store::accounts::sql::END_HELD,
                    ] {
                        sqlx::query(statement)
                            .bind(&email)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                })
                .await
            }

            async fn set_password(
                &self,
                email: &str,
                password_hash: &str,
            ) -> Result<(), $crate::store::accounts::AccountError> {
                use sqlx::Connection;
                $crate::store::accounts::bounded(async {
                    let mut connection = self.writer.acquire().await?;
                    let mut tx = connection.begin().await?;
                    let changed = sqlx::query($crate::store::accounts::sql::SET_PASSWORD)
                        .bind(email)
                        .bind(password_hash)
                        .execute(&mut *tx)
                        .await?;
                    if changed.rows_affected() == 0 {
                        return Err($crate::store::accounts::AccountError::NotFound);
                    }
                    sqlx::query($crate::store::accounts::sql::END_HELD)
                        .bind(email)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(())
                })
                .await
            }

            async fn any(&self) -> Result<bool, $crate::store::accounts::AccountError> {
                let count: i64 = $crate::store::accounts::bounded(
                    sqlx::query_scalar($crate::store::accounts::sql::ANY).fetch_one(&self.reader),
                )
                .await?;
                Ok(count > 0)
            }

            async fn issue(
                &self,
                digest: &str,
                holder: &str,
                kind: $crate::store::accounts::CredentialKind,
                expires_at: Option<i64>,
            ) -> Result<(), $crate::store::accounts::AccountError> {
                use sqlx::Connection;
                let now = chrono::Utc::now().timestamp();
                $crate::store::accounts::bounded(async {
                    let mut connection = self.writer.acquire().await?;
                    let mut tx = connection.begin().await?;
                    // Expired sessions go as new ones come: the table holds what is in force.
                    sqlx::query($crate::store::accounts::sql::END_EXPIRED)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    if kind == $crate::store::accounts::CredentialKind::Token {
                        sqlx::query($crate::store::accounts::sql::END_TOKENS)
                            .bind(holder)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query($crate::store::accounts::sql::ISSUE)
                        .bind(digest)
                        .bind(holder)
                        .bind(kind.name())
                        .bind(expires_at)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok::<(), $crate::store::accounts::AccountError>(())
                })
                .await
            }

            async fn holder(
                &self,
                digest: &str,
                now: i64,
            ) -> Result<
                Option<$crate::store::accounts::Holder>,
                $crate::store::accounts::AccountError,
            > {
                let row: Option<(String, Option<String>, Option<i64>)> =
                    $crate::store::accounts::bounded(
                        sqlx::query_as($crate::store::accounts::sql::HOLDER)
                            .bind(digest)
                            .bind(now)
                            .fetch_optional(&self.reader),
                    )
                    .await?;
                row.map(|(name, role, expires_at)| {
                    Ok($crate::store::accounts::Holder {
                        name,
                        expires_at,
                        role: role
                            .as_deref()
                            .map($crate::store::accounts::role)
                            .transpose()?,
                    })
                })
                .transpose()
            }

            async fn revoke(
                &self,
                digest: &str,
            ) -> Result<(), $crate::store::accounts::AccountError> {
                $crate::store::accounts::bounded(
                    sqlx::query($crate::store::accounts::sql::REVOKE)
                        .bind(digest)
                        .execute(&self.writer),
                )
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use accounts_for;

/// What a database takes to keep two removals from leaving no admin between them, and a
/// removal, which reads before it writes, from meeting another writer midway.
pub trait LockAccounts {
    /// How the removal's transaction begins.
    const BEGIN: &'static str;
    const LOCK: Option<&'static str>;
}

/// SQLite has one writer at a time, but a transaction that has read cannot then write after
/// another connection (the store's own, a command's) wrote meanwhile: it takes the write lock
/// as it begins, waiting its turn.
impl LockAccounts for sqlx::Sqlite {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
    const LOCK: Option<&'static str> = None;
}

impl LockAccounts for sqlx::Postgres {
    const BEGIN: &'static str = "BEGIN";
    const LOCK: Option<&'static str> = Some("LOCK TABLE staff_accounts IN EXCLUSIVE MODE");
}

/// A role as stored.
pub fn role(name: &str) -> Result<Role, AccountError> {
    Role::from_name(name)
        .ok_or_else(|| AccountError::Unavailable(format!("unknown role {name:?} in the store")))
}

/// `operation`, or "unavailable" once it has taken longer than the store's limit.
pub async fn bounded<T, E: Into<AccountError>>(
    operation: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, AccountError> {
    match tokio::time::timeout(OPERATION_LIMIT, operation).await {
        Ok(outcome) => outcome.map_err(Into::into),
        Err(_) => Err(AccountError::Unavailable(format!(
            "no answer within {} s",
            OPERATION_LIMIT.as_secs()
        ))),
    }
}
