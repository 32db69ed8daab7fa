-- Staff accounts: `email` in lower case (unique whatever the case), `role` and the password's
-- Argon2id hash in PHC form (never the password).
CREATE TABLE staff_accounts (
    email         TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'moderator')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;
-- What a person holds to act as staff: the sessions of logins (a cookie) and API tokens, each
-- kept only as the SHA-256 of its random token (`digest`, hex). `holder` is the account's
-- email, or 'staff:' and a tag of the shared password for its sessions. `expires_at` (Unix
-- seconds) is NULL for API tokens, which last until renewed or the account changes.
CREATE TABLE staff_credentials (
    digest     TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('session', 'token')),
    expires_at INTEGER
) WITHOUT ROWID;
-- Ending every credential of one account at once.
CREATE INDEX staff_credentials_holder ON staff_credentials (holder);
