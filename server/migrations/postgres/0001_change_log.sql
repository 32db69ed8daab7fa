-- tiempo real's tables. The server applies this at start-up (sqlx embedded migrations, under an
-- advisory lock, so instances starting together do it once).

-- Counters taken with UPDATE ... RETURNING inside each write transaction. The row lock on
-- 'log' serializes writers until they commit, so change numbers (and the ids taken after it)
-- follow commit order with no gaps: a reader that sees change N has seen every change before.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('log', 0), ('product', 0), ('message', 0);

-- The catalog. `data` is the product as the API shows it; `code` is kept apart to be unique.
CREATE TABLE products (
    id   BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    data JSONB NOT NULL
);

-- The chat, append-only.
CREATE TABLE messages (
    id      BIGINT PRIMARY KEY,
    email   TEXT NOT NULL,
    text    TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL
);

-- Every committed change as the socket frame it becomes, numbered by the 'log' counter.
-- Instances follow it (woken by NOTIFY, which carries only the number) and apply it in order.
-- Rows older than a day are pruned; an instance that falls further behind reloads everything.
CREATE TABLE changes (
    seq        BIGINT PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('products', 'chat')),
    frame      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX changes_created_at ON changes (created_at);
