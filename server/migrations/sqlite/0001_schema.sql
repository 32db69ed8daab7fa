-- tiempo real's tables in SQLite: the same shape as PostgreSQL's (migrations/postgres), so the
-- two stores share their SQL wherever the dialects agree. Applied by the server at start-up.

-- Counters taken with UPDATE ... RETURNING inside each write transaction: 'log' numbers every
-- change (products and chat), 'product' and 'message' give ids, never reused.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('log', 0), ('product', 0), ('message', 0);

-- The catalog. `data` is the product as the API shows it (JSON); `code` is kept apart to be
-- unique.
CREATE TABLE products (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
);

-- The chat, append-only. `sent_at` is RFC 3339 in UTC.
CREATE TABLE messages (
    id      INTEGER PRIMARY KEY,
    email   TEXT NOT NULL,
    text    TEXT NOT NULL,
    sent_at TEXT NOT NULL
);

-- Every committed change as the socket frame it becomes, numbered by the 'log' counter: what a
-- resumed socket missed is read from here. Old rows are pruned (see the store).
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('products', 'chat')),
    frame      TEXT NOT NULL,
    created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX changes_created_at ON changes (created_at);

-- The name of this database's history (see the protocol's `epoch`), and what the server has
-- done once (the import of an older version's data directory).
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (name, value) VALUES ('epoch', lower(hex(randomblob(16))));
