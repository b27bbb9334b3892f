-- Opinion monitoring (舆情监测): where mentions are fetched from, the rules and word sets
-- that pick out what concerns the hospital, and every item fetched with how it was read.

CREATE TABLE monitor_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    -- rss (RSS/Atom/JSON Feed), json (an endpoint with a field mapping), html (a page with
    -- CSS selectors), manual (items pasted by staff).
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    -- JSON: for json, the path to the list and the field of each value; for html, the
    -- selectors of an item and of its title, link and text.
    mapping TEXT NOT NULL,
    -- 1 (a small forum) .. 5 (a national outlet or a large account).
    reach INTEGER NOT NULL,
    interval_secs INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    -- Conditional GET, saved only after a fetch was stored whole.
    etag TEXT,
    last_modified TEXT,
    next_at INTEGER NOT NULL,
    last_ok_at INTEGER,
    last_error TEXT,
    failures INTEGER NOT NULL,
    items_total INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE monitor_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    source_id INTEGER NOT NULL REFERENCES monitor_sources(id),
    guid TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    published_at INTEGER,
    fetched_at INTEGER NOT NULL,
    -- The first item this one repeats (a repost), if any.
    copy_of INTEGER REFERENCES monitor_items(id),
    -- Sentiment in thousandths (-1000 hostile .. 1000 praise), and what it is about.
    sentiment INTEGER NOT NULL,
    category TEXT NOT NULL,
    -- The rules hit (ids, comma-separated), the largest weight among them, and the alert
    -- level (red, orange, yellow, blue) when a rule was hit.
    rules TEXT NOT NULL,
    weight INTEGER NOT NULL,
    level TEXT,
    level_reason TEXT NOT NULL,
    added_by INTEGER REFERENCES users(id)
);
CREATE INDEX monitor_items_by_time ON monitor_items (site_id, fetched_at);
CREATE INDEX monitor_items_by_guid ON monitor_items (site_id, guid);

CREATE TABLE monitor_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    expr TEXT NOT NULL,
    -- 1 (worth a look) .. 5 (drop everything).
    weight INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- Reusable word sets for rules (@院名, @领导, @科室), one word a line.
CREATE TABLE monitor_sets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    words TEXT NOT NULL,
    UNIQUE (site_id, name)
);
