//! The follower: how an instance learns of every change, its own included, in commit order.
//!
//! Two tasks, each on a connection of its own (never one of the request pool's, so a busy pool
//! cannot stall them, and never inside a long transaction, so each read sees the latest
//! commits):
//! - the listener LISTENs for change numbers and only wakes the reader; a notification is a
//!   hint, never the data, so one lost while the connection was down costs nothing;
//! - the reader reads the changes after the last one it applied, in order, on every wake-up,
//!   every second (a half-open connection reports nothing, so a timer must ask), and after
//!   every reconnect, and hands them to the subscriber. A gap (changes pruned from the log
//!   before this instance read them), a large import's "reload", or anything the subscriber
//!   cannot read makes it read the whole state again and hand that over instead.
//!
//! While the database is unreachable both tasks retry with backoff; the sockets stay open with
//! what they have, and the reader catches up as soon as it can connect again.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::sync::{watch, Notify};
use tokio::time::{sleep, timeout, Instant, MissedTickBehavior};

use super::dialect::CHANNEL;
use crate::store::change::{Change, Channel, Publication, Subscriber, CATALOG_RELOAD};
use crate::store::reads;
use crate::store::rows::{Counter, Rows};
use crate::telemetry;

/// How often the reader looks at the log when no notification came.
const WATCHDOG: Duration = Duration::from_secs(1);
/// The longest one connection attempt or one catch-up may take before it is given up.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// Changes read per query.
const CHANGES_PER_READ: i64 = 500;
/// How long a writer waits for its change to be applied here before answering anyway (it is
/// committed; the sockets get it when the reader catches up).
const APPLY_WAIT: Duration = Duration::from_secs(5);

/// This instance's handle on its follower.
pub struct Follower {
    wake: Arc<Notify>,
    applied: watch::Receiver<i64>,
    caught_up: watch::Receiver<Instant>,
}

impl Follower {
    /// Starts following the log after change `head`, which the subscriber already shows.
    pub fn start(
        options: PgConnectOptions,
        subscriber: Arc<dyn Subscriber>,
        head: u64,
    ) -> Follower {
        let head = head as i64;
        let wake = Arc::new(Notify::new());
        let (applied_tx, applied) = watch::channel(head);
        let (caught_up_tx, caught_up) = watch::channel(Instant::now());
        tokio::spawn(listen(options.clone(), wake.clone()));
        let reader = Reader {
            options,
            subscriber,
            applied: head,
            published: applied_tx,
            caught_up: caught_up_tx,
        };
        tokio::spawn(reader.run(wake.clone()));
        Follower {
            wake,
            applied,
            caught_up,
        }
    }

    /// How long ago the reader last had every change in the log applied.
    pub fn since_caught_up(&self) -> Duration {
        self.caught_up.borrow().elapsed()
    }

    /// Returns once change `seq` has been applied here, or after [`APPLY_WAIT`].
    pub async fn wait_until_applied(&self, seq: u64) {
        let seq = seq as i64;
        self.wake.notify_one();
        let mut applied = self.applied.clone();
        if timeout(APPLY_WAIT, applied.wait_for(|applied| *applied >= seq))
            .await
            .is_err()
        {
            tracing::warn!(
                seq,
                "a committed change is not applied here yet; its sockets get it on catch-up"
            );
        }
    }
}

/// The listener task: LISTEN on a connection of its own, wake the reader on every
/// notification and after every (re)connection, and reconnect with backoff when it fails.
async fn listen(options: PgConnectOptions, wake: Arc<Notify>) {
    // A pool of one, of its own: sqlx's listener reconnects through it.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(ATTEMPT_TIMEOUT)
        .connect_lazy_with(options);
    let mut backoff = Backoff::new();
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listening.await {
            Ok(mut listener) => {
                backoff.reset();
                wake.notify_one();
                loop {
                    match listener.try_recv().await {
                        // A number, or (None) a reconnection after which some may have been
                        // missed: either way the reader looks at the log.
                        Ok(_) => wake.notify_one(),
                        Err(e) => {
                            tracing::warn!(error = %e, "lost the change notifications; reconnecting");
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for changes; retrying");
            }
        }
        sleep(backoff.next()).await;
    }
}

/// The reader task's state.
struct Reader {
    options: PgConnectOptions,
    subscriber: Arc<dyn Subscriber>,
    /// The last change handed to the subscriber.
    applied: i64,
    published: watch::Sender<i64>,
    /// When it last found nothing more in the log.
    caught_up: watch::Sender<Instant>,
}

impl Reader {
    async fn run(mut self, wake: Arc<Notify>) {
        let mut watchdog = tokio::time::interval(WATCHDOG);
        watchdog.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut connection: Option<PgConnection> = None;
        let mut backoff = Backoff::new();
        let mut retry_at = Instant::now();
        loop {
            // The timer respects the backoff; a wake-up does not: it comes from the listener
            // having (re)connected or from a writer that just committed, so the database is
            // back.
            let woken = tokio::select! {
                _ = wake.notified() => true,
                _ = watchdog.tick() => false,
            };
            if !woken && Instant::now() < retry_at {
                continue;
            }
            let outcome = timeout(ATTEMPT_TIMEOUT, self.catch_up(&mut connection)).await;
            let failure = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some(format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())),
            };
            match failure {
                None => {
                    backoff.reset();
                    self.caught_up.send_replace(Instant::now());
                    telemetry::follower_lag_seconds(0.0);
                }
                Some(problem) => {
                    // Whatever state the connection is in, start over with a new one.
                    connection = None;
                    telemetry::follower_lag_seconds(
                        self.caught_up.borrow().elapsed().as_secs_f64(),
                    );
                    let wait = backoff.next();
                    retry_at = Instant::now() + wait;
                    tracing::warn!(
                        error = %problem,
                        retry_in_ms = wait.as_millis() as u64,
                        "cannot read the change log"
                    );
                }
            }
        }
    }

    /// Hands over every change after the last one handed over, or the whole state on a gap.
    async fn catch_up(&mut self, connection: &mut Option<PgConnection>) -> Result<(), sqlx::Error> {
        if connection.is_none() {
            *connection = Some(self.options.connect().await?);
            tracing::info!(applied = self.applied, "following the change log");
        }
        let connection = connection.as_mut().expect("connected above");
        loop {
            // Read first: every change up to `head` is committed, hence visible below.
            let head = connection.head(Counter::Log).await?;
            telemetry::follower_lag_changes(head - self.applied);
            if head == self.applied {
                return Ok(());
            }
            let rows = connection
                .changes_after(self.applied, CHANGES_PER_READ)
                .await?;
            let full_read = rows.len() as i64 == CHANGES_PER_READ;
            let contiguous = rows
                .iter()
                .enumerate()
                .all(|(i, (seq, _, _))| *seq == self.applied + 1 + i as i64);
            let reaches_head = full_read || rows.last().is_some_and(|(seq, _, _)| *seq >= head);
            if head < self.applied || !contiguous || !reaches_head {
                tracing::warn!(
                    applied = self.applied,
                    head,
                    "changes missing from the log (pruned?); reloading everything"
                );
                return self.reload(connection).await;
            }
            let Some(changes) = readable(rows) else {
                // A large import (or a change of a kind this version does not know): read the
                // catalog (and all else) as it is now.
                return self.reload(connection).await;
            };
            let last = changes
                .last()
                .map_or(self.applied, |change| change.seq as i64);
            if let Err(e) = self.subscriber.publish(Publication::Changes(changes)) {
                tracing::error!(error = %e, "unreadable change in the log; reloading everything");
                return self.reload(connection).await;
            }
            self.applied = last;
            self.published.send_replace(self.applied);
            if !full_read {
                return Ok(());
            }
        }
    }

    /// Hands the subscriber the whole state as it is now.
    async fn reload(&mut self, connection: &mut PgConnection) -> Result<(), sqlx::Error> {
        let mut tx = connection.begin().await?;
        let snapshot = reads::snapshot(&mut *tx).await?;
        tx.commit().await?;
        let seq = snapshot.seq as i64;
        if let Err(e) = self.subscriber.publish(Publication::Reset(snapshot)) {
            tracing::error!(error = %e, "the state read again cannot be shown");
        }
        self.applied = seq;
        self.published.send_replace(self.applied);
        Ok(())
    }
}

/// The log's rows as changes to hand over; `None` if one says "reload", or names a channel
/// this version does not know.
fn readable(rows: Vec<(i64, String, String)>) -> Option<Vec<Change>> {
    rows.into_iter()
        .map(|(seq, channel, event)| {
            let channel = Channel::from_name(&channel)?;
            (event != CATALOG_RELOAD).then_some(Change {
                seq: seq as u64,
                channel,
                event,
            })
        })
        .collect()
}

/// Waits that double from 250 ms to 2 s between attempts to reach the database.
struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(250);
    const LONGEST: Duration = Duration::from_secs(2);

    fn new() -> Self {
        Backoff(Self::FIRST)
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(Self::LONGEST);
        wait
    }

    fn reset(&mut self) {
        self.0 = Self::FIRST;
    }
}
