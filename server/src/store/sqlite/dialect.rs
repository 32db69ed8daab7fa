//! What SQLite says its own way (see `sql::Dialect`): JSON arrays through `json_each`, time as
//! Unix seconds, and nothing to lock (one writer at a time is SQLite's own rule).

use sqlx::SqliteConnection;

use crate::store::rows::rows_for;
use crate::store::sql::{Dialect, Wipe};

pub static SQLITE: Dialect = Dialect {
    products_with_codes:
        "SELECT data FROM products WHERE code IN (SELECT value FROM json_each($1))",
    update_products: "UPDATE products SET code = json_extract(u.value, '$.code'), data = u.value \
         FROM json_each($1) AS u WHERE products.id = json_extract(u.value, '$.id')",
    insert_products: "INSERT INTO products (id, code, data) SELECT json_extract(value, '$.id'), \
         json_extract(value, '$.code'), value FROM json_each($1)",
    insert_messages: "INSERT INTO messages (id, seq, email, text, sent_at, staff) \
         SELECT json_extract(value, '$.id'), json_extract(value, '$.seq'), \
         json_extract(value, '$.email'), \
         json_extract(value, '$.text'), json_extract(value, '$.sent_at'), \
         json_extract(value, '$.staff') FROM json_each($1)",
    // `$2`, the last number, is for PostgreSQL's NOTIFY; SQLite leaves it unbound.
    record_changes:
        "INSERT INTO changes (seq, channel, event) SELECT json_extract(value, '$.seq'), \
         json_extract(value, '$.channel'), json_extract(value, '$.event') FROM json_each($1)",
    lock_log: None,
    // A read transaction in WAL mode sees one state from its first read on.
    read_snapshot: None,
    prune_changes: "DELETE FROM changes WHERE created_at < unixepoch() - $1 \
         AND seq <= (SELECT value FROM counters WHERE name = 'log') - $2",
    record_history: "INSERT INTO product_history (product_id, seq, at, actor, kind, product) \
         SELECT json_extract(value, '$.product_id'), json_extract(value, '$.seq'), \
         json_extract(value, '$.at'), json_extract(value, '$.actor'), \
         json_extract(value, '$.kind'), json_extract(value, '$.product') FROM json_each($1)",
    record_one_history: "INSERT INTO product_history (product_id, seq, at, actor, kind, product) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    wipe: Some(Wipe {
        on: "PRAGMA secure_delete = ON",
        off: "PRAGMA secure_delete = OFF",
        after_commit: "PRAGMA wal_checkpoint(TRUNCATE)",
    }),
    erase_message_event: "UPDATE changes SET event = $2 \
         WHERE channel = 'chat' AND json_extract(event, '$.message.id') = $1",
    erase_purged_events: "UPDATE changes \
         SET event = '{\"type\":\"message_removed\",\"id\":' || json_extract(event, '$.message.id') || '}' \
         WHERE seq IN (SELECT value FROM json_each($1))",
    // `at` is RFC 3339 text with milliseconds, compared as text.
    prune_history: "DELETE FROM product_history \
         WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $1 || ' days')",
};

rows_for!(SqliteConnection, &SQLITE);
