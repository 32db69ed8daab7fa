//! What every handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::Policy;
use crate::catalog::Catalog;
use crate::chat_room::ChatRoom;
use crate::config::SocketLimits;
use crate::guard::chat_limit::ChatLimit;
use crate::guard::client::ClientAddress;
use crate::guard::sockets::SocketSlots;
use crate::presence::Presence;
use crate::team::Team;

#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub chat: Arc<ChatRoom>,
    pub presence: Arc<Presence>,
    /// Who may do what (see `auth`).
    pub access: Arc<Policy>,
    /// The staff accounts, for admins.
    pub team: Arc<Team>,
    pub leptos: LeptosOptions,
    pub sockets: SocketLimits,
    /// Who a request comes from (see `guard::client`).
    pub clients: ClientAddress,
    pub chat_limit: Arc<ChatLimit>,
    pub socket_slots: SocketSlots,
    /// Whether the staff cookie is always `Secure`.
    pub cookie_secure: bool,
}

impl FromRef<AppState> for ClientAddress {
    fn from_ref(state: &AppState) -> Self {
        state.clients.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
