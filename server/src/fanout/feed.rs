//! What the writer shards read from: the owner of a channel's events and state.

use bytes::Bytes;

/// A channel's events as the writers see them. The owner (a view: its state and its
/// [`Ring`](super::Ring)) is built first and handed to the writers at their construction,
/// which then hold it strongly for as long as they run.
pub trait Feed: Send + Sync + 'static {
    /// The position the next event will take.
    fn head(&self) -> u64;
    /// The events from `cursor` to the head, and the head; or, when the ring no longer holds
    /// the oldest of them, all it holds. Clones only reference counts.
    fn since(&self, cursor: u64) -> (Vec<Bytes>, u64);
    /// A fresh first frame (snapshot or history, encoded) of the extent a socket asked for
    /// (`limit`: its first items only; `None`: all), and the position of the first event after
    /// it, taken atomically: for a socket behind what the ring holds (it fell behind, or the
    /// state was replaced as a whole).
    fn resync(&self, limit: Option<u32>) -> (Bytes, u64);
}
