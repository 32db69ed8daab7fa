//! The SQL both stores run as it is: SQLite and PostgreSQL share the schema's shape (see
//! `migrations/`) and both take `$N` parameters, so only what the dialects disagree on lives
//! in `sqlite/` and `postgres/`.

/// Increments a counter (`log`, `product` or `message`) and returns its new value.
pub const NEXT: &str = "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value";
/// Takes the next `$2` numbers of a counter at once (a large import's ids); the last one.
pub const TAKE: &str = "UPDATE counters SET value = value + $2 WHERE name = $1 RETURNING value";
/// The number of the last change in the log.
pub const LOG_HEAD: &str = "SELECT value FROM counters WHERE name = 'log'";
/// The name of the store's history.
pub const EPOCH: &str = "SELECT value FROM meta WHERE name = 'epoch'";

pub const ALL_PRODUCTS: &str = "SELECT data FROM products ORDER BY id";
pub const PRODUCT: &str = "SELECT data FROM products WHERE id = $1";
pub const INSERT_PRODUCT: &str = "INSERT INTO products (id, code, data) VALUES ($1, $2, $3)";
pub const UPDATE_PRODUCT: &str = "UPDATE products SET code = $2, data = $3 WHERE id = $1";
pub const DELETE_PRODUCT: &str = "DELETE FROM products WHERE id = $1 RETURNING data";

pub const INSERT_MESSAGE: &str =
    "INSERT INTO messages (id, email, text, sent_at) VALUES ($1, $2, $3, $4)";
/// The last `$2` messages with an id below `$1`, oldest first.
pub const NEWEST_MESSAGES: &str = "SELECT id, email, text, sent_at FROM \
       (SELECT id, email, text, sent_at FROM messages WHERE id < $1 ORDER BY id DESC LIMIT $2) \
     AS newest ORDER BY id";

/// The product frames of the changes numbered above `$1` up to `$2`, in order.
pub const PRODUCT_CHANGES: &str = "SELECT frame FROM changes \
     WHERE channel = 'products' AND seq > $1 AND seq <= $2 ORDER BY seq";
/// The oldest change the log still holds (NULL when it holds none).
pub const OLDEST_CHANGE: &str = "SELECT MIN(seq) FROM changes";

/// How many of the latest changes are always kept, however old (the contract: at least the
/// last 10,000, and at least those of the last 10 minutes).
pub const KEEP_LATEST_CHANGES: i64 = 10_000;
/// How long a change is kept beyond the latest [`KEEP_LATEST_CHANGES`].
pub const KEEP_CHANGES_SECS: i64 = 24 * 3600;

/// Whether the log, whose oldest change is `oldest` and whose head is `head`, still holds every
/// change after `since`.
pub fn log_holds_after(since: u64, oldest: Option<i64>, head: i64) -> bool {
    match oldest {
        Some(oldest) => oldest as u64 <= since + 1,
        // An empty log holds everything after its head.
        None => since as i64 >= head,
    }
}

/// The frames to replay, or `None` when one of them is a large import's "reload" (a socket
/// resuming across it needs a snapshot).
pub fn replayable(frames: Vec<String>) -> Option<Vec<String>> {
    (!frames.iter().any(|frame| frame == super::CATALOG_RELOAD)).then_some(frames)
}
