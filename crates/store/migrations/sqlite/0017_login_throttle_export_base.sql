-- Failed logins counted per account name and client address (names that do not exist
-- included, so the answer never tells which exist): one address cannot lock an account
-- for everyone else, and each lock after the fifth failure lasts longer.
CREATE TABLE login_throttle (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    -- The name as typed, trimmed and lower-cased.
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    failures INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    UNIQUE (site_id, username, ip)
);

-- The address the site's last full export was made for: `export --public-url` is kept
-- here, so an update or a restore never takes it from the (tamperable) export folder.
ALTER TABLE site_keys ADD COLUMN export_base TEXT NOT NULL DEFAULT '';
