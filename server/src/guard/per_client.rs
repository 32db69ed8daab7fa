//! State kept per client (its address, or its /64 for IPv6: see `client`), bounded in memory
//! whatever clients send: entries that no longer matter are forgotten, and past
//! [`MAX_CLIENTS`] a new client is not tracked until room frees up. Such a client is limited,
//! never let through unlimited (each limit decides what that means: no chat messages, no
//! staff credentials, no sockets), and the log and `/metrics` say that the table is full.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// The most clients tracked at once, per kind of limit (about 100 bytes each).
pub const MAX_CLIENTS: usize = 100_000;

pub struct PerClient<T> {
    entries: Mutex<HashMap<IpAddr, T>>,
    /// Whether an entry can be forgotten without changing anything.
    forgettable: fn(&T) -> bool,
    /// The limit this table is for, in the log and the metrics.
    kind: &'static str,
    /// When the log last said the table was full (Unix seconds), so it says it once a minute.
    told_full_at: AtomicU64,
}

impl<T> PerClient<T> {
    pub fn new(kind: &'static str, forgettable: fn(&T) -> bool) -> Self {
        PerClient {
            entries: Mutex::default(),
            forgettable,
            kind,
            told_full_at: AtomicU64::new(0),
        }
    }

    /// Runs `f` on `client`'s entry (made with `new` when absent); `None` when the table is
    /// full of entries that still matter (the client is then to be limited).
    pub fn with<R>(
        &self,
        client: IpAddr,
        new: impl FnOnce() -> T,
        f: impl FnOnce(&mut T) -> R,
    ) -> Option<R> {
        let mut entries = self.lock();
        if !self.has_room_for(&mut entries, client) {
            return None;
        }
        Some(f(entries.entry(client).or_insert_with(new)))
    }

    /// Whether `client` has an entry, or there is room for one.
    pub fn admits(&self, client: IpAddr) -> bool {
        let mut entries = self.lock();
        self.has_room_for(&mut entries, client)
    }

    fn has_room_for(&self, entries: &mut HashMap<IpAddr, T>, client: IpAddr) -> bool {
        if entries.contains_key(&client) || entries.len() < MAX_CLIENTS {
            return true;
        }
        let forgettable = self.forgettable;
        entries.retain(|_, entry| !forgettable(entry));
        let room = entries.len() < MAX_CLIENTS;
        if !room {
            self.full();
        }
        room
    }

    /// A client turned away because the table is full: counted, and logged once a minute.
    fn full(&self) {
        crate::telemetry::client_table_full(self.kind);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let told = self.told_full_at.load(Ordering::Relaxed);
        if now >= told + 60
            && self
                .told_full_at
                .compare_exchange(told, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                limit = self.kind,
                clients = MAX_CLIENTS,
                "too many clients remembered at once: new clients are limited until some are forgotten"
            );
        }
    }

    /// Runs `f` on `client`'s entry if it has one, and forgets the entry when it no longer
    /// matters.
    pub fn existing<R>(&self, client: IpAddr, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut entries = self.lock();
        let entry = entries.get_mut(&client)?;
        let result = f(entry);
        if (self.forgettable)(entry) {
            entries.remove(&client);
        }
        Some(result)
    }

    pub fn forget(&self, client: IpAddr) {
        self.lock().remove(&client);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, T>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded_and_forgets_what_no_longer_matters() {
        let counts: PerClient<u32> = PerClient::new("test", |n| *n == 0);
        let client = |n: u32| IpAddr::from(n.to_be_bytes());
        for n in 0..MAX_CLIENTS as u32 {
            counts.with(client(n), || 1, |_| ()).unwrap();
        }
        assert!(
            counts.with(client(u32::MAX), || 1, |_| ()).is_none(),
            "full"
        );
        assert!(
            !counts.admits(client(u32::MAX)),
            "a new client is turned away"
        );
        assert!(counts.admits(client(7)), "one it remembers is not");
        counts.existing(client(7), |n| *n = 0);
        assert!(
            counts.with(client(u32::MAX), || 1, |_| ()).is_some(),
            "room again"
        );
    }
}
