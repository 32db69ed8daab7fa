//! What PostgreSQL says its own way (see `sql::Dialect`): JSON arrays through
//! `jsonb_array_elements`, the log's row lock taken up front, repeatable-read snapshots, and a
//! NOTIFY of the last number with every recorded change.

use sqlx::PgConnection;

use crate::store::rows::rows_for;
use crate::store::sql::Dialect;

/// The NOTIFY channel that carries change numbers (never the events: payloads are capped at
/// 8,000 bytes and the largest product is bigger).
pub const CHANNEL: &str = "tiempo_real_changes";

pub static POSTGRES: Dialect = Dialect {
    products_with_codes:
        "SELECT data FROM products WHERE code IN (SELECT jsonb_array_elements_text($1::jsonb))",
    update_products: "UPDATE products SET code = u->>'code', data = u \
         FROM jsonb_array_elements($1::jsonb) AS u WHERE products.id = (u->>'id')::bigint",
    insert_products:
        "INSERT INTO products (id, code, data) SELECT (p->>'id')::bigint, p->>'code', p \
         FROM jsonb_array_elements($1::jsonb) AS p",
    insert_messages: "INSERT INTO messages (id, seq, email, text, sent_at, staff) \
         SELECT (m->>'id')::bigint, (m->>'seq')::bigint, \
         m->>'email', m->>'text', (m->>'sent_at')::timestamptz, (m->>'staff')::boolean \
         FROM jsonb_array_elements($1::jsonb) AS m",
    // The number is notified at commit (CHANNEL); it only wakes the followers, which read the
    // log themselves.
    record_changes: "WITH recorded AS (INSERT INTO changes (seq, channel, event) \
         SELECT (c->>'seq')::bigint, c->>'channel', c->>'event' \
         FROM jsonb_array_elements($1::jsonb) AS c) \
         SELECT pg_notify('tiempo_real_changes', $2::text)",
    lock_log: Some("SELECT value FROM counters WHERE name = 'log' FOR UPDATE"),
    read_snapshot: Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
    prune_changes: "DELETE FROM changes WHERE created_at < now() - $1 * interval '1 second' \
         AND seq <= (SELECT value FROM counters WHERE name = 'log') - $2",
    record_history: "INSERT INTO product_history (product_id, seq, at, actor, kind, product) \
         SELECT (h->>'product_id')::bigint, (h->>'seq')::bigint, (h->>'at')::timestamptz, \
         h->>'actor', h->>'kind', h->'product' FROM jsonb_array_elements($1::jsonb) AS h",
    // One statement: the log's row in a CTE (run whether referenced or not, as every
    // data-modifying one is) and the NOTIFY as the row source, so that it runs once.
    record_product_change: "WITH recorded AS (INSERT INTO changes (seq, channel, event) \
         VALUES ($1, $2, $3)) \
         INSERT INTO product_history (product_id, seq, at, actor, kind, product) \
         SELECT $4, $1, $5::timestamptz, $6, $7, $8 \
         FROM (SELECT pg_notify('tiempo_real_changes', $1::text)) AS notified",
    // Deleted rows stay in PostgreSQL's files until VACUUM reuses their space.
    wipe: None,
    erase_message_event: "UPDATE changes SET event = $2 \
         WHERE channel = 'chat' AND (event::jsonb -> 'message' ->> 'id')::bigint = $1",
    erase_purged_events: "UPDATE changes \
         SET event = '{\"type\":\"message_removed\",\"id\":' || (event::jsonb -> 'message' ->> 'id') || '}' \
         WHERE seq IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)",
    prune_history: "DELETE FROM product_history WHERE product_id >= $2 AND product_id < $3 \
         AND at < now() - $1 * interval '1 day'",
    next_with_log: None,
};

rows_for!(PgConnection, &POSTGRES);
