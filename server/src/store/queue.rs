//! Work waiting for a store's writer (see `post_message` in both stores: a group commit).

use tokio::sync::oneshot;

/// Work waiting for the writer, each item with the channel its answer goes back on. A std
/// mutex: held only to push or take, never across I/O.
pub struct Queue<T, A> {
    items: std::sync::Mutex<Vec<(T, oneshot::Sender<A>)>>,
}

impl<T, A> Default for Queue<T, A> {
    fn default() -> Self {
        Queue {
            items: std::sync::Mutex::default(),
        }
    }
}

impl<T, A> Queue<T, A> {
    pub fn push(&self, item: T, answer: oneshot::Sender<A>) {
        self.lock().push((item, answer));
    }

    /// Everything queued, oldest first, and at most [`BATCH`] of it.
    pub fn take(&self) -> Vec<(T, oneshot::Sender<A>)> {
        let mut items = self.lock();
        let taken = items.len().min(BATCH);
        let rest = items.split_off(taken);
        std::mem::replace(&mut *items, rest)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(T, oneshot::Sender<A>)>> {
        self.items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The most messages one transaction stores.
const BATCH: usize = 512;
