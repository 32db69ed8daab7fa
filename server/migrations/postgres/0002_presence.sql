-- How many chat sockets each instance has open, with a heartbeat: the total counts only the
-- instances heard from in the last 15 seconds, so a dead instance stops counting by itself.
CREATE TABLE presence (
    instance TEXT PRIMARY KEY,
    online   BIGINT NOT NULL,
    seen_at  TIMESTAMPTZ NOT NULL
);
