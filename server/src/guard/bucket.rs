//! A token bucket: a sustained rate with room for a burst. Used for a socket's frames and for
//! each client's chat messages.

use tokio::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Sustained events per second.
    pub per_sec: f64,
    /// How many may come at once above that rate.
    pub burst: f64,
}

#[derive(Clone, Debug)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
    rate: Rate,
}

impl Bucket {
    pub fn new(rate: Rate) -> Self {
        Bucket {
            tokens: rate.burst,
            last: Instant::now(),
            rate,
        }
    }

    /// Takes one event's worth; `false` when over the rate.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate.per_sec;
        self.tokens = (self.tokens + refill).min(self.rate.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether it is full again (so forgetting it changes nothing).
    pub fn is_full(&self) -> bool {
        let refill = self.last.elapsed().as_secs_f64() * self.rate.per_sec;
        self.tokens + refill >= self.rate.burst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn refuses_beyond_the_burst_and_refills_with_time() {
        let mut bucket = Bucket::new(Rate {
            per_sec: 10.0,
            burst: 3.0,
        });
        assert!(bucket.take() && bucket.take() && bucket.take());
        assert!(!bucket.take(), "the burst is spent");
        tokio::time::advance(std::time::Duration::from_millis(100)).await;
        assert!(bucket.take(), "a tenth of a second buys one at 10/s");
        assert!(!bucket.take());
        assert!(!bucket.is_full());
        tokio::time::advance(std::time::Duration::from_secs(1)).await;
        assert!(bucket.is_full());
    }
}
