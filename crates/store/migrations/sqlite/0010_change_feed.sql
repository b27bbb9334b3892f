-- The change feed: every change to what the public sees (an article published, corrected or
-- retracted; the channels, the theme), written by the serve process that made it, so that
-- the other processes on the same database can bring their page caches and search indexes
-- up to date. `node` names the process that wrote the row.
CREATE TABLE site_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    node TEXT NOT NULL,
    kind TEXT NOT NULL,
    manuscript_id INTEGER,
    at INTEGER NOT NULL
);

-- Leases: a job only one process should run at a time (the publishing scheduler) is run by
-- the holder of its lease until it expires.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
