-- Points earned (积分明细): one row per person per contribution. Rows derived from a
-- distribution name it and the rule that priced it; they are written when the distribution
-- is recorded (or its adoption, level or date change) and rewritten only by an explicit,
-- audited recompute. Manual rows (training attended, videos made, events) carry their
-- evidence. Points are hundredths.
CREATE TABLE points_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    earned_on TEXT NOT NULL,
    person_name TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    department_id INTEGER REFERENCES departments(id),
    points INTEGER NOT NULL,
    contribution TEXT NOT NULL,
    title TEXT NOT NULL,
    distribution_id INTEGER REFERENCES distributions(id),
    article_id INTEGER REFERENCES articles(id),
    rule_id INTEGER REFERENCES points_rules(id),
    evidence TEXT NOT NULL DEFAULT '',
    evidence_media_id INTEGER REFERENCES media(id),
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX points_entries_site_date ON points_entries (site_id, earned_on);
CREATE INDEX points_entries_distribution ON points_entries (distribution_id);
