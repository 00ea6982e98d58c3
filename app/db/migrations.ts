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
];
