-- Alerts and incidents of opinion monitoring, and the newsroom's notifications.

-- What each user is told in the newsroom (消息): alerts, incidents assigned to them,
-- incidents past their deadline.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    -- alert, incident, escalation
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_by_user ON notifications (user_id, read_at);

-- Where alerts are sent besides the newsroom: e-mail addresses, or a 企业微信 / 钉钉 group
-- robot's webhook.
CREATE TABLE monitor_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    -- email, wecom, dingtalk
    kind TEXT NOT NULL,
    -- Addresses (one a line) or the webhook URL.
    target TEXT NOT NULL,
    -- 钉钉's signing secret (加签), when the robot has one.
    secret TEXT NOT NULL,
    -- The quietest level sent (blue sends everything, red only red).
    min_level TEXT NOT NULL,
    -- Quiet hours in minutes after midnight, China time (both null: none).
    quiet_from INTEGER,
    quiet_to INTEGER,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- An alert raised for a family of items (the first item and its copies) at a level; one
-- per family and level, so a repost at the same level is not raised again.
CREATE TABLE monitor_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    family_id INTEGER NOT NULL REFERENCES monitor_items(id),
    item_id INTEGER NOT NULL REFERENCES monitor_items(id),
    level TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acked_by INTEGER REFERENCES users(id),
    acked_at INTEGER,
    UNIQUE (site_id, family_id, level)
);
CREATE INDEX monitor_alerts_by_time ON monitor_alerts (site_id, created_at);

-- Each alert to each channel: when it may go (after quiet hours), when it went, or why not.
CREATE TABLE monitor_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES monitor_alerts(id),
    channel_id INTEGER NOT NULL REFERENCES monitor_channels(id),
    due_at INTEGER NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    UNIQUE (alert_id, channel_id)
);
CREATE INDEX monitor_deliveries_due ON monitor_deliveries (sent_at, due_at);

-- An incident (舆情事件): items gathered, an owner, a deadline, the judgement, the
-- statement drafted as a manuscript, and the closing summary.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    title TEXT NOT NULL,
    level TEXT NOT NULL,
    -- found, assessing, handling, closed
    state TEXT NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    deadline INTEGER,
    assessment TEXT NOT NULL,
    summary TEXT NOT NULL,
    statement_id INTEGER REFERENCES manuscripts(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    -- Set when it was escalated for passing its deadline; cleared when the deadline moves.
    escalated_at INTEGER
);
CREATE INDEX incidents_by_state ON incidents (site_id, state);

CREATE TABLE incident_items (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    item_id INTEGER NOT NULL REFERENCES monitor_items(id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, item_id)
);

-- The incident's record: moves, contacts made, notes, escalations. Never edited.
CREATE TABLE incident_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    -- state, contact, note, statement, escalate, assign, item
    kind TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, at);
