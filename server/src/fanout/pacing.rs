//! How hard the writers may work under load.

use std::time::Duration;

/// After each pass a writer rests for `rest_ratio` times as long as the pass took, so it is
/// busy at most `1 / (1 + rest_ratio)` of the time. When passes are short against the spacing
/// of events (an idle or ordinary machine) the rest has ended before the next event arrives
/// and costs nothing; when they are long (many sockets, many events) the events that arrive
/// during work and rest go out together, so each write carries more of them and costs less
/// per delivery.
#[derive(Clone, Copy, Debug)]
pub struct Pacing {
    pub rest_ratio: f64,
}

impl Pacing {
    /// How long a writer rests after a pass that took `pass`.
    pub fn rest_after(&self, pass: Duration) -> Duration {
        pass.mul_f64(self.rest_ratio)
    }
}
