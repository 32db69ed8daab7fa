//! How many sockets one client may hold open at once (`MAX_SOCKETS_PER_CLIENT`).

use std::net::IpAddr;
use std::sync::Arc;

use super::per_client::PerClient;

#[derive(Clone)]
pub struct SocketSlots {
    max: u32,
    open: Arc<PerClient<u32>>,
}

/// One open socket of a client; dropping it frees the slot.
pub struct SocketSlot {
    client: IpAddr,
    open: Arc<PerClient<u32>>,
}

impl SocketSlots {
    pub fn new(max: u32) -> Self {
        SocketSlots {
            max,
            open: Arc::new(PerClient::new("sockets", |open| *open == 0)),
        }
    }

    /// A slot for one more socket of `client`, or `None` when it has as many as allowed.
    pub fn take(&self, client: IpAddr) -> Option<SocketSlot> {
        let max = self.max;
        let taken = self
            .open
            .with(
                client,
                || 0,
                |open| (*open < max).then(|| *open += 1).is_some(),
            )
            // A full table: too many clients at once; refuse rather than track none.
            .unwrap_or(false);
        taken.then(|| SocketSlot {
            client,
            open: self.open.clone(),
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.open
            .existing(self.client, |open| *open = open.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_max_and_gets_them_back() {
        let slots = SocketSlots::new(2);
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        let first = slots.take(client).unwrap();
        let _second = slots.take(client).unwrap();
        assert!(slots.take(client).is_none());
        assert!(
            slots.take("192.0.2.2".parse().unwrap()).is_some(),
            "per client"
        );
        drop(first);
        assert!(slots.take(client).is_some());
    }
}
