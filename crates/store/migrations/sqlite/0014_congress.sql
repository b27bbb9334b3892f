-- The staff congress (职工代表大会): sessions, delegates in groups, the motions committee,
-- delegates' motions and their handling, and votes on resolutions. Ballots, receipts and
-- attendance are append-only, and a closed vote cannot be changed: the database refuses.

CREATE TABLE congress_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    -- 第五届职工代表大会第三次会议
    name TEXT NOT NULL,
    term INTEGER NOT NULL,
    sitting INTEGER NOT NULL,
    opens_on TEXT NOT NULL,
    agenda TEXT NOT NULL,
    -- Whether delegates may submit motions now.
    motions_open INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE congress_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES congress_sessions(id),
    name TEXT NOT NULL,
    UNIQUE (session_id, name)
);

CREATE TABLE congress_delegates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES congress_sessions(id),
    group_id INTEGER REFERENCES congress_groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (session_id, user_id)
);

-- The motions committee (提案工作委员会) of a session.
CREATE TABLE congress_committee (
    session_id INTEGER NOT NULL REFERENCES congress_sessions(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (session_id, user_id)
);

CREATE TABLE motions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    session_id INTEGER NOT NULL REFERENCES congress_sessions(id),
    -- 提案编号, given when it is accepted (立案) or converted.
    number TEXT,
    title TEXT NOT NULL,
    -- 案由 and 建议措施.
    reason TEXT NOT NULL,
    proposal TEXT NOT NULL,
    proposer_id INTEGER NOT NULL REFERENCES users(id),
    co_signers TEXT NOT NULL,
    -- submitted, accepted, suggestion, declined, replied, rework, closed
    state TEXT NOT NULL,
    committee_note TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    reply_deadline INTEGER,
    reply TEXT NOT NULL,
    replied_at INTEGER,
    rounds INTEGER NOT NULL,
    -- satisfied, basic, unsatisfied (the latest)
    rating TEXT,
    rated_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX motions_by_session ON motions (session_id, state);

CREATE TABLE motion_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    motion_id INTEGER NOT NULL REFERENCES motions(id),
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    body TEXT NOT NULL
);
CREATE INDEX motion_events_by_motion ON motion_events (motion_id, at);

-- A resolution put to the vote.
CREATE TABLE votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    session_id INTEGER NOT NULL REFERENCES congress_sessions(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Secret ballot (无记名): how each delegate voted is not recorded.
    secret INTEGER NOT NULL,
    -- draft, open, closed
    status TEXT NOT NULL,
    delegates INTEGER NOT NULL,
    present INTEGER NOT NULL,
    ayes INTEGER NOT NULL,
    noes INTEGER NOT NULL,
    abstentions INTEGER NOT NULL,
    passed INTEGER,
    result TEXT NOT NULL,
    opened_at INTEGER,
    closed_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

-- Who was present when the vote opened (only they may vote).
CREATE TABLE vote_attendance (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    delegate_id INTEGER NOT NULL REFERENCES congress_delegates(id),
    PRIMARY KEY (vote_id, delegate_id)
);

-- That a delegate voted: one each, by the primary key.
CREATE TABLE ballot_receipts (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    delegate_id INTEGER NOT NULL REFERENCES congress_delegates(id),
    PRIMARY KEY (vote_id, delegate_id)
);

-- The ballots, under a random token and without time; the delegate only on open votes.
CREATE TABLE ballots (
    token TEXT PRIMARY KEY,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    delegate_id INTEGER REFERENCES congress_delegates(id),
    -- yes, no, abstain
    choice TEXT NOT NULL
);
CREATE INDEX ballots_by_vote ON ballots (vote_id);

CREATE TRIGGER ballots_no_update BEFORE UPDATE ON ballots BEGIN SELECT RAISE(ABORT, 'ballots are final'); END;
CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots BEGIN SELECT RAISE(ABORT, 'ballots are final'); END;
CREATE TRIGGER ballot_receipts_no_update BEFORE UPDATE ON ballot_receipts BEGIN SELECT RAISE(ABORT, 'ballots are final'); END;
CREATE TRIGGER ballot_receipts_no_delete BEFORE DELETE ON ballot_receipts BEGIN SELECT RAISE(ABORT, 'ballots are final'); END;
CREATE TRIGGER vote_attendance_no_update BEFORE UPDATE ON vote_attendance BEGIN SELECT RAISE(ABORT, 'attendance is final'); END;
CREATE TRIGGER vote_attendance_no_delete BEFORE DELETE ON vote_attendance BEGIN SELECT RAISE(ABORT, 'attendance is final'); END;
CREATE TRIGGER votes_closed_final BEFORE UPDATE ON votes WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, 'a closed vote is final'); END;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'a vote once opened is kept'); END;
