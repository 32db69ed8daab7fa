-- Chat bans: until `until` (Unix seconds) every message with this `email` (lower case) is
-- refused. `by` names the moderator. A lifted or expired ban is deleted.
CREATE TABLE chat_bans (
    email TEXT PRIMARY KEY,
    until INTEGER NOT NULL,
    by    TEXT
) WITHOUT ROWID;
