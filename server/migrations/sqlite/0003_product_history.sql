-- The record of changes: every catalog change, who made it (`actor`: an account's email,
-- 'staff' for the shared password, NULL with staff access off), when (`at`, RFC 3339 in UTC
-- with milliseconds) and the product right after it (for a removal: right before). `seq` is
-- the change's number in the log; a large import numbers all its rows with its one change, so
-- a row is keyed by product and number. Kept at least 90 days (see the store's pruning).
CREATE TABLE product_history (
    product_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT,
    kind       TEXT NOT NULL
        CHECK (kind IN ('created', 'updated', 'removed', 'restored', 'imported')),
    product    TEXT NOT NULL,
    PRIMARY KEY (product_id, seq)
) WITHOUT ROWID;
-- The removed products, newest removal first.
CREATE INDEX product_history_removed ON product_history (seq) WHERE kind = 'removed';
-- The pruning, oldest first.
CREATE INDEX product_history_at ON product_history (at);
