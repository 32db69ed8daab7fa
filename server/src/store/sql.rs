//! The SQL of both stores. SQLite and PostgreSQL share the schema's shape (see `migrations/`)
//! and both take `$N` parameters, so most statements are written once, below; what the
//! dialects say differently (JSON arrays, locks, time) is a [`Dialect`], one per store, and
//! nothing else about a store differs in SQL.
//!
//! Bulk statements take their rows as one JSON array (`json_each` / `jsonb_array_elements`):
//! a fixed number of statements however many rows.

/// Increments a counter (`log`, `product` or `message`) and returns its new value.
pub const NEXT: &str = "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value";
/// Takes the next `$2` numbers of a counter at once (a batch's ids); the last one.
pub const TAKE: &str = "UPDATE counters SET value = value + $2 WHERE name = $1 RETURNING value";
/// The last number a counter gave (`$1`: `log`, `product` or `message`).
pub const HEAD: &str = "SELECT value FROM counters WHERE name = $1";
/// The largest counter: 0 only in a database that has never stored anything.
pub const LARGEST_COUNTER: &str = "SELECT MAX(value) FROM counters";
/// The name of the store's history.
pub const EPOCH: &str = "SELECT value FROM meta WHERE name = 'epoch'";

pub const ALL_PRODUCTS: &str = "SELECT data FROM products ORDER BY id";
pub const PRODUCT: &str = "SELECT data FROM products WHERE id = $1";
pub const INSERT_PRODUCT: &str = "INSERT INTO products (id, code, data) VALUES ($1, $2, $3)";
pub const UPDATE_PRODUCT: &str = "UPDATE products SET code = $2, data = $3 WHERE id = $1";
pub const DELETE_PRODUCT: &str = "DELETE FROM products WHERE id = $1 RETURNING data";

/// The last `$2` messages with an id below `$1`, oldest first.
pub const NEWEST_MESSAGES: &str = "SELECT id, email, text, sent_at, staff FROM \
       (SELECT id, email, text, sent_at, staff FROM messages WHERE id < $1 ORDER BY id DESC \
        LIMIT $2) AS newest ORDER BY id";

/// Deletes message `$1`; the number of its change (NULL for a message stored before it was
/// noted), and no row when there was no such message.
pub const DELETE_MESSAGE: &str = "DELETE FROM messages WHERE id = $1 RETURNING seq";
/// Deletes every message of the email `$1`: their ids and the numbers of their changes.
pub const PURGE_MESSAGES: &str = "DELETE FROM messages WHERE email = $1 RETURNING id, seq";
/// Writes `$2` over the logged event of change `$1`.
pub const ERASE_CHANGE: &str = "UPDATE changes SET event = $2 WHERE seq = $1";

/// The product events of the changes numbered above `$1` up to `$2`, in order.
pub const PRODUCT_EVENTS: &str = "SELECT event FROM changes \
     WHERE channel = 'products' AND seq > $1 AND seq <= $2 ORDER BY seq";
/// The changes numbered above `$1`, at most `$2` of them, in order.
pub const CHANGES_AFTER: &str =
    "SELECT seq, channel, event FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2";
/// The oldest change the log still holds (NULL when it holds none).
pub const OLDEST_CHANGE: &str = "SELECT MIN(seq) FROM changes";

/// The record of product `$1`'s changes, newest first, at most `$2`.
pub const HISTORY: &str = "SELECT seq, at, actor, kind, product FROM product_history \
     WHERE product_id = $1 ORDER BY seq DESC LIMIT $2";
/// Change `$2` of product `$1`.
pub const HISTORY_ENTRY: &str = "SELECT seq, at, actor, kind, product FROM product_history \
     WHERE product_id = $1 AND seq = $2";
/// The products removed and not back since (neither in the catalog nor changed after their
/// removal), newest removal first, at most `$1`.
pub const REMOVED: &str = "SELECT h.seq, h.product, h.at, h.actor FROM product_history h \
     WHERE h.kind = 'removed' \
     AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = h.product_id) \
     AND NOT EXISTS (SELECT 1 FROM product_history l \
                     WHERE l.product_id = h.product_id AND l.seq > h.seq) \
     ORDER BY h.seq DESC LIMIT $1";

/// How many of the latest changes are always kept, however old (the contract: at least the
/// last 10,000, and at least those of the last 10 minutes).
pub const KEEP_LATEST_CHANGES: i64 = 10_000;
/// How long a change is kept beyond the latest [`KEEP_LATEST_CHANGES`].
pub const KEEP_CHANGES_SECS: i64 = 24 * 3600;

/// What one dialect says its own way. Each statement's parameters are the same in both.
pub struct Dialect {
    /// The stored products whose code is in the JSON array of strings `$1`.
    pub products_with_codes: &'static str,
    /// Writes each product of the JSON array `$1` over the stored one with its id.
    pub update_products: &'static str,
    /// Inserts each product of the JSON array `$1`.
    pub insert_products: &'static str,
    /// Inserts each message of the JSON array `$1` (`id`, `seq`, `email`, `text`, `sent_at`).
    pub insert_messages: &'static str,
    /// Records each change of the JSON array `$1` (`seq`, `channel`, `event`); `$2` is the
    /// last number, which PostgreSQL notifies the other instances of at commit.
    pub record_changes: &'static str,
    /// Takes the log's lock for the rest of the transaction, before reading anything, where
    /// taking the next number does not already serialize writers (PostgreSQL's row lock).
    pub lock_log: Option<&'static str>,
    /// Makes a read transaction see one state throughout, where BEGIN alone does not.
    pub read_snapshot: Option<&'static str>,
    /// Deletes the changes older than `$1` seconds that are not among the latest `$2`.
    pub prune_changes: &'static str,
    /// Records each row of the JSON array `$1` (see `history::HistoryRow`).
    pub record_history: &'static str,
    /// Records one product's change in one round trip, the commonest write: the log's entry
    /// (`$1` seq, `$2` channel, `$3` event; PostgreSQL notifies `$1` at commit) and its row in
    /// the record (`$4` product_id, `$5` at, `$6` actor, `$7` kind, `$8` product).
    pub record_product_change: &'static str,
    /// Writes `$2` (the removal's event) over the logged event of chat message `$1`, so the log
    /// no longer holds its email and text: for messages stored before their change was noted
    /// (a scan of the log's chat events, which keeps a day of them).
    pub erase_message_event: &'static str,
    /// Where the database keeps deleted content in its files until overwritten (SQLite): the
    /// statements that make a removal overwrite what it frees (on, then off), and the one that
    /// empties the write-ahead log of the pages that held it, after the commit.
    pub wipe: Option<Wipe>,
    /// Writes each message's removal (`{"type":"message_removed","id":N}`) over its logged
    /// event, for the changes numbered in the JSON array `$1` (a purge of one author).
    pub erase_purged_events: &'static str,
    /// Deletes the record's rows older than `$1` days of the products with ids from `$2` up to
    /// (not including) `$3`: a stretch of the record's key at a time, so that no index on the
    /// time has to be kept up by every write (SQLite) and the writer is never held long.
    pub prune_history: &'static str,
    /// Takes the next number of the log and of counter `$1` in one statement (`name, value`
    /// rows), where nothing makes the order of the two matter (SQLite: one writer at a time).
    /// `None`: one after the other, the log first (PostgreSQL's row locks, in one order for
    /// every writer).
    pub next_with_log: Option<&'static str>,
}

/// See [`Dialect::wipe`].
pub struct Wipe {
    pub on: &'static str,
    pub off: &'static str,
    pub after_commit: &'static str,
}

/// Whether the log, whose oldest change is `oldest` and whose head is `head`, still holds every
/// change after `since`.
pub fn log_holds_after(since: u64, oldest: Option<i64>, head: i64) -> bool {
    match oldest {
        Some(oldest) => oldest as u64 <= since + 1,
        // An empty log holds everything after its head.
        None => since as i64 >= head,
    }
}
