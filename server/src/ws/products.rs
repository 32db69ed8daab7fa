//! `/ws/products`: a snapshot, then every catalog change; `add`, `update`, `remove` requests,
//! carried out only for a socket opened with staff rights (see `auth`).

use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;

use super::connection::Channel;
use crate::catalog::Catalog;
use crate::fanout::{json_frame, Mailbox};
use app::domain::access::STAFF_ONLY;
use app::domain::Access;
use app::domain::Invalid;
use app::protocol::{ErrorFrame, ProductEvent, ProductRequest, SocketStart};

pub struct ProductsChannel {
    pub catalog: Arc<Catalog>,
    /// The rights the socket was opened with (to change the catalog, and as whom).
    pub access: Access,
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
        if !self.access.can_edit() {
            return Some(json_frame(&ProductEvent::Error(ErrorFrame::new(
                request.reference().cloned(),
                Invalid::new(STAFF_ONLY),
            ))));
        }
        let catalog = &self.catalog;
        let actor = self.access.actor();
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
