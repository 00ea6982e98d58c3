/**
 * `npm run fix -- <full-sync|patch-role-policy> --bulk (--all | --application X) [--per-account N] [--overall N] [--yes]`
 * (scripts/fix.ts hands over here): every open finding the action fixes
 * (or those of one application) planned as one batch (ADR 0015), the plan
 * printed per action, account and region; with --yes it is applied here,
 * capped, and its results printed. Without --yes the batch stays planned:
 * it can be applied from the dashboard (/fix/bulk/<id>).
 */
import { applyBulkBatch, capFrom, createBulkBatch, getBulkBatch } from "./bulk";
import { ACTION_WORDS, groupBulkItems, type BulkAction, type BulkBatch } from "./bulk-summary";
import type { FixContext } from "./types";

export interface BulkCliOptions {
  action: BulkAction;
  actor: string;
  /** An application id or display name (as the findings filter takes it), or every finding (--all). */
  application?: string;
  perAccount?: string;
  overall?: string;
  yes: boolean;
  restoreMode: boolean;
}

/** A cap given on the command line: a whole number in range, else a usage error's message. */
export function cliCap(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = capFrom(value, -1, max);
  if (n < 0) throw new RangeError(`--${name} must be a whole number from 1 to ${max}, not "${value}".`);
  return n;
}

function printPlan(batch: BulkBatch, out: (line?: string) => void): void {
  out(`Batch #${batch.id}: ${ACTION_WORDS[batch.action as BulkAction] ?? batch.action}, at most ${batch.perAccount} per account and ${batch.overall} in all.`);
  for (const g of groupBulkItems(batch.items)) {
    const ready = g.byPlanStatus.ready ?? 0;
    const fixed = g.byPlanStatus["nothing-to-do"] ?? 0;
    const what = g.action === "full-sync" ? `${g.counts.dataSources} data sources, ${g.counts.documents} documents` : `${g.counts.roles} roles`;
    out(`  ${g.accountId} ${g.region}: ${what}; ${ready} to apply, ${fixed} already fixed, ${g.items - ready - fixed} not applicable`);
  }
  for (const l of batch.leftOut) out(`  left out: ${l.count} finding(s): ${l.reason}`);
}

function printResults(batch: BulkBatch, out: (line?: string) => void): void {
  for (const item of batch.items) {
    out(
      `  ${item.state.padEnd(9)} ${item.accountId} ${item.region} ${item.name}: ${item.message ?? item.planSummary}${item.activityId ? ` (activity #${item.activityId})` : ""}`,
    );
  }
  out(`Batch #${batch.id}: ${batch.message ?? batch.state}`);
}

/** Plan the batch, print it, and with --yes run it to its end. Exit code: 0 when nothing failed. */
export async function bulkFromCli(ctx: FixContext, options: BulkCliOptions, out: (line?: string) => void): Promise<number> {
  const filter = options.application ? `application=${encodeURIComponent(options.application)}` : "";
  const id = await createBulkBatch(ctx, {
    actor: options.actor,
    selection: { filter, choice: options.action },
    filter: { status: null, ...(options.application ? { application: options.application } : {}) },
    perAccount: cliCap(options.perAccount, "per-account", 20),
    overall: cliCap(options.overall, "overall", 100),
    restoreMode: options.restoreMode,
  });
  const planned = (await getBulkBatch(ctx.db, id))!;
  printPlan(planned, out);
  if (!planned.items.some((i) => i.state === "pending")) {
    out("Nothing to apply.");
    return 0;
  }
  if (!options.yes) {
    out(`Not applied: run again with --yes, or apply it from the dashboard at /fix/bulk/${id}.`);
    return 0;
  }
  const started = await applyBulkBatch(ctx, id, { actor: options.actor, confirmBatchHash: planned.batchHash });
  if (started.outcome !== "started" || !started.run) {
    out(started.message);
    return 1;
  }
  const done = (await started.run) ?? (await getBulkBatch(ctx.db, id))!;
  printResults(done, out);
  return done.items.some((i) => i.state === "failed") ? 1 : 0;
}
