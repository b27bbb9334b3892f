-- The site's own names (a short name, a former name) join the lexicon lists: `name`, the
-- organisation a page title or masthead may name in the site's place (the check's
-- hijacked-title rule). SQLite cannot change a CHECK constraint, so the table is rebuilt;
-- nothing references it.
CREATE TABLE lexicon_items_0022 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    list TEXT NOT NULL CHECK (list IN ('entry', 'removed', 'allow', 'phone', 'name')),
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
INSERT INTO lexicon_items_0022 (id, site_id, list, category, term, suggestion, severity, kind, since, reason, updated_by, updated_at)
    SELECT id, site_id, list, category, term, suggestion, severity, kind, since, reason, updated_by, updated_at FROM lexicon_items;
DROP TABLE lexicon_items;
ALTER TABLE lexicon_items_0022 RENAME TO lexicon_items;
