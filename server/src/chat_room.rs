//! The chat service: every message, from HTTP or a socket, goes to the store, which returns
//! once it is durable and applied to the chat view (and so published to every chat socket, in
//! id order). History comes from the view, and from the store only for pages older than the
//! view keeps.

use std::sync::Arc;

use tokio::net::TcpStream;

use crate::fanout::Mailbox;
use crate::live::ChatView;
use crate::store::{Bans, Store, StoreError};
use app::domain::access::Member;
use app::domain::ban::{Ban, BanRequest};
use app::domain::{ChatMessage, MessageDraft};
use app::protocol::SocketStart;

pub struct ChatRoom {
    store: Arc<dyn Store>,
    view: Arc<ChatView>,
    /// Where the bans are (looked up for every message: a ban holds at once on every
    /// instance).
    bans: Arc<dyn Bans>,
}

impl ChatRoom {
    pub fn new(store: Arc<dyn Store>, view: Arc<ChatView>, bans: Arc<dyn Bans>) -> Arc<Self> {
        Arc::new(ChatRoom { store, view, bans })
    }

    /// The last `limit` messages below id `before`, oldest first.
    pub async fn recent(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        match self.view.recent(limit, before) {
            Some(messages) => Ok(messages),
            None => self.store.messages(limit, before).await,
        }
    }

    /// Lets a socket in: a history, or a resume and what it missed, then every message.
    pub async fn join(&self, stream: Arc<TcpStream>, start: &SocketStart) -> Arc<Mailbox> {
        self.view
            .join(stream, None, |window| {
                std::future::ready(window.opening(start))
            })
            .await
    }

    /// Removes message `id` everywhere: the store (its change log included), then every
    /// instance's window and every chat socket, through the applier.
    pub async fn remove(&self, id: u64) -> Result<(), StoreError> {
        self.store.remove_message(id).await
    }

    /// Stores the message, unless its email is banned, or is a staff account's and `member`
    /// (the logged-in member of the staff who sends it, if any) is not sending. A member's
    /// message is marked as the staff's, under their account's email.
    pub async fn post(
        &self,
        draft: MessageDraft,
        member: Option<&Member>,
    ) -> Result<ChatMessage, StoreError> {
        let draft = match member {
            // The shared password's "staff" is no email: its messages keep the one given.
            Some(member) => draft.by_staff(member.name.contains('@').then_some(&*member.name)),
            None => draft,
        };
        let email = draft.email.to_lowercase();
        let now = chrono::Utc::now().timestamp();
        let sender = self
            .bans
            .sender(&email, now)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        if let Some(until) = sender.banned_until {
            return Err(StoreError::Banned(instant(until)));
        }
        if sender.staff_account && !draft.staff {
            return Err(StoreError::Reserved);
        }
        self.store.post_message(draft).await
    }

    /// Bans `request.email` (by `by`) and, with `purge`, removes every message of it; the ban
    /// and how many messages went.
    pub async fn ban(
        &self,
        request: BanRequest,
        by: Option<&str>,
    ) -> Result<(Ban, u64), StoreError> {
        let until = chrono::Utc::now().timestamp() + request.minutes as i64 * 60;
        self.bans
            .ban(&request.email, until, by)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let purged = match request.purge {
            true => self.store.purge_author(&request.email).await?,
            false => 0,
        };
        let ban = Ban {
            email: request.email,
            until: instant(until),
            by: by.map(str::to_string),
        };
        Ok((ban, purged))
    }

    /// The bans in force.
    pub async fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        let now = chrono::Utc::now().timestamp();
        let bans = self
            .bans
            .bans(now)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(bans
            .into_iter()
            .map(|(email, until, by)| Ban {
                email,
                until: instant(until),
                by,
            })
            .collect())
    }

    /// Lifts `email`'s ban; whether one was in force.
    pub async fn lift(&self, email: &str) -> Result<bool, StoreError> {
        let now = chrono::Utc::now().timestamp();
        self.bans
            .lift(&email.trim().to_lowercase(), now)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

/// A ban's end as the store keeps it (Unix seconds), as a time.
fn instant(unix: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default()
}
