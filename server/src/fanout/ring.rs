//! The last events of a channel, as encoded frames numbered by their position.

use std::collections::VecDeque;

use bytes::Bytes;

/// How many events the ring keeps. A socket further behind than this is resynced.
pub const CAPACITY: usize = 1024;

pub struct Ring {
    /// The position of the next event.
    head: u64,
    /// The last events; `frames[i]` is at position `head - frames.len() + i`.
    frames: VecDeque<Bytes>,
}

impl Ring {
    pub fn new() -> Self {
        Ring {
            head: 0,
            frames: VecDeque::with_capacity(CAPACITY),
        }
    }

    pub fn head(&self) -> u64 {
        self.head
    }

    pub fn push(&mut self, frame: Bytes) {
        if self.frames.len() == CAPACITY {
            self.frames.pop_front();
        }
        self.frames.push_back(frame);
        self.head += 1;
    }

    /// Forgets every event and moves the head on by one, so that every socket is behind what
    /// the ring holds and gets a fresh first frame (see `Feed::resync`): for a state replaced
    /// as a whole, where each socket needs its own kind of snapshot (its `limit`).
    pub fn cut(&mut self) {
        self.frames.clear();
        self.head += 1;
    }

    /// Every frame held, and the head.
    pub fn held(&self) -> (Vec<Bytes>, u64) {
        (self.frames.iter().cloned().collect(), self.head)
    }

    /// The frames from position `cursor` to the head, and the head; `None` when the oldest
    /// of them is gone.
    pub fn since(&self, cursor: u64) -> Option<(Vec<Bytes>, u64)> {
        let oldest = self.head - self.frames.len() as u64;
        if cursor < oldest {
            return None;
        }
        let skip = (cursor.min(self.head) - oldest) as usize;
        Some((self.frames.range(skip..).cloned().collect(), self.head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_what_it_holds_and_says_when_it_no_longer_does() {
        let mut ring = Ring::new();
        assert_eq!(ring.since(0), Some((vec![], 0)));
        for n in 0..CAPACITY as u64 + 2 {
            ring.push(Bytes::from(n.to_string()));
        }
        let head = CAPACITY as u64 + 2;
        assert_eq!(ring.head(), head);
        let (frames, at) = ring.since(head - 2).unwrap();
        assert_eq!(
            (frames, at),
            (vec![Bytes::from("1024"), Bytes::from("1025")], head)
        );
        assert_eq!(ring.since(head).unwrap().0, Vec::<Bytes>::new());
        assert!(ring.since(2).is_some(), "the oldest kept");
        assert!(ring.since(1).is_none(), "evicted");
        ring.cut();
        assert_eq!(ring.head(), head + 1);
        assert!(ring.since(head).is_none(), "after a cut everyone is behind");
        assert_eq!(ring.since(head + 1), Some((vec![], head + 1)));
    }
}
