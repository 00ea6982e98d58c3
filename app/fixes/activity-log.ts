/**
 * The activity log: every fix action, append-only (the database's triggers
 * refuse UPDATE, DELETE and REPLACE; storage: ../db/activity.ts). An entry is written when an apply starts (who, when,
 * which resources, the plan as confirmed, rollback data); what then happens is
 * appended as events, and the entry's status is its latest event's.
 */
import * as activity from "../db/activity";
import type { Db } from "../db/database";
import type { ActivityEventRow, ActivityRow } from "../db/schema";
import { hasSinks, sinksFromEnv } from "../notify/deliver";
import { FIX_END_STATUSES, notifyActivityEnd } from "../notify/fix-notify";
import type { ActivityEntry, ActivityEvent, ActivityFilter, ActivityStatus, FixAction, FixPlan, ResourceRef } from "./types";

/** The key that names a resource in locks and filters. */
export function resourceKey(r: ResourceRef): string {
  return [r.type, r.accountId, r.region ?? "", r.applicationId ?? "", r.indexId ?? "", r.dataSourceId ?? "", r.roleArn ?? ""].join("|");
}

/** Start an entry; returns its id. `at` is the fleet's "now". */
export async function recordActivity(
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
): Promise<number> {
  const resources = [
    ...entry.resources.map((r) => ({
      account_id: r.accountId,
      region: r.region ?? null,
      application_id: r.applicationId ?? null,
      resource_key: resourceKey(r),
    })),
    ...entry.plan.applications.map((app) => ({
      account_id: app.accountId,
      region: app.region,
      application_id: app.applicationId,
      resource_key: `application|${app.accountId}|${app.region}|${app.applicationId}`,
    })),
  ];
  return activity.insertActivity(db, {
    activity: {
      action: entry.action,
      actor: entry.actor,
      started_at: entry.at.toISOString(),
      resources: JSON.stringify(entry.resources),
      plan: JSON.stringify(entry.plan),
      rollback_data: entry.rollbackData ? JSON.stringify(entry.rollbackData) : null,
      rollback_of: entry.rollbackOf ?? null,
    },
    resources,
    firstEvent: eventRow({ at: entry.at, status: entry.status ?? "running", message: entry.message ?? "started", requestIds: [] }),
  });
}

type NewEvent = { at: Date; status: ActivityStatus; message: string; requestIds?: string[]; data?: Record<string, unknown> };

function eventRow(event: NewEvent): activity.NewActivityEvent {
  return {
    at: event.at.toISOString(),
    status: event.status,
    message: event.message,
    request_ids: JSON.stringify(event.requestIds ?? []),
    data: event.data ? JSON.stringify(event.data) : null,
  };
}

/** Append what happened to an entry. An end (succeeded, partial, failed) is notified (app/notify), in the background. */
export async function appendActivityEvent(db: Db, activityId: number, event: NewEvent): Promise<void> {
  await activity.insertActivityEvent(db, activityId, eventRow(event));
  if (FIX_END_STATUSES.has(event.status) && hasSinks(sinksFromEnv())) {
    const sending = notifyActivityEnd(db, activityId, event.at);
    pendingNotifications.add(sending);
    void sending.finally(() => pendingNotifications.delete(sending));
  }
}

/** Fix notifications still being delivered (a CLI waits for them before it exits: settleFixNotifications). */
const pendingNotifications = new Set<Promise<void>>();

export async function settleFixNotifications(): Promise<void> {
  await Promise.allSettled([...pendingNotifications]);
}

function toEntry(row: ActivityRow, events: ActivityEventRow[], rolledBackBy: number | undefined): ActivityEntry {
  const parsed: ActivityEvent[] = events.map((e) => ({
    at: e.at,
    status: e.status as ActivityStatus,
    message: e.message,
    requestIds: JSON.parse(e.request_ids) as string[],
    ...(e.data ? { data: JSON.parse(e.data) as Record<string, unknown> } : {}),
  }));
  const last = parsed[parsed.length - 1];
  return {
    id: row.id,
    action: row.action as FixAction,
    actor: row.actor,
    startedAt: row.started_at,
    status: rolledBackBy !== undefined ? "rolled-back" : (last?.status ?? "running"),
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
async function rolledBackBy(db: Db, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await activity.succeededRollbacksOf(db, ids);
  return new Map(rows.map((r) => [r.original, r.id]));
}

async function entriesOf(db: Db, rows: ActivityRow[]): Promise<ActivityEntry[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const events = await activity.eventsOf(db, ids);
  const byActivity = new Map<number, ActivityEventRow[]>();
  for (const e of events) byActivity.set(e.activity_id, [...(byActivity.get(e.activity_id) ?? []), e]);
  const rollbacks = await rolledBackBy(db, ids);
  return rows.map((r) => toEntry(r, byActivity.get(r.id) ?? [], rollbacks.get(r.id)));
}

export async function getActivity(db: Db, id: number): Promise<ActivityEntry | undefined> {
  const row = await activity.activityById(db, id);
  return row ? (await entriesOf(db, [row]))[0] : undefined;
}

/** Entries, newest first, filtered. */
export async function listActivity(db: Db, filter: ActivityFilter = {}): Promise<ActivityEntry[]> {
  const rows = await activity.queryActivity(db, filter);
  // Status is derived from events, so it filters after reading.
  let entries = await entriesOf(db, rows);
  if (filter.status) entries = entries.filter((e) => e.status === filter.status);
  return filter.limit ? entries.slice(0, filter.limit) : entries;
}
