//! A token bucket: how many frames one socket may send, so a flood from one client is
//! answered with error frames instead of taking the server's time from everyone else.

use tokio::time::Instant;

use crate::config::SocketLimits;

pub struct FrameBudget {
    tokens: f64,
    last: Instant,
    limits: SocketLimits,
}

impl FrameBudget {
    pub fn new(limits: SocketLimits) -> Self {
        FrameBudget {
            tokens: limits.burst,
            last: Instant::now(),
            limits,
        }
    }

    /// Takes one frame's worth; `false` when the socket is over its rate.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.limits.frames_per_sec;
        self.tokens = (self.tokens + refill).min(self.limits.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn refuses_beyond_the_burst_and_refills_with_time() {
        let mut budget = FrameBudget::new(SocketLimits {
            frames_per_sec: 10.0,
            burst: 3.0,
        });
        assert!(budget.take() && budget.take() && budget.take());
        assert!(!budget.take(), "the burst is spent");
        tokio::time::advance(std::time::Duration::from_millis(100)).await;
        assert!(budget.take(), "a tenth of a second buys one frame at 10/s");
        assert!(!budget.take());
    }
}
