-- Outlets (阵地): every channel the hospital runs or places stories in, with the person who
-- answers for it (谁建立谁负责) and its periodic review.
CREATE TABLE outlets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    department_id INTEGER REFERENCES departments(id),
    owner_id INTEGER REFERENCES users(id),
    owner_name TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT 'internal',
    status TEXT NOT NULL DEFAULT 'active',
    review_every_days INTEGER NOT NULL DEFAULT 90,
    last_reviewed_on TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, name)
);

-- Distributions (分发 / 上报 / 录用): an article on an outlet, with its date, link, and for
-- outside media the level and whether it was adopted; a clipping photo may stand for the link.
CREATE TABLE distributions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    article_id INTEGER NOT NULL REFERENCES articles(id),
    outlet_id INTEGER NOT NULL REFERENCES outlets(id),
    level TEXT NOT NULL,
    distributed_on TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    adoption TEXT NOT NULL,
    clipping_media_id INTEGER REFERENCES media(id),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (article_id, outlet_id)
);
CREATE INDEX distributions_site_date ON distributions (site_id, distributed_on);
