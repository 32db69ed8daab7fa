//! Domain types shared by the server and the browser.

pub mod access;
pub mod ban;
pub mod counting;
pub mod history;
pub mod image;
pub mod message;
pub mod notices;
pub mod price;
pub mod product;
pub mod product_form;
pub mod search;
pub mod staff;
pub mod validation;

pub use access::Access;
pub use message::{ChatMessage, MessageDraft};
pub use product::{NewProduct, Product, ProductChanges, ProductId};
pub use validation::{FieldErrors, Invalid, RowFault};
