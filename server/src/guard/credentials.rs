//! Failed staff credentials per client, a wrong `Authorization: Bearer` on any request and a
//! wrong password on `POST /login` alike: after [`FAILURES_ALLOWED`] in a row, every staff
//! credential from that client is refused for [`LOCKOUT`], the right one included. Kept per
//! instance, in memory, bounded.

use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::per_client::PerClient;

/// Failed credentials in a row before a client must wait.
pub const FAILURES_ALLOWED: u32 = 5;
/// How long a client waits after too many failures (and how long failures are remembered).
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// Failures in a row, and when the last one was.
type Failures = (u32, Instant);

pub struct CredentialFailures {
    failures: PerClient<Failures>,
}

impl Default for CredentialFailures {
    fn default() -> Self {
        CredentialFailures {
            failures: PerClient::new("credentials", |(_, last)| last.elapsed() >= LOCKOUT),
        }
    }
}

impl CredentialFailures {
    /// How long `client` must still wait, if it is locked out. A client the table has no room
    /// to remember is locked out: its failures could not be counted.
    pub fn locked_for(&self, client: IpAddr) -> Option<Duration> {
        if !self.failures.admits(client) {
            return Some(LOCKOUT);
        }
        self.failures
            .existing(client, |(count, last)| {
                let left = LOCKOUT
                    .checked_sub(last.elapsed())
                    .filter(|left| !left.is_zero())?;
                (*count >= FAILURES_ALLOWED).then_some(left)
            })
            .flatten()
    }

    pub fn failed(&self, client: IpAddr) {
        self.failures.with(
            client,
            || (0, Instant::now()),
            |(count, last)| {
                if last.elapsed() >= LOCKOUT {
                    *count = 0;
                }
                *count += 1;
                *last = Instant::now();
            },
        );
    }

    pub fn succeeded(&self, client: IpAddr) {
        self.failures.forget(client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn too_many_failures_lock_a_client_out_for_a_while() {
        let failures = CredentialFailures::default();
        let client: IpAddr = "10.0.0.7".parse().unwrap();
        for _ in 0..FAILURES_ALLOWED - 1 {
            failures.failed(client);
        }
        assert_eq!(failures.locked_for(client), None);
        failures.failed(client);
        assert!(failures.locked_for(client).is_some());
        assert_eq!(
            failures.locked_for("10.0.0.8".parse().unwrap()),
            None,
            "per client"
        );
        tokio::time::advance(LOCKOUT).await;
        assert_eq!(failures.locked_for(client), None, "over after the lockout");
        failures.failed(client);
        assert_eq!(failures.locked_for(client), None, "counting starts again");
        failures.succeeded(client);
        assert_eq!(failures.locked_for(client), None);
    }
}
