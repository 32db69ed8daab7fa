//! Limits against abuse: what keeps a public server safe from strangers. Each limit has a
//! setting and a default that is safe on the public internet (see `config` and the README's
//! "Security").
//!
//! - [`client`]: who a request comes from (the TCP peer; `X-Forwarded-For` only from
//!   `TRUSTED_PROXIES`), the key every per-client limit counts by;
//! - [`credentials`]: failed staff credentials lock a client out;
//! - [`chat_limit`]: chat messages per client;
//! - [`sockets`]: open sockets per client;
//! - [`hosts`]: the host names served (DNS rebinding);
//! - [`body`]: bodies that arrive slowly;
//! - [`headers`]: security headers and the pages' Content-Security-Policy.
//!
//! Per-client state is bounded in memory ([`per_client`]).

pub mod body;
pub mod bucket;
pub mod chat_limit;
pub mod client;
pub mod credentials;
pub mod headers;
pub mod hosts;
pub mod per_client;
pub mod sockets;
