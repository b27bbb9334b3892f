-- The newsroom spine. Every table carries site_id: one deployment may host many hospitals.
-- Integer columns are INTEGER here and BIGINT in the PostgreSQL migrations, so that the
-- portable query layer reads every one of them as i64.

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL DEFAULT 0, -- equals id; kept so that every table has the column
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    review_levels INTEGER NOT NULL DEFAULT 3,
    sort INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, slug),
    UNIQUE (site_id, name)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    review_level INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, username)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE manuscripts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '',
    photographers TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    cover_media_id INTEGER,
    status TEXT NOT NULL,
    review_level INTEGER NOT NULL DEFAULT 0,
    review_levels INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 1,
    scheduled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX manuscripts_queue ON manuscripts (site_id, status, review_level);
CREATE INDEX manuscripts_author ON manuscripts (site_id, author_id);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER NOT NULL REFERENCES manuscripts(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL,
    authors TEXT NOT NULL,
    photographers TEXT NOT NULL,
    body_html TEXT NOT NULL,
    editor_id INTEGER NOT NULL REFERENCES users(id),
    note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (manuscript_id, number)
);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER NOT NULL REFERENCES manuscripts(id),
    revision INTEGER NOT NULL,
    level INTEGER NOT NULL,
    levels INTEGER NOT NULL,
    action TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    user_id INTEGER NOT NULL REFERENCES users(id),
    round INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX decisions_manuscript ON decisions (manuscript_id);

CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER REFERENCES manuscripts(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    caption TEXT NOT NULL DEFAULT '',
    photographer TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX media_manuscript ON media (manuscript_id);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER NOT NULL UNIQUE REFERENCES manuscripts(id),
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL,
    authors TEXT NOT NULL,
    photographers TEXT NOT NULL,
    body_html TEXT NOT NULL,
    source TEXT NOT NULL,
    editor TEXT NOT NULL,
    responsible_editor TEXT NOT NULL,
    cover_media_id INTEGER,
    published_at INTEGER NOT NULL,
    view_count INTEGER NOT NULL DEFAULT 0,
    retracted INTEGER NOT NULL DEFAULT 0,
    retract_reason TEXT NOT NULL DEFAULT '',
    retracted_at INTEGER
);
CREATE INDEX articles_list ON articles (site_id, retracted, published_at);
CREATE INDEX articles_channel ON articles (site_id, channel_id, retracted, published_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (site_id, seq)
);

-- The audit log is append-only: the database itself refuses to change or delete a row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
