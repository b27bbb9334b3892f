-- Points rules (积分规则): hundredths of a point for a contribution (author, photographer)
-- to a story on an outlet of a kind at a level, from a date on. Rules are never edited in
-- place: a change is a new row with a later start, so past points keep their rule.
CREATE TABLE points_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    outlet_kind TEXT NOT NULL,
    level TEXT NOT NULL,
    contribution TEXT NOT NULL,
    points INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, outlet_kind, level, contribution, valid_from)
);
