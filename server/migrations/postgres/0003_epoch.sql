-- The name of this database's history: clients that resume a socket say which history their
-- last change number belongs to, and a new database (another epoch) answers with a snapshot.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (name, value) VALUES ('epoch', md5(random()::text || clock_timestamp()::text));
