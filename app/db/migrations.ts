/**
 * The database schema, versioned in code. Each entry moves the schema from
 * version i to i+1 (PRAGMA user_version); entries are never edited once
 * shipped, only appended, so an existing file upgrades in order.
 *
 * Tables the dashboard reads: audits (one row per audit run),
 * audit_applications (one row per application per audit, with that
 * application's inventory as JSON) and findings (one row per finding).
 */
export const MIGRATIONS: readonly string[] = [
  // 1: audit history
  `
  CREATE TABLE audits (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scanned_at  TEXT NOT NULL,
    cutoff      TEXT NOT NULL,
    -- ok: every target read; partial: some targets unreadable; error: none read
    status      TEXT NOT NULL,
    summary     TEXT NOT NULL,   -- JSON: report.summary
    report      TEXT NOT NULL,   -- JSON: the whole AuditReport
    targets     TEXT NOT NULL    -- JSON: report.targets
  );
  CREATE INDEX audits_scanned_at ON audits (scanned_at);

  CREATE TABLE audit_applications (
    audit_id        INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL,
    region          TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    identity_type   TEXT,
    readiness       TEXT NOT NULL,
    -- JSON: ApplicationInventory plus "roles" (the RoleInventory of each role it uses)
    inventory       TEXT NOT NULL,
    PRIMARY KEY (audit_id, account_id, region, application_id)
  );
  CREATE INDEX audit_applications_readiness ON audit_applications (audit_id, readiness);
  CREATE INDEX audit_applications_app ON audit_applications (application_id, audit_id);

  CREATE TABLE findings (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id            INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    check_id            TEXT NOT NULL,
    status              TEXT NOT NULL,
    severity            TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    region              TEXT NOT NULL,
    application_id      TEXT,
    index_id            TEXT,
    data_source_id      TEXT,
    web_experience_id   TEXT,
    role_arn            TEXT,
    resource_type       TEXT NOT NULL,
    name                TEXT,
    message             TEXT NOT NULL,
    evidence            TEXT NOT NULL,   -- JSON
    remediation_action  TEXT
  );
  CREATE INDEX findings_audit_status ON findings (audit_id, status, severity);
  CREATE INDEX findings_audit_check ON findings (audit_id, check_id);
  CREATE INDEX findings_audit_app ON findings (audit_id, application_id);
  CREATE INDEX findings_audit_account ON findings (audit_id, account_id, region);
  `,
  // 2: fix actions (app/fixes): the append-only activity log, locks, tracked syncs, re-audits
  `
  CREATE TABLE activity (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    action         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    resources      TEXT NOT NULL,   -- JSON: ResourceRef[]
    plan           TEXT NOT NULL,   -- JSON: the plan as shown and confirmed
    rollback_data  TEXT,            -- JSON: what a rollback needs
    rollback_of    INTEGER REFERENCES activity (id)
  );
  CREATE INDEX activity_action ON activity (action, id);

  -- What happened, in order; an entry's status is its latest event's.
  CREATE TABLE activity_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL REFERENCES activity (id),
    at           TEXT NOT NULL,
    status       TEXT NOT NULL,
    message      TEXT NOT NULL,
    request_ids  TEXT NOT NULL,     -- JSON: string[]
    data         TEXT               -- JSON
  );
  CREATE INDEX activity_events_activity ON activity_events (activity_id, id);

  -- One row per (account, region, application) an activity touched: the log's filters.
  CREATE TABLE activity_resources (
    activity_id     INTEGER NOT NULL REFERENCES activity (id),
    account_id      TEXT NOT NULL,
    region          TEXT,
    application_id  TEXT,
    resource_key    TEXT NOT NULL
  );
  CREATE INDEX activity_resources_app ON activity_resources (application_id, activity_id);
  CREATE INDEX activity_resources_account ON activity_resources (account_id, activity_id);

  -- The log is append-only: history cannot be rewritten.
  CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
  CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
  CREATE TRIGGER activity_events_no_update BEFORE UPDATE ON activity_events BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
  CREATE TRIGGER activity_events_no_delete BEFORE DELETE ON activity_events BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;

  -- An action running on a resource, so another process sees it too.
  CREATE TABLE fix_locks (
    lock_key     TEXT PRIMARY KEY,   -- action + resource
    holder       TEXT NOT NULL,      -- host:pid:nonce
    acquired_at  TEXT NOT NULL,
    expires_at   TEXT NOT NULL
  );

  -- Full syncs the product started and follows (survives a restart).
  CREATE TABLE tracked_syncs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id         INTEGER NOT NULL REFERENCES activity (id),
    account_id          TEXT NOT NULL,
    region              TEXT NOT NULL,
    application_id      TEXT NOT NULL,
    index_id            TEXT NOT NULL,
    data_source_id      TEXT NOT NULL,
    execution_id        TEXT NOT NULL,
    original_sync_mode  TEXT,
    restore_mode        INTEGER NOT NULL,
    full_mode           INTEGER NOT NULL,
    state               TEXT NOT NULL,   -- following | restoring | done | failed
    job_status          TEXT,
    message             TEXT,
    started_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
  );
  CREATE INDEX tracked_syncs_state ON tracked_syncs (state);
  CREATE INDEX tracked_syncs_source ON tracked_syncs (account_id, region, data_source_id);

  -- Audits made by re-auditing applications after a fix (a full audit row that supersedes them).
  CREATE TABLE reaudits (
    audit_id        INTEGER PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
    based_on_audit  INTEGER,
    activity_id     INTEGER,
    applications    TEXT NOT NULL   -- JSON: ApplicationRef[]
  );
  `,
  // 3: server-side sign-in sessions (app/db/sessions.ts); the same table as app/db/migrations/0003_sessions.ts
  `
  CREATE TABLE sessions (
    id_hash                 TEXT PRIMARY KEY,   -- sha256 of the random session id
    username                TEXT NOT NULL,
    role                    TEXT NOT NULL,
    credential_fingerprint  TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    last_seen_at            TEXT NOT NULL,
    expires_at              TEXT NOT NULL,
    revoked_at              TEXT,
    revoked_reason          TEXT
  );
  CREATE INDEX sessions_username ON sessions (username);
  CREATE INDEX sessions_expires_at ON sessions (expires_at);
  `,
];
