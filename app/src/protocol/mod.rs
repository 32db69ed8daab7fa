//! The WebSocket protocol: one JSON object per text frame, tagged by `type`.
//!
//! Server frames derive `Serialize` and `Deserialize` so the server writes them and the browser
//! reads them from one definition. Client requests are parsed by hand on the server
//! ([`ProductRequest::parse`], [`ChatRequest::parse`]) so that a bad field gets a per-field error
//! and the request's `ref` is echoed even when the rest of the frame is wrong.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod catalog_file;
pub mod paging;
mod resume;

pub use catalog_file::Imported;
pub use resume::{Resumable, ResumePoint, SocketStart, CHAT_RESUME_LIMIT, MAX_LIMIT};

use crate::domain::{ChatMessage, FieldErrors, Invalid, NewProduct, Product, ProductChanges};

/// Frames the server sends on `/ws/products`.
///
/// `seq` numbers the store's changes (every instance sees the same numbers, never reused) and
/// `epoch` names the store's history: a client that reconnects with the last `seq` and `epoch`
/// it saw gets only what it missed ([`ProductEvent::Resume`] then the events), or a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ProductEvent {
    /// The catalog (its first `limit` products when the socket asked for a limit), sent first
    /// and after a resync. `total` counts every product; `seq` is the last change it includes.
    Snapshot {
        products: Vec<Product>,
        #[serde(default)]
        total: u64,
        #[serde(default)]
        seq: u64,
        #[serde(default)]
        epoch: String,
    },
    /// The first frame of a resumed socket: every change after `since` follows, then live
    /// events.
    Resume {
        since: u64,
    },
    Added {
        product: Product,
        #[serde(default)]
        seq: u64,
    },
    Updated {
        product: Product,
        #[serde(default)]
        seq: u64,
    },
    Removed {
        id: u64,
        #[serde(default)]
        seq: u64,
    },
    Error(ErrorFrame),
}

impl ProductEvent {
    /// The change number of a change event.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ProductEvent::Added { seq, .. }
            | ProductEvent::Updated { seq, .. }
            | ProductEvent::Removed { seq, .. }
            | ProductEvent::Snapshot { seq, .. } => Some(*seq),
            ProductEvent::Resume { .. } | ProductEvent::Error(_) => None,
        }
    }
}

/// Frames the server sends on `/ws/chat`. `presence` is an addition to the contract's frames;
/// clients that do not know it ignore it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChatEvent {
    /// The last messages, oldest first, sent first and after a resync; `epoch` names the
    /// store's history, for resuming by message id.
    History {
        messages: Vec<ChatMessage>,
        #[serde(default)]
        epoch: String,
    },
    /// The first frame of a resumed socket: every message after id `since` follows.
    Resume {
        since: u64,
    },
    Message {
        message: ChatMessage,
    },
    /// A message a moderator removed: every page drops it.
    #[serde(rename = "message_removed")]
    MessageRemoved {
        id: u64,
    },
    /// How many chat sockets are open (on every instance), sent when it changes.
    Presence {
        online: u64,
    },
    Error(ErrorFrame),
}

/// An `error` frame that answers no request of a channel in particular (a frame past the
/// socket's budget, a binary frame): the same on `/ws/products` and `/ws/chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Refusal {
    Error(ErrorFrame),
}

impl Refusal {
    pub fn new(invalid: Invalid) -> Refusal {
        Refusal::Error(ErrorFrame::new(None, invalid))
    }
}

/// A failed request, answered to the requesting client alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorFrame {
    /// The `ref` of the request that failed, when it carried one.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "FieldErrors::is_empty")]
    pub fields: FieldErrors,
}

impl ErrorFrame {
    pub fn new(reference: Option<String>, invalid: Invalid) -> Self {
        ErrorFrame {
            reference,
            message: invalid.error,
            fields: invalid.fields,
        }
    }
}

/// Requests a client sends on `/ws/products`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ProductRequest {
    Add {
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        product: NewProduct,
    },
    Update {
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        id: u64,
        changes: ProductChanges,
        /// The product as the client last saw it (an addition to the contract's frame): the
        /// update is refused if someone changed it since, instead of overwriting their change.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected: Option<Product>,
    },
    Remove {
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        id: u64,
    },
}

/// Requests a client sends on `/ws/chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChatRequest {
    Send {
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        email: String,
        text: String,
    },
}

/// How a client reconnects after its socket died: the browser does it, and the benchmark's
/// reconnect storm imitates it. Waits double from the first to the longest, each one spread by
/// ±25 % so that a restarted server is not hit by every client in the same instant, and start
/// again from the first after a frame arrives.
pub mod reconnect {
    use std::time::Duration;

    pub const FIRST_RETRY: Duration = Duration::from_millis(250);
    pub const LONGEST_RETRY: Duration = Duration::from_secs(3);

    /// `base` spread by `random` (uniform in 0..1): between 75 % and 125 % of it.
    pub fn jittered(base: Duration, random: f64) -> Duration {
        base.mul_f64(0.75 + random * 0.5)
    }

    /// The wait after `retry`.
    pub fn next(retry: Duration) -> Duration {
        (retry * 2).min(LONGEST_RETRY)
    }
}

/// A frame that could not be taken as a request: what to answer, and to which `ref`.
pub type Rejected = ErrorFrame;

/// A frame's JSON object, its `type` and its `ref`, the first steps of every request.
struct Frame {
    object: serde_json::Map<String, Value>,
    kind: String,
    reference: Option<String>,
}

impl Frame {
    fn parse(text: &str) -> Result<Frame, Rejected> {
        let reject = |message: &str| ErrorFrame::new(None, Invalid::new(message));
        let value: Value =
            serde_json::from_str(text).map_err(|_| reject("El mensaje no es JSON válido"))?;
        let Value::Object(object) = value else {
            return Err(reject("Se esperaba un objeto JSON con un campo \"type\""));
        };
        // The ref is echoed whatever its JSON type, as long as it is a string or a number.
        let reference = match object.get("ref") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            _ => {
                return Err(ErrorFrame::new(
                    reference,
                    Invalid::new("Falta el campo \"type\" del mensaje"),
                ))
            }
        };
        Ok(Frame {
            object,
            kind,
            reference,
        })
    }

    fn reject(&self, invalid: Invalid) -> Rejected {
        ErrorFrame::new(self.reference.clone(), invalid)
    }

    fn unknown_type(&self, known: &str) -> Rejected {
        self.reject(Invalid::new(format!(
            "Tipo de mensaje desconocido: \"{}\" (se espera {known})",
            self.kind
        )))
    }

    /// A positive integer `id`.
    fn id(&self) -> Result<u64, Rejected> {
        match self.object.get("id").and_then(Value::as_u64) {
            Some(id) if id > 0 => Ok(id),
            _ => Err(self.reject(Invalid::fields(
                "Falta el id del producto",
                FieldErrors::from([("id".into(), "debe ser un entero positivo".into())]),
            ))),
        }
    }

    fn object_field(&self, name: &str) -> Result<&Value, Rejected> {
        match self.object.get(name) {
            Some(value @ Value::Object(_)) => Ok(value),
            _ => Err(self.reject(Invalid::new(format!(
                "Falta el objeto \"{name}\" en el mensaje \"{}\"",
                self.kind
            )))),
        }
    }

    fn text_field(&self, name: &str) -> String {
        self.object
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

impl ProductRequest {
    /// The request's `ref`, if it carried one.
    pub fn reference(&self) -> Option<&String> {
        match self {
            ProductRequest::Add { reference, .. }
            | ProductRequest::Update { reference, .. }
            | ProductRequest::Remove { reference, .. } => reference.as_ref(),
        }
    }

    /// Parses a client frame, checking the product fields with the domain's validation.
    pub fn parse(text: &str) -> Result<ProductRequest, Rejected> {
        let frame = Frame::parse(text)?;
        let reference = frame.reference.clone();
        match frame.kind.as_str() {
            "add" => {
                let product = NewProduct::from_json(frame.object_field("product")?)
                    .map_err(|invalid| frame.reject(invalid))?;
                Ok(ProductRequest::Add { reference, product })
            }
            "update" => {
                let id = frame.id()?;
                let changes = ProductChanges::from_json(frame.object_field("changes")?)
                    .map_err(|invalid| frame.reject(invalid))?;
                let expected = match frame.object.get("expected") {
                    None | Some(Value::Null) => None,
                    Some(value) => Some(Product::deserialize(value).map_err(|_| {
                        frame.reject(Invalid::new(
                            "\"expected\" debe ser el producto como lo viste, con todos sus campos",
                        ))
                    })?),
                };
                Ok(ProductRequest::Update {
                    reference,
                    id,
                    changes,
                    expected,
                })
            }
            "remove" => Ok(ProductRequest::Remove {
                reference,
                id: frame.id()?,
            }),
            _ => Err(frame.unknown_type("add, update o remove")),
        }
    }
}

impl ChatRequest {
    /// Parses a client frame. The email and text are checked when the message is created, so
    /// the HTTP and socket paths share that check.
    pub fn parse(text: &str) -> Result<ChatRequest, Rejected> {
        let frame = Frame::parse(text)?;
        match frame.kind.as_str() {
            "send" => Ok(ChatRequest::Send {
                reference: frame.reference.clone(),
                email: frame.text_field("email"),
                text: frame.text_field("text"),
            }),
            _ => Err(frame.unknown_type("send")),
        }
    }
}
