/**
 * The notification after a fix: sent when a fix action's activity entry
 * reaches an end (succeeded, partial, failed), from the activity log itself,
 * so every way a fix runs (CLI, dashboard, a bulk batch, a background sync
 * that finishes later) tells it once (toldBefore). Fire and forget: never blocks the fix.
 * A bulk batch's items are told by the batch's one message instead
 * (batch-notify.ts).
 */
import type { Db } from "../db/database";
import { getActivity } from "../fixes/activity-log";
import type { ResourceRef } from "../fixes/types";
import { isBatchActivity } from "./batch-notify";
import { hasSinks, sinksFromEnv } from "./deliver";
import { notifyAfterFix } from "./notify";

export const FIX_END_STATUSES = new Set(["succeeded", "partial", "failed"]);

const describe = (r: ResourceRef) =>
  `${r.type} ${r.name ?? r.dataSourceId ?? r.roleArn ?? r.indexId ?? r.applicationId ?? "?"} (${r.accountId}${r.region ? `/${r.region}` : ""})`;

/**
 * Entries told by this process. An entry can reach an end twice (a full sync
 * applied with wait: its follower's end, then the apply's own), and is told
 * once: at its first end, here or (another process) as recorded.
 */
const told = new WeakMap<Db, Set<number>>();

async function toldBefore(db: Db, activityId: number): Promise<boolean> {
  let ids = told.get(db);
  if (!ids) told.set(db, (ids = new Set()));
  if (ids.has(activityId)) return true;
  ids.add(activityId);
  const row = await db.kysely.selectFrom("notifications").select("id").where("event", "=", "fix").where("activity_id", "=", activityId).executeTakeFirst();
  return row !== undefined;
}

/** Send the fix's notification; resolves when delivered or given up (errors logged, never thrown). */
export async function notifyActivityEnd(db: Db, activityId: number, now: Date): Promise<void> {
  const sinks = sinksFromEnv();
  if (!hasSinks(sinks)) return;
  try {
    if (await toldBefore(db, activityId)) return;
    if (await isBatchActivity(db, activityId)) return;
    const entry = await getActivity(db, activityId);
    if (!entry || !FIX_END_STATUSES.has(entry.status)) return;
    await notifyAfterFix(
      db,
      { activityId, action: entry.action, status: entry.status, message: entry.message, actor: entry.actor, resources: entry.resources.map(describe) },
      { sinks, now },
    );
  } catch (error) {
    console.error(`qbiz-readiness: the notification of activity #${activityId} failed:`, error);
  }
}
