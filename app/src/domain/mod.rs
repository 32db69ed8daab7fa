//! Domain types shared by the server and the browser.

pub mod message;
pub mod product;
pub mod validation;

pub use message::{ChatMessage, MessageDraft};
pub use product::{NewProduct, Product, ProductChanges, ProductId};
pub use validation::{FieldErrors, Invalid};
