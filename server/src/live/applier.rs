//! The one place committed changes enter the views, from whichever store: each change's event
//! (JSON, as the log keeps it) is read once to change the view's state, and the same text is
//! framed once for every socket.

use tungstenite::Utf8Bytes;

use super::Views;
use crate::store::{Change, Channel, Publication, Subscriber, Unreadable};
use app::protocol::{ChatEvent, ProductEvent};

pub struct Applier {
    views: Views,
}

impl Applier {
    pub fn new(views: Views) -> Applier {
        Applier { views }
    }

    fn apply(&self, change: Change) -> Result<(), Unreadable> {
        let unreadable = Unreadable { seq: change.seq };
        match change.channel {
            Channel::Products => {
                let event: ProductEvent =
                    serde_json::from_str(&change.event).map_err(|_| unreadable)?;
                self.views
                    .catalog
                    .apply(&event, Utf8Bytes::from(change.event))
                    .then_some(())
                    .ok_or(Unreadable { seq: change.seq })
            }
            Channel::Chat => match serde_json::from_str(&change.event) {
                Ok(ChatEvent::Message { message }) => {
                    self.views
                        .chat
                        .apply(message, Utf8Bytes::from(change.event));
                    Ok(())
                }
                Ok(ChatEvent::MessageRemoved { id }) => {
                    self.views.chat.remove(id, Utf8Bytes::from(change.event));
                    Ok(())
                }
                _ => Err(unreadable),
            },
        }
    }
}

impl Subscriber for Applier {
    fn publish(&self, publication: Publication) -> Result<(), Unreadable> {
        match publication {
            Publication::Changes(changes) => changes
                .into_iter()
                .try_for_each(|change| self.apply(change)),
            Publication::Absorbed { seq, products } => {
                self.views.catalog.absorb(products, seq);
                Ok(())
            }
            Publication::Reset(snapshot) => {
                self.views.catalog.reset(snapshot.products, snapshot.seq);
                self.views
                    .chat
                    .reset(snapshot.latest_messages, snapshot.complete);
                Ok(())
            }
        }
    }
}
