//! The follower: how an instance learns of every change, its own included, in commit order.
//!
//! Two tasks, each on a connection of its own (never one of the request pool's, so a busy pool
//! cannot stall them, and never inside a long transaction, so each read sees the latest
//! commits):
//! - the listener LISTENs for change numbers and only wakes the reader; a notification is a
//!   hint, never the data, so one lost while the connection was down costs nothing;
//! - the reader reads the changes after the last one it applied, in order, on every wake-up,
//!   every second (a half-open connection reports nothing, so a timer must ask), and after
//!   every reconnect. It applies them to the views, which publish them to the sockets. A gap
//!   (changes pruned from the log before this instance read them) or anything it cannot read
//!   makes it reload the whole state instead, and every socket gets a fresh snapshot/history.
//!
//! While the database is unreachable both tasks retry with backoff; the sockets stay open with
//! what they have, and the reader catches up as soon as it can connect again.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection};
use tokio::sync::{watch, Notify};
use tokio::time::{sleep, timeout, Instant, MissedTickBehavior};
use tungstenite::Utf8Bytes;

use super::snapshot;
use super::CHANNEL;
use crate::live::Views;
use crate::store::CATALOG_RELOAD;
use crate::telemetry;
use app::protocol::{ChatEvent, ProductEvent};

/// How often the reader looks at the log when no notification came.
const WATCHDOG: Duration = Duration::from_secs(1);
/// The longest one connection attempt or one catch-up may take before it is given up.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// Changes read per query.
const BATCH: i64 = 500;
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
    /// Starts following the log after change `head`, which the views already show.
    pub fn start(options: PgConnectOptions, views: Views, head: i64) -> Follower {
        let wake = Arc::new(Notify::new());
        let (applied_tx, applied) = watch::channel(head);
        let (caught_up_tx, caught_up) = watch::channel(Instant::now());
        tokio::spawn(listen(options.clone(), wake.clone()));
        let reader = Reader {
            options,
            views,
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
    pub async fn wait_until_applied(&self, seq: i64) {
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
    views: Views,
    /// The last change applied to the views.
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

    /// Applies every change after the last applied one, or reloads everything on a gap.
    async fn catch_up(&mut self, connection: &mut Option<PgConnection>) -> Result<(), sqlx::Error> {
        if connection.is_none() {
            *connection = Some(self.options.connect().await?);
            tracing::info!(applied = self.applied, "following the change log");
        }
        let connection = connection.as_mut().expect("connected above");
        loop {
            // Read first: every change up to `head` is committed, hence visible below.
            let head: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'log'")
                .fetch_one(&mut *connection)
                .await?;
            telemetry::follower_lag_changes(head - self.applied);
            if head == self.applied {
                return Ok(());
            }
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT seq, channel, frame FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(self.applied)
            .bind(BATCH)
            .fetch_all(&mut *connection)
            .await?;
            let full_batch = rows.len() as i64 == BATCH;
            let contiguous = rows
                .iter()
                .enumerate()
                .all(|(i, (seq, _, _))| *seq == self.applied + 1 + i as i64);
            let reaches_head = full_batch || rows.last().is_some_and(|(seq, _, _)| *seq >= head);
            if head < self.applied || !contiguous || !reaches_head {
                tracing::warn!(
                    applied = self.applied,
                    head,
                    "changes missing from the log (pruned?); reloading everything"
                );
                return self.reload(connection).await;
            }
            for (seq, channel, frame) in rows {
                if frame == CATALOG_RELOAD {
                    // A large import: read the catalog (and all else) as it is now.
                    return self.reload(connection).await;
                }
                if !self.apply(&channel, frame) {
                    tracing::error!(
                        seq,
                        channel,
                        "unreadable change in the log; reloading everything"
                    );
                    return self.reload(connection).await;
                }
                self.applied = seq;
            }
            self.published.send_replace(self.applied);
            if !full_batch {
                return Ok(());
            }
        }
    }

    /// Applies one change to its view; `false` if it cannot be read.
    fn apply(&self, channel: &str, frame: String) -> bool {
        match channel {
            "products" => match serde_json::from_str::<ProductEvent>(&frame) {
                Ok(event) => {
                    self.views.catalog.apply(&event, Utf8Bytes::from(frame));
                    true
                }
                Err(_) => false,
            },
            "chat" => match serde_json::from_str::<ChatEvent>(&frame) {
                Ok(ChatEvent::Message { message }) => {
                    self.views.chat.apply(message, Utf8Bytes::from(frame));
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Replaces both views with the current state; every socket gets a fresh first frame.
    async fn reload(&mut self, connection: &mut PgConnection) -> Result<(), sqlx::Error> {
        let snapshot = snapshot::load(connection).await?;
        self.views.catalog.reset(snapshot.products, snapshot.seq);
        self.views
            .chat
            .reset(snapshot.latest_messages, snapshot.complete);
        self.applied = snapshot.seq as i64;
        self.published.send_replace(self.applied);
        Ok(())
    }
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
