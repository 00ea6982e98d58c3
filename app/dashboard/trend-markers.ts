/**
 * The fixes and rollbacks drawn on "Readiness over time", from the activity
 * log: a change in readiness next to the fix that caused it. Pure (the
 * overview loader reads the log, the chart draws the markers).
 */
import type { ActivityEntry, ActivityStatus } from "~/fixes/types";

export interface TrendMarker {
  activityId: number;
  at: string;
  kind: "fix" | "rollback";
  /** "#3 full sync of hr-benefits-assistant": the marker's label and its table row. */
  label: string;
}

/** Outcomes of an apply that changed nothing in AWS: not marked (the log still lists them). */
const NOTHING_APPLIED: ReadonlySet<ActivityStatus> = new Set(["refused", "unavailable", "nothing-to-do", "busy", "stale-plan"]);

const ACTION_WORDS: Record<ActivityEntry["action"], string> = {
  "full-sync": "full sync",
  "patch-role-policy": "role patch",
  "reupload-files": "re-upload",
  rollback: "rollback",
};

/** Entries that changed something, at or after `since` (the oldest audit the chart draws), oldest first. */
export function trendMarkers(entries: Pick<ActivityEntry, "id" | "action" | "startedAt" | "status" | "resources">[], since: string | undefined): TrendMarker[] {
  const from = since ? new Date(since).getTime() : -Infinity;
  return entries
    .filter((e) => !NOTHING_APPLIED.has(e.status) && new Date(e.startedAt).getTime() >= from)
    .map((e) => {
      const names = [...new Set(e.resources.map((r) => r.name).filter((n): n is string => Boolean(n)))];
      const on = names.length ? ` of ${names.join(", ")}` : "";
      return {
        activityId: e.id,
        at: e.startedAt,
        kind: e.action === "rollback" ? ("rollback" as const) : ("fix" as const),
        label: `#${e.id} ${ACTION_WORDS[e.action]}${on}`,
      };
    })
    .sort((a, b) => a.at.localeCompare(b.at) || a.activityId - b.activityId);
}
