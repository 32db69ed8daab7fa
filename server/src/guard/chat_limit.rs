//! How many chat messages one client may send: `CHAT_MESSAGES_PER_SEC` with bursts of
//! `CHAT_MESSAGES_BURST`, over HTTP and sockets together.

use std::net::IpAddr;

use super::bucket::{Bucket, Rate};
use super::per_client::PerClient;

pub struct ChatLimit {
    rate: Rate,
    buckets: PerClient<Bucket>,
}

impl ChatLimit {
    pub fn new(rate: Rate) -> Self {
        ChatLimit {
            rate,
            buckets: PerClient::new("chat", Bucket::is_full),
        }
    }

    /// Takes one message's worth of `client`'s budget; `false` when it is spent, or when too
    /// many clients are remembered to remember this one (counted in the metrics, for HTTP and
    /// sockets alike).
    pub fn allow(&self, client: IpAddr) -> bool {
        let rate = self.rate;
        let allowed = self
            .buckets
            .with(client, || Bucket::new(rate), Bucket::take)
            .unwrap_or(false);
        if !allowed {
            crate::telemetry::rate_limited("chat");
        }
        allowed
    }
}
