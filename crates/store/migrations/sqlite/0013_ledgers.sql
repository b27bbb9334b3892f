-- Ledgers the Party committee's publicity department keeps (台账): who answers for what
-- (责任制), the analysis meetings (研判会), and the problems found and put right (整改台账).

-- An area of responsibility, such as 意识形态工作 or 网站与新媒体阵地管理.
CREATE TABLE responsibility_areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    sort INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, name)
);

-- Who answers for an area, and from when to when: a change of person closes the old row
-- (ended_at) and adds a new one, so the history stays. `role` is first (第一责任人), direct
-- (直接责任人) or department (a department's duty in the area, 一岗双责).
CREATE TABLE responsibilities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    area_id INTEGER NOT NULL REFERENCES responsibility_areas(id),
    role TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    person TEXT NOT NULL,
    duty TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX responsibilities_by_area ON responsibilities (site_id, area_id, ended_at);

-- An analysis meeting (意识形态 / 舆情研判会): when, who, the minutes, the conclusions.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    title TEXT NOT NULL,
    scheduled_at INTEGER NOT NULL,
    place TEXT NOT NULL,
    chair TEXT NOT NULL,
    attendees TEXT NOT NULL,
    minutes TEXT NOT NULL,
    conclusions TEXT NOT NULL,
    -- scheduled, held
    status TEXT NOT NULL,
    held_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX meetings_by_time ON meetings (site_id, scheduled_at);

-- A problem and its rectification (整改台账).
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    problem TEXT NOT NULL,
    -- inspection (检查), analysis (研判), incident (舆情事件), audit (巡察审计), other
    source TEXT NOT NULL,
    -- The meeting or incident it came from, when it did.
    meeting_id INTEGER REFERENCES meetings(id),
    incident_id INTEGER REFERENCES incidents(id),
    measure TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    owner TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    -- What was done and the proof (完成情况及佐证材料).
    evidence TEXT NOT NULL,
    -- open (整改中), done (已整改)
    status TEXT NOT NULL,
    done_at INTEGER,
    -- Set when the owner was reminded of the passed deadline; cleared when it moves.
    reminded_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX rectifications_by_status ON rectifications (site_id, status, deadline);

-- What happened to a rectification, in order. Never edited.
CREATE TABLE rectification_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    body TEXT NOT NULL
);
CREATE INDEX rectification_events_by_rect ON rectification_events (rectification_id, at);
