//! The chat's bans in the store: who may not post until when, and what the chat must know of a
//! sender, read for every message so that a ban (and a staff account's email) holds at once on
//! every instance. Over the same pools as the staff accounts ([`AccountBook`]).

#[cfg(doc)]
use super::accounts::AccountBook;
use super::accounts::AccountError;

/// A chat sender's email as the store knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sender {
    /// When its ban ends (Unix seconds), if one is in force.
    pub banned_until: Option<i64>,
    /// Whether it is a staff account's email (reserved for that member's staff session).
    pub staff_account: bool,
}

/// The chat's bans, on whichever database the store uses.
#[async_trait::async_trait]
pub trait Bans: Send + Sync + 'static {
    /// Bans `email` from the chat until `until` (Unix seconds), by `by`; replaces its earlier
    /// ban.
    async fn ban(&self, email: &str, until: i64, by: Option<&str>) -> Result<(), AccountError>;
    /// The bans in force at `now`: email, until, by; by email.
    async fn bans(&self, now: i64) -> Result<Vec<(String, i64, Option<String>)>, AccountError>;
    /// Lifts the ban of `email`; whether one was in force at `now`.
    async fn lift(&self, email: &str, now: i64) -> Result<bool, AccountError>;
    /// What the chat must know of a sender's `email` at `now`: one read for every message.
    async fn sender(&self, email: &str, now: i64) -> Result<Sender, AccountError>;
}

/// The statements (the same in both databases).
pub mod sql {
    pub const BAN: &str = "INSERT INTO chat_bans (email, until, by) VALUES ($1, $2, $3) \
         ON CONFLICT (email) DO UPDATE SET until = EXCLUDED.until, by = EXCLUDED.by";
    pub const BANS: &str = "SELECT email, until, by FROM chat_bans WHERE until > $1 ORDER BY email";
    pub const LIFT: &str = "DELETE FROM chat_bans WHERE email = $1 RETURNING until";
    pub const SENDER: &str = "SELECT \
         (SELECT until FROM chat_bans WHERE email = $1 AND until > $2), \
         (SELECT COUNT(*) FROM staff_accounts WHERE email = $1)";
}

/// Implements [`Bans`] for the [`AccountBook`] of a database: the same code for SQLite and
/// PostgreSQL, stated once per database (as `accounts_for!` does for the accounts).
macro_rules! bans_for {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::bans::Bans for $crate::store::accounts::AccountBook<$db> {
            async fn ban(
                &self,
                email: &str,
                until: i64,
                by: Option<&str>,
            ) -> Result<(), $crate::store::accounts::AccountError> {
                let query = sqlx::query($crate::store::bans::sql::BAN)
                    .bind(email)
                    .bind(until)
                    .bind(by);
                $crate::store::accounts::bounded(query.execute(&self.writer)).await?;
                Ok(())
            }

            async fn bans(
                &self,
                now: i64,
            ) -> Result<Vec<(String, i64, Option<String>)>, $crate::store::accounts::AccountError>
            {
                $crate::store::accounts::bounded(
                    sqlx::query_as($crate::store::bans::sql::BANS)
                        .bind(now)
                        .fetch_all(&self.reader),
                )
                .await
            }

            async fn lift(
                &self,
                email: &str,
                now: i64,
            ) -> Result<bool, $crate::store::accounts::AccountError> {
                let until: Option<i64> = $crate::store::accounts::bounded(
                    sqlx::query_scalar($crate::store::bans::sql::LIFT)
                        .bind(email)
                        .fetch_optional(&self.writer),
                )
                .await?;
                Ok(until.is_some_and(|until| until > now))
            }

            async fn sender(
                &self,
                email: &str,
                now: i64,
            ) -> Result<$crate::store::bans::Sender, $crate::store::accounts::AccountError> {
                let (banned_until, accounts): (Option<i64>, i64) =
                    $crate::store::accounts::bounded(
                        sqlx::query_as($crate::store::bans::sql::SENDER)
                            .bind(email)
                            .bind(now)
                            .fetch_one(&self.reader),
                    )
                    .await?;
                Ok($crate::store::bans::Sender {
                    banned_until,
                    staff_account: accounts > 0,
                })
            }
        }
    };
}

pub(crate) use bans_for;
