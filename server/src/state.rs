//! What every handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::catalog::Catalog;
use crate::chat_room::ChatRoom;
use crate::config::SocketLimits;

#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub chat: Arc<ChatRoom>,
    pub leptos: LeptosOptions,
    pub sockets: SocketLimits,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
