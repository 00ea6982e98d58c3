/**
 * The database's tables as TypeScript types, one interface per table, for
 * Kysely's typed queries. Columns hold what both SQLite and PostgreSQL store
 * the same way: text (ISO-8601 times, JSON documents) and integers (0/1 for
 * flags). The migrations in ./migrations create exactly these columns.
 */
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** A JSON document stored as text; the repositories parse and stringify it. */
type Json = string;
/** An ISO-8601 instant stored as text. */
type Instant = string;
/** An integer key another table's row refers to; never re-written. */
type Id = ColumnType<number, number, never>;

export interface AuditsTable {
  id: Generated<number>;
  scanned_at: Instant;
  cutoff: Instant;
  /** ok: every target read; partial: some targets unreadable; error: none read */
  status: string;
  /** report.summary */
  summary: Json;
  /** the whole AuditReport */
  report: Json;
  /** report.targets */
  targets: Json;
}

export interface AuditApplicationsTable {
  audit_id: Id;
  account_id: string;
  region: string;
  application_id: string;
  display_name: string;
  identity_type: string | null;
  readiness: string;
  /** ApplicationInventory plus "roles" (the RoleInventory of each role it uses) */
  inventory: Json;
}

export interface FindingsTable {
  id: Generated<number>;
  audit_id: Id;
  check_id: string;
  status: string;
  severity: string;
  account_id: string;
  region: string;
  application_id: string | null;
  index_id: string | null;
  data_source_id: string | null;
  web_experience_id: string | null;
  role_arn: string | null;
  resource_type: string;
  name: string | null;
  message: string;
  evidence: Json;
  remediation_action: string | null;
}

/** The append-only activity log (triggers refuse UPDATE, DELETE and REPLACE). */
export interface ActivityTable {
  id: Generated<number>;
  action: string;
  actor: string;
  started_at: Instant;
  /** ResourceRef[] */
  resources: Json;
  /** the plan as shown and confirmed */
  plan: Json;
  /** what a rollback needs */
  rollback_data: Json | null;
  rollback_of: number | null;
}

/** What happened to an activity, in order; an entry's status is its latest event's. */
export interface ActivityEventsTable {
  id: Generated<number>;
  activity_id: Id;
  at: Instant;
  status: string;
  message: string;
  /** string[] */
  request_ids: Json;
  data: Json | null;
}

/** One row per (account, region, application) an activity touched: the log's filters. */
export interface ActivityResourcesTable {
  activity_id: Id;
  account_id: string;
  region: string | null;
  application_id: string | null;
  resource_key: string;
}

/** An action running on a resource, so another process sees it too. */
export interface FixLocksTable {
  /** action + resource */
  lock_key: string;
  /** host:pid:nonce */
  holder: string;
  acquired_at: Instant;
  expires_at: Instant;
}

/** Full syncs the product started and follows (survives a restart). */
export interface TrackedSyncsTable {
  id: Generated<number>;
  activity_id: Id;
  account_id: string;
  region: string;
  application_id: string;
  index_id: string;
  data_source_id: string;
  execution_id: string;
  original_sync_mode: string | null;
  /** 0 or 1 */
  restore_mode: number;
  /** 0 or 1 */
  full_mode: number;
  /** following | restoring | done | failed */
  state: string;
  job_status: string | null;
  message: string | null;
  started_at: Instant;
  updated_at: Instant;
}

/** Audits made by re-auditing applications after a fix. */
export interface ReauditsTable {
  audit_id: Id;
  based_on_audit: number | null;
  activity_id: number | null;
  /** ApplicationRef[] */
  applications: Json;
}

/** Server-side sign-in sessions: the cookie carries a random id, the row holds its hash. */
export interface SessionsTable {
  /** sha256 (hex) of the random session id; the id itself is never stored */
  id_hash: string;
  username: string;
  role: string;
  /** what the user's credential was when the session began: a change ends the session */
  credential_fingerprint: string;
  created_at: Instant;
  last_seen_at: Instant;
  expires_at: Instant;
  revoked_at: Instant | null;
  revoked_reason: string | null;
}

export interface Schema {
  audits: AuditsTable;
  audit_applications: AuditApplicationsTable;
  findings: FindingsTable;
  activity: ActivityTable;
  activity_events: ActivityEventsTable;
  activity_resources: ActivityResourcesTable;
  fix_locks: FixLocksTable;
  tracked_syncs: TrackedSyncsTable;
  reaudits: ReauditsTable;
  sessions: SessionsTable;
}

export type AuditRow = Selectable<AuditsTable>;
export type FindingRow = Selectable<FindingsTable>;
export type ActivityRow = Selectable<ActivityTable>;
export type ActivityEventRow = Selectable<ActivityEventsTable>;
export type TrackedSyncRow = Selectable<TrackedSyncsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
