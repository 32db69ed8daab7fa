//! The embedded default: one SQLite database, `DATA_DIR/tiempo-real.db` (WAL, `synchronous=FULL`,
//! so a committed change survives kill -9 and power loss), for one instance alone.
//!
//! Writes run one at a time on the one writing connection (a pool of one), which is held until
//! the change is committed and handed to the subscriber, so the views (and the sockets) see
//! changes in exactly their commit order. Reads the views cannot answer (old chat pages, the
//! changes a resumed socket missed) use a small pool of read-only connections and never wait
//! for a write.
//!
//! The data directory is locked while the server runs: a second server on it stops at start-up.

mod credentials;
mod dialect;
mod earlier;

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::ConnectOptions;

use super::accounts::{accounts_for, AccountBook};
use super::backend::{Backend, Pools, Writer};
use super::bans::bans_for;
use super::change::{Publication, Snapshot, Subscriber};
use super::engine::{self, SqlStore, OPERATION_LIMIT};
use super::{examples, migrations, LoadError, StoreError};
pub use credentials::LocalAccounts;
use earlier::EarlierFiles;

/// The database file in `DATA_DIR` (SQLite's `-wal` and `-shm` files sit beside it).
pub const DATABASE_FILE: &str = "tiempo-real.db";
/// Held locked while a server uses the directory.
const LOCK_FILE: &str = "tiempo-real.lock";
/// How long a statement waits for a lock SQLite holds (a checkpoint, a backup, a command run
/// beside the server) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read-only connections for reads that memory cannot answer.
const READERS: u32 = 4;

/// The store before it serves: its pools, and the directory's lock.
pub struct Opened {
    /// The store's own writing connection (see `backend::Writer::Own`).
    own_writer: SqliteConnection,
    /// The staff's tables' writes, and the start's.
    writer: SqlitePool,
    readers: SqlitePool,
    lock: File,
    dir: PathBuf,
}

/// Locks `dir`, opens (or creates and migrates) its database, carries over the earlier
/// version's files on the first start, seeds a brand-new database with the example products
/// when `seed_examples`, and reads what it holds.
pub async fn open(dir: &Path, seed_examples: bool) -> Result<(Opened, Snapshot), LoadError> {
    readable_by_owner_only();
    std::fs::create_dir_all(dir).map_err(|e| LoadError::new(dir, e))?;
    let lock = lock_directory(dir)?;
    // Read (and check) the old files before touching the database: a damaged one carries
    // nothing over.
    let earlier = EarlierFiles::read(dir)?;
    let path = dir.join(DATABASE_FILE);
    let failed = |e: &dyn std::fmt::Display| LoadError::new(&path, e);
    let (options, writer) = prepare(dir).await?;
    let writing = options.clone();
    match &earlier {
        Some(earlier) => {
            if carry_over(&writer, earlier)
                .await
                .map_err(|e| failed(&format!("cannot carry over the older files: {e}")))?
            {
                tracing::info!(
                    products = earlier.products.len(),
                    messages = earlier.messages.len(),
                    "carried over the data of the earlier version"
                );
            }
            earlier.set_aside()?;
        }
        None if seed_examples => {
            engine::seed_if_new(&writer, examples::products())
                .await
                .map_err(|e| failed(&format!("cannot add the example products: {e}")))?;
        }
        None => {}
    }
    // A file on this machine has no connection to lose: no ping before each use (a staff
    // session is read on every request that carries one, and the ping cost as much as the
    // read).
    let readers = SqlitePoolOptions::new()
        .max_connections(READERS)
        .acquire_timeout(BUSY_TIMEOUT)
        .test_before_acquire(false)
        .connect_with(options.read_only(true))
        .await
        .map_err(|e| failed(&e))?;
    let snapshot = engine::read_snapshot(&writer)
        .await
        .map_err(|e| failed(&e))?;
    let own_writer = writing.connect().await.map_err(|e| failed(&e))?;
    Ok((
        Opened {
            own_writer,
            writer,
            readers,
            lock,
            dir: dir.to_path_buf(),
        },
        snapshot,
    ))
}

/// The staff accounts alone, for the `server staff` commands: the database opened (created
/// and migrated if new) without the directory's lock, which is for servers: SQLite's own
/// locking lets a command write beside a running server.
pub async fn accounts(dir: &Path) -> Result<LocalAccounts, LoadError> {
    readable_by_owner_only();
    std::fs::create_dir_all(dir).map_err(|e| LoadError::new(dir, e))?;
    let (_, writer) = prepare(dir).await?;
    let book = AccountBook {
        reader: writer.clone(),
        writer,
    };
    Ok(LocalAccounts::marking(book, dir))
}

/// The database in `dir`'s connection options and its writing pool (one connection), its
/// tables created or migrated.
async fn prepare(dir: &Path) -> Result<(SqliteConnectOptions, SqlitePool), LoadError> {
    let path = dir.join(DATABASE_FILE);
    let failed = |e: &dyn std::fmt::Display| LoadError::new(&path, e);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT);
    // One connection writes (SQLite has one writer); a write waits its turn for it.
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(OPERATION_LIMIT)
        .test_before_acquire(false)
        .connect_with(options.clone())
        .await
        .map_err(|e| failed(&e))?;
    migrations::migrator(migrations::SQLITE)
        .await
        .map_err(|e| failed(&format!("cannot read the embedded migrations: {e}")))?
        .run(&writer)
        .await
        .map_err(|e| failed(&format!("cannot create or migrate the tables: {e}")))?;
    Ok((options, writer))
}

async fn carry_over(writer: &SqlitePool, earlier: &EarlierFiles) -> Result<bool, StoreError> {
    let mut tx = writer.begin().await?;
    let carried = earlier::carry_over(&mut tx, earlier).await?;
    tx.commit().await?;
    Ok(carried)
}

impl Opened {
    /// The staff's tables (accounts, the chat's bans), on the store's pools.
    pub fn book(&self) -> AccountBook<Sqlite> {
        AccountBook {
            writer: self.writer.clone(),
            reader: self.readers.clone(),
        }
    }

    /// The staff accounts, the credentials in force remembered (see `credentials`).
    pub fn accounts(&self) -> LocalAccounts {
        LocalAccounts::remembering(self.book(), &self.dir)
    }

    /// The store, handing every change it commits to `subscriber`.
    pub fn serve(self, subscriber: Arc<dyn Subscriber>) -> SqlStore<SqliteBackend> {
        SqlStore::start(SqliteBackend {
            own_writer: tokio::sync::Mutex::new(self.own_writer),
            pools: Pools {
                writer: self.writer,
                reader: self.readers,
            },
            subscriber,
            _lock: self.lock,
        })
    }
}

accounts_for!(Sqlite);
bans_for!(Sqlite);

pub struct SqliteBackend {
    own_writer: tokio::sync::Mutex<SqliteConnection>,
    pools: Pools<Sqlite>,
    subscriber: Arc<dyn Subscriber>,
    /// Locked for as long as the store lives.
    _lock: File,
}

#[async_trait::async_trait]
impl Backend for SqliteBackend {
    type Db = Sqlite;

    fn pools(&self) -> &Pools<Sqlite> {
        &self.pools
    }

    /// The store's own connection, one write at a time (the pool's writer serves the staff's
    /// tables beside it; SQLite's locking and busy timeout keep the two in turn).
    async fn writer(&self) -> Result<Writer<'_, Sqlite>, sqlx::Error> {
        Ok(Writer::Own(self.own_writer.lock().await))
    }

    /// This instance is the only one: it shows its changes as it commits them, the writing
    /// connection still held, so in commit order.
    fn committed(&self, publication: Publication) {
        if let Err(e) = self.subscriber.publish(publication) {
            tracing::error!(error = %e, "a change just committed could not be shown");
        }
    }

    async fn settled(&self, _seq: u64) {}

    fn behind(&self) -> Duration {
        Duration::ZERO
    }

    /// One instance: its count is the total.
    async fn presence(&self, here: u64) -> Result<u64, StoreError> {
        Ok(here)
    }
}

/// Makes every file and directory this process creates from now on readable by its own user
/// only (0600, 0700): the data directory, its lock, the database (which holds people's
/// emails) and SQLite's `-wal` and `-shm` beside it.
fn readable_by_owner_only() {
    // SAFETY: umask only sets the process's file mode mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Takes the directory's lock file, or says that another server has it.
fn lock_directory(dir: &Path) -> Result<File, LoadError> {
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LoadError::new(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(LoadError::new(
            dir,
            "the data directory is in use by another running server (DATA_DIR)",
        )),
        Err(TryLockError::Error(e)) => Err(LoadError::new(&path, e)),
    }
}
