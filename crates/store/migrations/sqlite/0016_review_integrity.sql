-- Review integrity: what a revision's media were, corrections that wait for approval,
-- lexicon changes that wait for the chief editor, idle sessions, login throttling.

-- The media of the manuscript when the revision was saved, one line each (kind, id, file
-- name, caption, photographer, cover), so the diff shows photo and attachment changes.
ALTER TABLE revisions ADD COLUMN media TEXT NOT NULL DEFAULT '';

-- A correction (更正) of a published article: checked when proposed, live only once the
-- chief editor (or the channel's last level) approves it; approved ones are shown to readers.
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    manuscript_id INTEGER NOT NULL REFERENCES manuscripts(id),
    article_id INTEGER NOT NULL REFERENCES articles(id),
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL,
    body_html TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- What changed, in words (标题、正文).
    changed TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    block_count INTEGER NOT NULL DEFAULT 0,
    warn_count INTEGER NOT NULL DEFAULT 0,
    report TEXT NOT NULL DEFAULT '',
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    proposed_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at INTEGER,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX corrections_article ON corrections (site_id, article_id, status);

-- A change to the site's lexicons that loosens the check (a removed built-in term, an
-- allowlisted word, a lowered severity, a deleted entry), proposed by an editor and
-- applied only when the chief editor accepts it.
CREATE TABLE lexicon_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    -- 'save' (item_id 0 adds) or 'delete'.
    op TEXT NOT NULL CHECK (op IN ('save', 'delete')),
    item_id INTEGER NOT NULL,
    -- The item as proposed (JSON), and what it was before (JSON, '' for a new one).
    item TEXT NOT NULL,
    before TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    proposed_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at INTEGER
);

-- Idle sessions expire: the last time a session was used.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
