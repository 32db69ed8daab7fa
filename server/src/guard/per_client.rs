//! State kept per client (its address), bounded in memory whatever clients send: entries that
//! no longer matter are forgotten, and past [`MAX_CLIENTS`] a new client is not tracked until
//! room frees up (it gets the benefit of the doubt, never someone else's entry).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The most clients tracked at once, per kind of limit (about 100 bytes each).
pub const MAX_CLIENTS: usize = 100_000;

pub struct PerClient<T> {
    entries: Mutex<HashMap<IpAddr, T>>,
    /// Whether an entry can be forgotten without changing anything.
    forgettable: fn(&T) -> bool,
}

impl<T> PerClient<T> {
    pub fn new(forgettable: fn(&T) -> bool) -> Self {
        PerClient {
            entries: Mutex::default(),
            forgettable,
        }
    }

    /// Runs `f` on `client`'s entry (made with `new` when absent); `None` when the table is
    /// full of entries that still matter.
    pub fn with<R>(
        &self,
        client: IpAddr,
        new: impl FnOnce() -> T,
        f: impl FnOnce(&mut T) -> R,
    ) -> Option<R> {
        let mut entries = self.lock();
        if !entries.contains_key(&client) && entries.len() >= MAX_CLIENTS {
            let forgettable = self.forgettable;
            entries.retain(|_, entry| !forgettable(entry));
            if entries.len() >= MAX_CLIENTS {
                return None;
            }
        }
        Some(f(entries.entry(client).or_insert_with(new)))
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
        let counts: PerClient<u32> = PerClient::new(|n| *n == 0);
        let client = |n: u32| IpAddr::from(n.to_be_bytes());
        for n in 0..MAX_CLIENTS as u32 {
            counts.with(client(n), || 1, |_| ()).unwrap();
        }
        assert!(
            counts.with(client(u32::MAX), || 1, |_| ()).is_none(),
            "full"
        );
        counts.existing(client(7), |n| *n = 0);
        assert!(
            counts.with(client(u32::MAX), || 1, |_| ()).is_some(),
            "room again"
        );
    }
}
