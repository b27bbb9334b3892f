-- The content-risk check in the newsroom: each site's own lexicons, the reviewers'
-- dismissals of findings, and the report of each manuscript revision.

-- Increases with every lexicon change; part of the lexicon version printed on each report.
ALTER TABLE sites ADD COLUMN lexicon_revision INTEGER NOT NULL DEFAULT 0;

-- One table for the site's word lists; `list` says which:
--   entry   a term the site adds (category, suggestion, severity, kind, since, reason)
--   removed a built-in term the site switches off (category, term)
--   allow   a word never flagged on this site (term)
--   phone   one of the site's own public phone numbers (term), allowed by the privacy rule
CREATE TABLE lexicon_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    list TEXT NOT NULL CHECK (list IN ('entry', 'removed', 'allow', 'phone')),
    category TEXT NOT NULL DEFAULT '',
    term TEXT NOT NULL,
    suggestion TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    since TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    UNIQUE (site_id, list, category, term)
);

-- The LeaderRoster: a leader's name and the titles they hold (one per line).
CREATE TABLE leaders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    titles TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    UNIQUE (site_id, name)
);

-- A finding a reviewer dismissed, by its key (rule:text), for one manuscript.
CREATE TABLE check_dismissals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER NOT NULL REFERENCES manuscripts(id),
    finding_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, manuscript_id, finding_key)
);

-- The check of a manuscript revision, rerun when the lexicons or dismissals change.
CREATE TABLE check_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER NOT NULL REFERENCES manuscripts(id),
    revision INTEGER NOT NULL,
    lexicon_version TEXT NOT NULL,
    block_count INTEGER NOT NULL,
    warn_count INTEGER NOT NULL,
    info_count INTEGER NOT NULL,
    report TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, manuscript_id, revision)
);
