//! `/ws/products`: a snapshot, then every catalog change; `add`, `update`, `remove` requests,
//! carried out only while the credentials the socket was opened with allow them: they are
//! looked up at each request, so a logout or a removed account takes a socket's rights away at
//! once, on every instance (see `auth`).

use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;

use super::connection::Channel;
use crate::auth::{Credentials, Policy};
use crate::catalog::Catalog;
use crate::fanout::{json_frame, Mailbox};
use crate::store::StoreError;
use app::domain::access::{NOT_YOUR_ROLE, STAFF_ONLY};
use app::domain::Access;
use app::domain::Invalid;
use app::protocol::{ErrorFrame, ProductEvent, ProductRequest, SocketStart};

pub struct ProductsChannel {
    pub catalog: Arc<Catalog>,
    /// Who decides what the socket may do.
    pub policy: Arc<Policy>,
    /// What the socket was opened with (its cookie, unless from another site; a bearer token).
    pub credentials: Credentials,
    /// What the client asked to start with (a limit, a resume).
    pub start: SocketStart,
}

impl Channel for ProductsChannel {
    async fn join(&self, stream: Arc<TcpStream>) -> Arc<Mailbox> {
        self.catalog.join(stream, &self.start).await
    }

    async fn handle(&self, text: &str) -> Option<Bytes> {
        let request = match ProductRequest::parse(text) {
            Ok(request) => request,
            Err(rejected) => return Some(json_frame(&ProductEvent::Error(rejected))),
        };
        let refusal = match self.policy.access(&self.credentials).await {
            Ok(access) if access.can_edit() => Ok(access.actor()),
            Ok(Access::Staff(_)) => Err(Invalid::new(NOT_YOUR_ROLE)),
            Ok(_) => Err(Invalid::new(STAFF_ONLY)),
            Err(e) => Err(Invalid::from(StoreError::Unavailable(e.to_string()))),
        };
        let actor = match refusal {
            Ok(actor) => actor,
            Err(refused) => {
                return Some(json_frame(&ProductEvent::Error(ErrorFrame::new(
                    request.reference().cloned(),
                    refused,
                ))))
            }
        };
        let catalog = &self.catalog;
        // Success needs no reply: the change comes back to this client as the broadcast event.
        let (reference, outcome) = match request {
            ProductRequest::Add { reference, product } => {
                (reference, catalog.create(product, actor).await)
            }
            ProductRequest::Update {
                reference,
                id,
                changes,
                expected,
            } => (
                reference,
                catalog.update(id, changes, expected, actor).await,
            ),
            ProductRequest::Remove { reference, id } => {
                (reference, catalog.remove(id, actor).await)
            }
        };
        let error = outcome.err()?;
        Some(json_frame(&ProductEvent::Error(ErrorFrame::new(
            reference,
            Invalid::from(error),
        ))))
    }
}
