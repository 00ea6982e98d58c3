/**
 * The activity log: every fix action, append-only (SQLite triggers refuse
 * UPDATE and DELETE). An entry is written when an apply starts (who, when,
 * which resources, the plan as confirmed, rollback data); what then happens is
 * appended as events, and the entry's status is its latest event's.
 */
import type { Db } from "../db/database";
import type {
  ActivityEntry,
  ActivityEvent,
  ActivityFilter,
  ActivityStatus,
  FixAction,
  FixPlan,
  ResourceRef,
} from "./types";

interface ActivityRow {
  id: number;
  action: FixAction;
  actor: string;
  started_at: string;
  resources: string;
  plan: string;
  rollback_data: string | null;
  rollback_of: number | null;
}

interface EventRow {
  activity_id: number;
  at: string;
  status: ActivityStatus;
  message: string;
  request_ids: string;
  data: string | null;
}

/** The key that names a resource in locks and filters. */
export function resourceKey(r: ResourceRef): string {
  return [r.type, r.accountId, r.region ?? "", r.applicationId ?? "", r.indexId ?? "", r.dataSourceId ?? "", r.roleArn ?? ""].join("|");
}

/** Start an entry; returns its id. `at` is the fleet's "now". */
export function recordActivity(
  db: Db,
  entry: {
    action: FixAction;
    actor: string;
    at: Date;
    resources: ResourceRef[];
    plan: FixPlan;
    rollbackData?: Record<string, unknown>;
    rollbackOf?: number;
    status?: ActivityStatus;
    message?: string;
  },
): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare(
          `INSERT INTO activity (action, actor, started_at, resources, plan, rollback_data, rollback_of)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.action,
          entry.actor,
          entry.at.toISOString(),
          JSON.stringify(entry.resources),
          JSON.stringify(entry.plan),
          entry.rollbackData ? JSON.stringify(entry.rollbackData) : null,
          entry.rollbackOf ?? null,
        ).lastInsertRowid,
    );
    const insertResource = db.prepare(
      `INSERT INTO activity_resources (activity_id, account_id, region, application_id, resource_key) VALUES (?, ?, ?, ?, ?)`,
    );
    for (const r of entry.resources) insertResource.run(id, r.accountId, r.region ?? null, r.applicationId ?? null, resourceKey(r));
    for (const app of entry.plan.applications) {
      insertResource.run(id, app.accountId, app.region, app.applicationId, `application|${app.accountId}|${app.region}|${app.applicationId}`);
    }
    appendActivityEvent(db, id, { at: entry.at, status: entry.status ?? "running", message: entry.message ?? "started", requestIds: [] });
    return id;
  })();
}

/** Append what happened to an entry. */
export function appendActivityEvent(
  db: Db,
  activityId: number,
  event: { at: Date; status: ActivityStatus; message: string; requestIds?: string[]; data?: Record<string, unknown> },
): void {
  db.prepare(
    `INSERT INTO activity_events (activity_id, at, status, message, request_ids, data) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    activityId,
    event.at.toISOString(),
    event.status,
    event.message,
    JSON.stringify(event.requestIds ?? []),
    event.data ? JSON.stringify(event.data) : null,
  );
}

function toEntry(row: ActivityRow, events: EventRow[], rolledBackBy: number | undefined): ActivityEntry {
  const parsed: ActivityEvent[] = events.map((e) => ({
    at: e.at,
    status: e.status,
    message: e.message,
    requestIds: JSON.parse(e.request_ids) as string[],
    ...(e.data ? { data: JSON.parse(e.data) as Record<string, unknown> } : {}),
  }));
  const last = parsed[parsed.length - 1];
  return {
    id: row.id,
    action: row.action,
    actor: row.actor,
    startedAt: row.started_at,
    status: rolledBackBy !== undefined ? "rolled-back" : last?.status ?? "running",
    message: last?.message ?? "",
    resources: JSON.parse(row.resources) as ResourceRef[],
    plan: JSON.parse(row.plan) as FixPlan,
    ...(row.rollback_data ? { rollbackData: JSON.parse(row.rollback_data) as Record<string, unknown> } : {}),
    ...(row.rollback_of !== null ? { rollbackOf: row.rollback_of } : {}),
    ...(rolledBackBy !== undefined ? { rolledBackBy } : {}),
    requestIds: parsed.flatMap((e) => e.requestIds),
    events: parsed,
  };
}

/** A rollback counts once it succeeded. */
function rolledBackBy(db: Db, ids: number[]): Map<number, number> {
  if (ids.length === 0) return new Map();
  const rows = db
    .prepare(
      `SELECT a.rollback_of AS original, a.id AS id FROM activity a
       WHERE a.rollback_of IN (${ids.map(() => "?").join(",")})
         AND (SELECT status FROM activity_events e WHERE e.activity_id = a.id ORDER BY e.id DESC LIMIT 1) = 'succeeded'`,
    )
    .all(...ids) as { original: number; id: number }[];
  return new Map(rows.map((r) => [r.original, r.id]));
}

function entriesOf(db: Db, rows: ActivityRow[]): ActivityEntry[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const events = db
    .prepare(`SELECT * FROM activity_events WHERE activity_id IN (${ids.map(() => "?").join(",")}) ORDER BY id`)
    .all(...ids) as EventRow[];
  const byActivity = new Map<number, EventRow[]>();
  for (const e of events) byActivity.set(e.activity_id, [...(byActivity.get(e.activity_id) ?? []), e]);
  const rollbacks = rolledBackBy(db, ids);
  return rows.map((r) => toEntry(r, byActivity.get(r.id) ?? [], rollbacks.get(r.id)));
}

export function getActivity(db: Db, id: number): ActivityEntry | undefined {
  const row = db.prepare(`SELECT * FROM activity WHERE id = ?`).get(id) as ActivityRow | undefined;
  return row ? entriesOf(db, [row])[0] : undefined;
}

/** Entries, newest first, filtered. */
export function listActivity(db: Db, filter: ActivityFilter = {}): ActivityEntry[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.action) {
    where.push("a.action = ?");
    params.push(filter.action);
  }
  if (filter.actor) {
    where.push("a.actor = ?");
    params.push(filter.actor);
  }
  if (filter.accountId) {
    where.push("EXISTS (SELECT 1 FROM activity_resources r WHERE r.activity_id = a.id AND r.account_id = ?)");
    params.push(filter.accountId);
  }
  if (filter.applicationId) {
    where.push("EXISTS (SELECT 1 FROM activity_resources r WHERE r.activity_id = a.id AND r.application_id = ?)");
    params.push(filter.applicationId);
  }
  const rows = db
    .prepare(`SELECT a.* FROM activity a ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY a.id DESC`)
    .all(...params) as ActivityRow[];
  // Status is derived from events, so it filters after reading.
  let entries = entriesOf(db, rows);
  if (filter.status) entries = entries.filter((e) => e.status === filter.status);
  return filter.limit ? entries.slice(0, filter.limit) : entries;
}
