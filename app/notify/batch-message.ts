/**
 * The one message a bulk batch sends when it ends (issue 14.3, ADR 0015):
 * what succeeded, failed (and why), was skipped as already fixed, was
 * refused by its plan or left out of the batch, per action and account,
 * with a link to /fix/bulk/<id>. Its items send none of their own. Pure.
 */
import { ACTION_WORDS, bulkResultLine, countBulkStates, type BulkBatch, type BulkItemState } from "../fixes/bulk-summary";
import type { Notification } from "./message";

export interface BatchGroupFacts {
  action: string;
  accountId: string;
  items: number;
  succeeded: number;
  failed: number;
  skipped: number;
  refused: number;
  /** Items a stopped process left unfinished (0 once the batch ran to its end). */
  notFinished: number;
}

export interface BatchItemFact {
  action: string;
  accountId: string;
  region: string;
  name: string;
  outcome: string | null;
  message: string | null;
  activityId: number | null;
}

export interface BatchFacts {
  id: number;
  action: string;
  actor: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: Record<BulkItemState, number>;
  groups: BatchGroupFacts[];
  failed: BatchItemFact[];
  refused: BatchItemFact[];
  leftOut: { reason: string; count: number }[];
  url?: string;
}

const MAX_LISTED = 10;

function groupsOf(batch: BulkBatch): BatchGroupFacts[] {
  const groups = new Map<string, BatchGroupFacts>();
  for (const item of batch.items) {
    const key = `${item.action}|${item.accountId}`;
    let g = groups.get(key);
    if (!g)
      groups.set(key, (g = { action: item.action, accountId: item.accountId, items: 0, succeeded: 0, failed: 0, skipped: 0, refused: 0, notFinished: 0 }));
    g.items++;
    if (item.state === "pending" || item.state === "running") g.notFinished++;
    else g[item.state]++;
  }
  return [...groups.values()].sort((a, b) => a.action.localeCompare(b.action) || a.accountId.localeCompare(b.accountId));
}

const itemFact = (i: BulkBatch["items"][number]): BatchItemFact => ({
  action: i.action,
  accountId: i.accountId,
  region: i.region,
  name: i.name,
  outcome: i.outcome,
  message: i.message,
  activityId: i.activityId,
});

const actionWord = (action: string) => ACTION_WORDS[action as keyof typeof ACTION_WORDS] ?? action;

function groupLine(g: BatchGroupFacts): string {
  const parts = [`${g.succeeded} succeeded`, `${g.failed} failed`, `${g.skipped} skipped (already fixed)`];
  if (g.refused > 0) parts.push(`${g.refused} refused`);
  if (g.notFinished > 0) parts.push(`${g.notFinished} not finished`);
  return `${actionWord(g.action)} in ${g.accountId}: ${parts.join(", ")}`;
}

function listed<T>(heading: string, items: T[], line: (item: T) => string): string[] {
  if (items.length === 0) return [];
  const more = items.length > MAX_LISTED ? [`  … and ${items.length - MAX_LISTED} more`] : [];
  return [`${heading} (${items.length}):`, ...items.slice(0, MAX_LISTED).map((i) => `  • ${line(i)}`), ...more];
}

const itemLine = (i: BatchItemFact) => `${actionWord(i.action)} ${i.name} (${i.accountId}/${i.region}): ${i.message ?? i.outcome ?? "no reason recorded"}`;

/** The batch's end as one notification. */
export function batchNotification(batch: BulkBatch, base: string | undefined): Notification {
  const counts = countBulkStates(batch.items);
  const url = base ? `${base}/fix/bulk/${batch.id}` : undefined;
  const facts: BatchFacts = {
    id: batch.id,
    action: batch.action,
    actor: batch.actor,
    startedAt: batch.startedAt,
    finishedAt: batch.finishedAt,
    counts,
    groups: groupsOf(batch),
    failed: batch.items.filter((i) => i.state === "failed").map(itemFact),
    refused: batch.items.filter((i) => i.state === "refused").map(itemFact),
    leftOut: batch.leftOut.map((l) => ({ reason: l.reason, count: l.count })),
    ...(url ? { url } : {}),
  };
  const title = `qbiz-readiness: bulk batch #${batch.id} ended: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.skipped} skipped`;
  const links = url ? [{ label: `Batch #${batch.id}`, url }] : [];
  const text = [
    `*${title}*`,
    `${bulkResultLine(batch.items)} (${batch.items.length} ${batch.items.length === 1 ? "resource" : "resources"}, by ${batch.actor}).`,
    ...facts.groups.map((g) => `  • ${groupLine(g)}`),
    ...listed("Failed", facts.failed, itemLine),
    ...listed("Refused by their plan", facts.refused, itemLine),
    ...listed("Left out of the batch", facts.leftOut, (l) => `${l.count}: ${l.reason}`),
    ...links.map((l) => `${l.label}: ${l.url}`),
  ].join("\n");
  return { text, title: title.slice(0, 100), event: "batch", batchId: batch.id, batch: facts, links };
}
