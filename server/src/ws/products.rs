//! `/ws/products`: a snapshot, then every catalog change; `add`, `update`, `remove` requests.

use std::sync::Arc;

use bytes::Bytes;
use tungstenite::Utf8Bytes;

use super::connection::Channel;
use crate::catalog::Catalog;
use crate::fanout::Fanout;
use crate::live::frame_bytes;
use app::domain::Invalid;
use app::protocol::{ErrorFrame, ProductEvent, ProductRequest};

pub struct ProductsChannel(pub Arc<Catalog>);

impl Channel for ProductsChannel {
    fn first_frame(&self) -> (Bytes, u64) {
        self.0.first_frame()
    }

    fn events(&self) -> &Fanout {
        self.0.events()
    }

    async fn handle(&self, text: &str) -> Option<Utf8Bytes> {
        let request = match ProductRequest::parse(text) {
            Ok(request) => request,
            Err(rejected) => return Some(frame_bytes(&ProductEvent::Error(rejected))),
        };
        // Success needs no reply: the change comes back to this client as the broadcast event.
        let (reference, outcome) = match request {
            ProductRequest::Add { reference, product } => (reference, self.0.create(product).await),
            ProductRequest::Update {
                reference,
                id,
                changes,
            } => (reference, self.0.update(id, changes).await),
            ProductRequest::Remove { reference, id } => (reference, self.0.remove(id).await),
        };
        let error = outcome.err()?;
        Some(frame_bytes(&ProductEvent::Error(ErrorFrame::new(
            reference,
            Invalid::from(error),
        ))))
    }
}
