//! Managing the staff accounts: what `/api/staff`, the `/staff` page's forms and the
//! `server staff` commands do, written once over the store's [`Accounts`].

use std::sync::Arc;

use crate::auth::{digest, new_token, Passwords};
use crate::store::{AccountError, Accounts, CredentialKind};
use app::domain::staff::{account_email, check_password, Account, NewAccount};

/// Why a change to the team did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error(transparent)]
    Store(#[from] AccountError),
    /// A new password does not follow the rule (the sentence says which).
    #[error("the password {0}")]
    Password(String),
}

pub struct Team {
    accounts: Arc<dyn Accounts>,
    passwords: Passwords,
}

impl Team {
    pub fn new(accounts: Arc<dyn Accounts>, passwords: Passwords) -> Team {
        Team {
            accounts,
            passwords,
        }
    }

    pub async fn list(&self) -> Result<Vec<Account>, AccountError> {
        self.accounts.list().await
    }

    /// Adds the account, its password kept only as a hash.
    pub async fn add(&self, new: NewAccount) -> Result<Account, AccountError> {
        let hash = self.passwords.hash(&new.password).await;
        self.accounts.add(&new.email, new.role, &hash).await?;
        tracing::info!(email = %new.email, role = new.role.name(), "staff account added");
        Ok(Account {
            email: new.email,
            role: new.role,
        })
    }

    /// Removes the account (`email` in any case) and ends its sessions and token.
    pub async fn remove(&self, email: &str) -> Result<(), AccountError> {
        let email = known_form(email)?;
        self.accounts.remove(&email).await?;
        tracing::info!(%email, "staff account removed");
        Ok(())
    }

    /// Sets a new password and ends every session and the token of the account.
    pub async fn set_password(&self, email: &str, password: &str) -> Result<(), TeamError> {
        check_password(password).map_err(TeamError::Password)?;
        let email = known_form(email)?;
        let hash = self.passwords.hash(password).await;
        self.accounts.set_password(&email, &hash).await?;
        tracing::info!(%email, "staff password changed");
        Ok(())
    }

    /// A new API token for the account, replacing its earlier one: returned this once, kept
    /// only as a digest.
    pub async fn new_token(&self, email: &str) -> Result<String, AccountError> {
        let email = known_form(email)?;
        if self.accounts.find(&email).await?.is_none() {
            return Err(AccountError::NotFound);
        }
        let token = new_token();
        self.accounts
            .issue(&digest(&token), &email, CredentialKind::Token, None)
            .await?;
        Ok(token)
    }
}

/// An email as accounts are kept; one that cannot be an account's is no account.
fn known_form(email: &str) -> Result<String, AccountError> {
    account_email(email).map_err(|_| AccountError::NotFound)
}
