//! Reusable pieces of the pages. `LiveCatalog` and `ChatBox` are islands: they hydrate in the
//! browser and talk to the server over WebSockets.

mod catalog_files;
mod change_record;
mod chat_bans;
mod chat_box;
mod chat_log;
mod connection_badge;
mod editing;
mod live_catalog;
mod live_list;
mod notice;
mod outbox;
mod product_card;
mod product_editor;
mod product_form;
mod who_is_in;

pub use chat_box::ChatBox;
pub use connection_badge::{ConnectionBadge, LinkState};
pub use live_catalog::LiveCatalog;
pub use outbox::{next_ref, Outbox, OFFLINE};
pub use product_card::ProductCard;
pub use product_form::ProductFormView;
pub use who_is_in::WhoIsIn;
