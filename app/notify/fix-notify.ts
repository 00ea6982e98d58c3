/**
 * The notification after a fix: sent when a fix action's activity entry
 * reaches an end (succeeded, partial, failed), from the activity log itself,
 * so every way a fix runs (CLI, dashboard, a bulk batch, a background sync
 * that finishes later) tells it once. Fire and forget: never blocks the fix.
 */
import type { Db } from "../db/database";
import { getActivity } from "../fixes/activity-log";
import type { ResourceRef } from "../fixes/types";
import { hasSinks, sinksFromEnv } from "./deliver";
import { notifyAfterFix } from "./notify";

export const FIX_END_STATUSES = new Set(["succeeded", "partial", "failed"]);

const describe = (r: ResourceRef) =>
  `${r.type} ${r.name ?? r.dataSourceId ?? r.roleArn ?? r.indexId ?? r.applicationId ?? "?"} (${r.accountId}${r.region ? `/${r.region}` : ""})`;

/** Send the fix's notification; resolves when delivered or given up (errors logged, never thrown). */
export async function notifyActivityEnd(db: Db, activityId: number, now: Date): Promise<void> {
  const sinks = sinksFromEnv();
  if (!hasSinks(sinks)) return;
  try {
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
