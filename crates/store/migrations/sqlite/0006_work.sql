-- Publicity work that is not a story (其他宣传工作): a dated quantity of one kind (codes of
-- yuanxun_core::work::WorkKind), for the statistics and the half-year and annual summaries.
CREATE TABLE work_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    done_on TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    person_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX work_entries_site_date ON work_entries (site_id, done_on);
