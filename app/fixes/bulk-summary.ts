/**
 * Bulk fixes' public shapes and the pure summaries of a batch (ADR 0015):
 * the plan aggregated per action, account and region, and the results
 * counted. No AWS, no Node, no database: the dashboard's components import it.
 */
import type { DataSourceRef, RoleRef } from "./types";

/** The actions a batch can run: the re-upload needs files chosen per index, so it stays on its own page. */
export const BULK_ACTIONS = ["full-sync", "patch-role-policy"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The fix chosen for a selection: one action, or each finding's own. */
export type BulkChoice = BulkAction | "each";

/** One resource of a batch. */
export type BulkTarget = { action: "full-sync"; dataSource: DataSourceRef } | { action: "patch-role-policy"; role: RoleRef };

/** planned: shown, not applied yet; running: a process applies it; done: every item ended. */
export type BulkBatchState = "planned" | "running" | "done";

/** pending: to apply; running: applying; succeeded / failed: applied; skipped: already fixed; refused: the plan would not apply it. */
export const BULK_ITEM_STATES = ["pending", "running", "succeeded", "failed", "skipped", "refused"] as const;
export type BulkItemState = (typeof BULK_ITEM_STATES)[number];

/** What an item's plan covers, counted (the aggregated plan sums these). */
export interface BulkCounts {
  dataSources: number;
  roles: number;
  documents: number;
  applications: number;
}

export interface BulkItem {
  id: number;
  position: number;
  action: BulkAction;
  accountId: string;
  /** The resource's region; "global" for an IAM role. */
  region: string;
  name: string;
  target: BulkTarget;
  planStatus: string;
  planHash: string;
  planSummary: string;
  counts: BulkCounts;
  state: BulkItemState;
  outcome: string | null;
  message: string | null;
  activityId: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Selected findings no item covers, and why (no automatic fix, another action, the re-upload, passing). */
export interface BulkLeftOut {
  reason: string;
  count: number;
  /** The first few finding ids, for links. */
  findingIds: number[];
}

export interface BulkSelection {
  /** The findings the operator ticked. */
  findingIds?: number[];
  /** Or every finding matching the findings page's filter (its query string). */
  filter?: string;
  choice: BulkChoice;
}

export interface BulkBatch {
  id: number;
  action: BulkAction | "mixed";
  actor: string;
  createdAt: string;
  state: BulkBatchState;
  perAccount: number;
  overall: number;
  selection: BulkSelection;
  restoreMode: boolean;
  leftOut: BulkLeftOut[];
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
  /** Hash over every item's plan hash and the caps: what the operator confirms. */
  batchHash: string;
  items: BulkItem[];
}

/** One line of the aggregated plan: an action in an account and region. */
export interface BulkGroup {
  action: BulkAction;
  accountId: string;
  region: string;
  items: number;
  /** Items by plan status (ready, nothing-to-do, refused, unavailable). */
  byPlanStatus: Record<string, number>;
  /** Items by state (pending, running, succeeded, failed, skipped, refused). */
  byState: Record<string, number>;
  counts: BulkCounts;
}

const ZERO: BulkCounts = { dataSources: 0, roles: 0, documents: 0, applications: 0 };

/** The aggregated plan: per action, account and region, in that order. */
export function groupBulkItems(items: readonly BulkItem[]): BulkGroup[] {
  const groups = new Map<string, BulkGroup>();
  for (const item of items) {
    const key = `${item.action}|${item.accountId}|${item.region}`;
    let group = groups.get(key);
    if (!group) {
      group = { action: item.action, accountId: item.accountId, region: item.region, items: 0, byPlanStatus: {}, byState: {}, counts: { ...ZERO } };
      groups.set(key, group);
    }
    group.items++;
    group.byPlanStatus[item.planStatus] = (group.byPlanStatus[item.planStatus] ?? 0) + 1;
    group.byState[item.state] = (group.byState[item.state] ?? 0) + 1;
    for (const k of Object.keys(ZERO) as (keyof BulkCounts)[]) group.counts[k] += item.counts[k];
  }
  return [...groups.values()].sort((a, b) => a.action.localeCompare(b.action) || a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
}

/** Items by state, every state present (0 when none). */
export function countBulkStates(items: readonly BulkItem[]): Record<BulkItemState, number> {
  const counts = Object.fromEntries(BULK_ITEM_STATES.map((s) => [s, 0])) as Record<BulkItemState, number>;
  for (const item of items) counts[item.state]++;
  return counts;
}

/** The batch's closing line: what succeeded, failed, was skipped as already fixed, was refused. */
export function bulkResultLine(items: readonly BulkItem[]): string {
  const c = countBulkStates(items);
  const parts = [`${c.succeeded} succeeded`, `${c.failed} failed`, `${c.skipped} skipped (already fixed)`];
  if (c.refused > 0) parts.push(`${c.refused} refused by their plan`);
  if (c.pending + c.running > 0) parts.push(`${c.pending + c.running} not finished`);
  return parts.join(", ");
}

export const ACTION_WORDS: Record<BulkAction, string> = { "full-sync": "Full sync", "patch-role-policy": "Role policy patch" };
