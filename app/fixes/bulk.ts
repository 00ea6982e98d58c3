/**
 * Bulk fixes (issue 14 item 2, ADR 0015): many resources fixed in one batch,
 * each through its single-resource action (full-sync.ts, patch-role-policy.ts)
 * with its own plan, lock, activity entry, verification and re-audit.
 *
 *   createBulkBatch(ctx, { actor, selection, perAccount?, overall?, restoreMode? }) → batch id
 *       the selected findings (ids, or every one matching a findings filter) → one item per
 *       resource, each planned (read-only), stored as a "planned" batch (bulk_batches, migration 0010)
 *   getBulkBatch(db, id) → BulkBatch                     the batch and its items as stored
 *   applyBulkBatch(ctx, id, { actor, confirmBatchHash }) → { outcome, run? }
 *       planned → running, then runs it in the background (`run` resolves when it ends)
 *   runBulkBatch(ctx, id)                                 run (or resume) a running batch to its end
 *   resumeBulkBatches(ctx)                                at server start: every running batch no live process holds
 *
 * Concurrency: at most `perAccount` items in flight per account (default 3,
 * QBR_BULK_PER_ACCOUNT) and `overall` in all (default 10, QBR_BULK_OVERALL).
 * A full sync holds its account's slot until the sync has ended and its mode
 * is back, so a cap of 1 means never two of our syncs at once in one account.
 * One item's failure never stops the batch; an item already fixed when its
 * turn comes is skipped and says why. A batch sends one notification when it
 * ends (app/notify/batch-notify.ts); its items send none of their own.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/database";
import * as rows from "../db/bulk-batches";
import { lockHolder } from "../db/fix-locks";
import { exportFindingChunks, findingById, type FindingQuery } from "../db/findings";
import { latestAuditId } from "../audit/history";
import { notifyBatchEnd, runInBatch } from "../notify/batch-notify";
import { createLimiter, type Limiter } from "../util/concurrency";
import { getActivity, listActivity } from "./activity-log";
import { applyFullSync, planFullSync, verifyFullSync } from "./full-sync";
import { acquireLock, holderAlive, ResourceBusyError } from "./locks";
import { applyRolePolicyPatch, planRolePolicyPatch } from "./patch-role-policy";
import { closeOrphanedEntry, followTrackedSync, listTrackedSyncs, SyncAlreadyFinishedError } from "./tracked-syncs";
import type { BulkAction, BulkBatch, BulkChoice, BulkCounts, BulkItem, BulkItemState, BulkLeftOut, BulkSelection, BulkTarget } from "./bulk-summary";
import { bulkResultLine } from "./bulk-summary";
import type { ApplyResult, FixContext, FixPlan, ResourceRef } from "./types";

export const DEFAULT_PER_ACCOUNT = 3;
export const DEFAULT_OVERALL = 10;
/** The most a batch may hold; a bigger selection is refused with the count (narrow the filter). */
export const MAX_BATCH_ITEMS = 2_000;
/** Wait (fleet time) before following a sync again after losing track of it, and how often. */
const FOLLOW_WAIT_MS = 2_000;
const LOST_TRACK_TRIES = 5;
/** Wait (real time) between looks at a sync another follower has. */
const FOLLOW_PAUSE_MS = 200;

/** A cap from the environment or the form: a whole number from 1 to `max`, else the default (bad input is refused by the caller's schema). */
export function capFrom(value: string | number | undefined | null, fallback: number, max: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

/** The default caps: QBR_BULK_PER_ACCOUNT (1–20, default 3) and QBR_BULK_OVERALL (1–100, default 10). */
export function defaultCaps(): { perAccount: number; overall: number } {
  return {
    perAccount: capFrom(process.env.QBR_BULK_PER_ACCOUNT, DEFAULT_PER_ACCOUNT, 20),
    overall: capFrom(process.env.QBR_BULK_OVERALL, DEFAULT_OVERALL, 100),
  };
}

export class BulkInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BulkInputError";
  }
}

// ------------------------------------------------------------------ selection → targets

/** What a batch needs of a finding. */
interface SelectedFinding {
  id: number;
  status: string;
  remediation: string | null;
  accountId: string;
  region: string;
  applicationId: string | null;
  indexId: string | null;
  dataSourceId: string | null;
  roleArn: string | null;
}

/** The selected findings of the latest audit: the ticked ids, or every one the filter matches. */
async function selectedFindings(db: Db, selection: BulkSelection, filter: FindingQuery | null): Promise<SelectedFinding[]> {
  const auditId = await latestAuditId(db);
  if (auditId === undefined) throw new BulkInputError("There is no audit yet: scan first, then select findings.");
  if (filter) {
    const found: SelectedFinding[] = [];
    for await (const chunk of exportFindingChunks(db, auditId, filter)) found.push(...chunk.map((r) => ({ ...r, remediation: r.remediation })));
    return found;
  }
  const ids = [...new Set(selection.findingIds ?? [])];
  if (ids.length === 0) throw new BulkInputError("No finding was selected: tick the findings to fix, or choose all that match the filter.");
  const found: SelectedFinding[] = [];
  for (const id of ids) {
    const row = await findingById(db, id);
    if (!row || row.audit_id !== auditId) continue;
    found.push({
      id: row.id,
      status: row.status,
      remediation: row.remediation_action,
      accountId: row.account_id,
      region: row.region,
      applicationId: row.application_id,
      indexId: row.index_id,
      dataSourceId: row.data_source_id,
      roleArn: row.role_arn,
    });
  }
  if (found.length === 0)
    throw new BulkInputError(`None of the ${ids.length} selected findings is in the latest audit: a newer audit replaced them. Select them again.`);
  return found;
}

/** Why a finding gets no item of this batch, or its target. */
function targetOf(f: SelectedFinding, choice: BulkChoice): BulkTarget | { leftOut: string } {
  if (f.status === "pass") return { leftOut: "passes already: nothing to fix" };
  if (f.status !== "fail" && f.status !== "warn") return { leftOut: `status ${f.status}: the audit could not judge it, so it is not fixed blindly` };
  if (!f.remediation) return { leftOut: "no automatic fix: its manual steps are on its application's page" };
  if (f.remediation === "reupload-files") return { leftOut: "re-upload: its files are chosen on the index's own re-upload page" };
  if (choice !== "each" && f.remediation !== choice) return { leftOut: `calls for another fix (${f.remediation})` };
  if (f.remediation === "full-sync") {
    if (!f.applicationId || !f.indexId || !f.dataSourceId) return { leftOut: "names no data source" };
    const { accountId, region, applicationId, indexId, dataSourceId } = f;
    return { action: "full-sync", dataSource: { accountId, region, applicationId, indexId, dataSourceId } };
  }
  if (f.remediation === "patch-role-policy") {
    if (!f.roleArn) return { leftOut: "names no role" };
    return { action: "patch-role-policy", role: { accountId: f.accountId, roleArn: f.roleArn } };
  }
  return { leftOut: `no bulk action for ${f.remediation}` };
}

function targetKey(t: BulkTarget): string {
  return t.action === "full-sync"
    ? `full-sync|${t.dataSource.accountId}|${t.dataSource.region}|${t.dataSource.applicationId}|${t.dataSource.indexId}|${t.dataSource.dataSourceId}`
    : `patch-role-policy|${t.role.accountId}|${t.role.roleArn}`;
}

/** One target per resource (several findings on one data source give one full sync), and what is left out, by reason. */
export function targetsOfFindings(findings: readonly SelectedFinding[], choice: BulkChoice): { targets: BulkTarget[]; leftOut: BulkLeftOut[] } {
  const targets = new Map<string, BulkTarget>();
  const leftOut = new Map<string, BulkLeftOut>();
  for (const f of findings) {
    const t = targetOf(f, choice);
    if ("leftOut" in t) {
      const entry = leftOut.get(t.leftOut) ?? { reason: t.leftOut, count: 0, findingIds: [] };
      entry.count++;
      if (entry.findingIds.length < 20) entry.findingIds.push(f.id);
      leftOut.set(t.leftOut, entry);
    } else targets.set(targetKey(t), t);
  }
  return { targets: [...targets.values()], leftOut: [...leftOut.values()] };
}

// ------------------------------------------------------------------ plan

const accountOf = (t: BulkTarget) => (t.action === "full-sync" ? t.dataSource.accountId : t.role.accountId);

function planOf(ctx: FixContext, t: BulkTarget): Promise<FixPlan> {
  return t.action === "full-sync" ? planFullSync(ctx, t.dataSource) : planRolePolicyPatch(ctx, t.role);
}

function countsOf(plan: FixPlan): BulkCounts {
  if (plan.action === "full-sync") return { dataSources: 1, roles: 0, documents: plan.details.documentCount ?? 0, applications: 1 };
  return { dataSources: 0, roles: 1, documents: 0, applications: plan.applications.length };
}

/** The state an item starts in from its plan: ready → pending; already fixed → skipped; refused / unavailable → refused. */
function initialState(plan: FixPlan): { state: BulkItemState; message: string | null } {
  if (plan.status === "ready") return { state: "pending", message: null };
  if (plan.status === "nothing-to-do") return { state: "skipped", message: `Already fixed: ${plan.summary}` };
  return { state: "refused", message: plan.reasons[0] ?? plan.summary };
}

/** Per-account limiters inside one overall limiter: a task takes its account's slot, then one of the overall ones. */
function capped(perAccount: number, overall: number): (accountId: string, task: () => Promise<void>) => Promise<void> {
  const all = createLimiter(overall);
  const byAccount = new Map<string, Limiter>();
  return (accountId, task) => {
    let limiter = byAccount.get(accountId);
    if (!limiter) byAccount.set(accountId, (limiter = createLimiter(perAccount)));
    return limiter(() => all(task));
  };
}

export interface CreateBulkBatchInput {
  actor: string;
  selection: BulkSelection;
  /** The findings filter of `selection.filter`, parsed (the dashboard's findingQuery). */
  filter?: FindingQuery | null;
  perAccount?: number;
  overall?: number;
  /** Full syncs: put the incremental mode back afterwards (default true). */
  restoreMode?: boolean;
}

/** Plan every resource of the selection (read-only) and store the batch as planned; returns its id. */
export async function createBulkBatch(ctx: FixContext, input: CreateBulkBatchInput): Promise<number> {
  const caps = defaultCaps();
  const perAccount = input.perAccount ?? caps.perAccount;
  const overall = input.overall ?? caps.overall;
  const findings = await selectedFindings(ctx.db, input.selection, input.filter ?? null);
  const { targets, leftOut } = targetsOfFindings(findings, input.selection.choice);
  if (targets.length > MAX_BATCH_ITEMS) {
    throw new BulkInputError(
      `The selection covers ${targets.length} resources, more than ${MAX_BATCH_ITEMS} in one batch: narrow the filter (by account or check).`,
    );
  }
  const run = capped(perAccount, overall);
  const plans: FixPlan[] = new Array(targets.length);
  await Promise.all(targets.map((t, i) => run(accountOf(t), async () => void (plans[i] = await planOf(ctx, t)))));
  const actions = new Set(targets.map((t) => t.action));
  const now = ctx.now().toISOString();
  const items = targets.map((target, i) => itemRow(target, plans[i], i));
  return rows.insertBulkBatch(
    ctx.db,
    {
      action: actions.size === 1 ? [...actions][0] : actions.size === 0 ? String(input.selection.choice) : "mixed",
      actor: input.actor,
      created_at: now,
      state: "planned",
      per_account: perAccount,
      overall,
      selection: JSON.stringify(input.selection),
      options: JSON.stringify({ restoreMode: input.restoreMode ?? true }),
      left_out: JSON.stringify(leftOut),
      started_at: null,
      finished_at: null,
      message: null,
      updated_at: now,
    },
    items,
  );
}

function itemRow(target: BulkTarget, plan: FixPlan, position: number): rows.NewBulkBatchItem {
  const { state, message } = initialState(plan);
  const region = target.action === "full-sync" ? target.dataSource.region : "global";
  return {
    position,
    action: target.action,
    account_id: accountOf(target),
    region,
    resource: JSON.stringify(target.action === "full-sync" ? target.dataSource : target.role),
    name: plan.resource.name ?? (target.action === "full-sync" ? target.dataSource.dataSourceId : target.role.roleArn),
    plan_status: plan.status,
    plan_hash: plan.planHash,
    plan_summary: plan.summary,
    plan_counts: JSON.stringify(countsOf(plan)),
    state,
    outcome: null,
    message,
    activity_id: null,
    started_at: null,
    finished_at: null,
  };
}

// ------------------------------------------------------------------ read

function toItem(r: rows.BulkBatchItemRow): BulkItem {
  const resource = JSON.parse(r.resource);
  const action = r.action as BulkAction;
  return {
    id: r.id,
    position: r.position,
    action,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    target: action === "full-sync" ? { action, dataSource: resource } : { action, role: resource },
    planStatus: r.plan_status,
    planHash: r.plan_hash,
    planSummary: r.plan_summary,
    counts: JSON.parse(r.plan_counts) as BulkCounts,
    state: r.state as BulkItemState,
    outcome: r.outcome,
    message: r.message,
    activityId: r.activity_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** What the operator confirms: every item's plan hash, the caps and the options. */
export function batchHashOf(batch: { perAccount: number; overall: number; restoreMode: boolean; items: { planHash: string }[] }): string {
  const text = JSON.stringify([batch.perAccount, batch.overall, batch.restoreMode, batch.items.map((i) => i.planHash)]);
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A batch's own row, read back: everything but its items and hash. */
function batchOfRow(row: rows.BulkBatchRow): Omit<BulkBatch, "items" | "batchHash"> {
  return {
    id: row.id,
    action: row.action as BulkBatch["action"],
    actor: row.actor,
    createdAt: row.created_at,
    state: row.state as BulkBatch["state"],
    perAccount: row.per_account,
    overall: row.overall,
    selection: JSON.parse(row.selection) as BulkSelection,
    restoreMode: (JSON.parse(row.options) as { restoreMode?: boolean }).restoreMode ?? true,
    leftOut: JSON.parse(row.left_out) as BulkLeftOut[],
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    message: row.message,
  };
}

export async function getBulkBatch(db: Db, id: number): Promise<BulkBatch | undefined> {
  const row = await rows.bulkBatchRow(db, id);
  if (!row) return undefined;
  const base = { ...batchOfRow(row), items: (await rows.bulkBatchItemRows(db, id)).map(toItem) };
  return { ...base, batchHash: batchHashOf(base) };
}

export async function listBulkBatches(db: Db, limit = 20): Promise<Omit<BulkBatch, "items" | "batchHash">[]> {
  return (await rows.recentBulkBatchRows(db, limit)).map(batchOfRow);
}

// ------------------------------------------------------------------ apply

export type BulkApplyOutcome = "started" | "stale-plan" | "not-planned" | "not-found";

/**
 * Start a planned batch the operator confirmed by its hash: it becomes
 * running and runs in the background (`run` resolves when it has ended).
 */
export async function applyBulkBatch(
  ctx: FixContext,
  id: number,
  options: { actor: string; confirmBatchHash: string; /** false: only mark it running, for another process to run (default true). */ run?: boolean },
): Promise<{ outcome: BulkApplyOutcome; message: string; run?: Promise<BulkBatch | undefined> }> {
  const batch = await getBulkBatch(ctx.db, id);
  if (!batch) return { outcome: "not-found", message: `There is no batch #${id}.` };
  if (batch.state !== "planned") return { outcome: "not-planned", message: `Batch #${id} is ${batch.state}: it was applied already.` };
  if (batch.batchHash !== options.confirmBatchHash) {
    return { outcome: "stale-plan", message: "The batch's plan is not the one confirmed; nothing was changed. Review the plan and confirm it." };
  }
  const now = ctx.now().toISOString();
  const moved = await rows.moveBulkBatchState(ctx.db, id, "planned", { state: "running", actor: options.actor, started_at: now, updated_at: now });
  if (!moved) return { outcome: "not-planned", message: `Batch #${id} was applied by someone else meanwhile.` };
  if (options.run === false) return { outcome: "started", message: `Batch #${id} is to run.` };
  const run = runBulkBatch(ctx, id);
  run.catch((error: unknown) => console.error(`qbiz-readiness: bulk batch #${id} stopped:`, error));
  return { outcome: "started", message: `Batch #${id} started.`, run };
}

/**
 * Run a running batch to its end: pending items are applied, items a
 * stopped process left running are followed to their end (resumed). Holds
 * the batch's lease, so two processes never run one batch; undefined when
 * another live process holds it.
 */
export async function runBulkBatch(ctx: FixContext, id: number): Promise<BulkBatch | undefined> {
  let release: () => Promise<void>;
  try {
    release = await acquireLock(ctx.db, `bulk-batch|${id}`);
  } catch (error) {
    if (error instanceof ResourceBusyError) return undefined;
    throw error;
  }
  let ended: BulkBatch | undefined;
  try {
    const batch = await getBulkBatch(ctx.db, id);
    if (!batch || batch.state !== "running") return batch;
    const run = capped(batch.perAccount, batch.overall);
    const open = batch.items.filter((i) => i.state === "pending" || i.state === "running");
    // Its items' fixes send no notification of their own: the batch sends one when it ends (app/notify/batch-notify.ts).
    await Promise.all(open.map((item) => run(item.accountId, () => runInBatch(id, () => runItemSafely(ctx, batch, item)))));
    const done = (await getBulkBatch(ctx.db, id))!;
    const now = ctx.now().toISOString();
    const change = { state: "done", finished_at: now, updated_at: now, message: bulkResultLine(done.items) };
    // Only the process that moves it to done tells it: one message per batch, however often it was resumed.
    if (await rows.moveBulkBatchState(ctx.db, id, "running", change)) ended = await getBulkBatch(ctx.db, id);
    return ended ?? (await getBulkBatch(ctx.db, id));
  } finally {
    await release();
    if (ended) await notifyBatchEnd(ctx.db, ended);
  }
}

/** Every running batch no live process holds (a restart): resumed in this process. Returns their ids. */
export async function resumeBulkBatches(ctx: FixContext): Promise<number[]> {
  const resumed: number[] = [];
  await Promise.all(
    (await rows.unfinishedBulkBatchRows(ctx.db)).map(async (row) => {
      if (await runBulkBatch(ctx, row.id)) resumed.push(row.id);
    }),
  );
  return resumed;
}

/** One item; whatever goes wrong is the item's failure, never the batch's. */
async function runItemSafely(ctx: FixContext, batch: BulkBatch, item: BulkItem): Promise<void> {
  try {
    await runItem(ctx, batch, item);
  } catch (error) {
    await finishItem(ctx, item, { state: "failed", outcome: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}

async function finishItem(
  ctx: FixContext,
  item: BulkItem,
  end: { state: BulkItemState; outcome: string; message: string; activityId?: number },
): Promise<void> {
  await rows.updateBulkBatchItemRow(ctx.db, item.id, {
    state: end.state,
    outcome: end.outcome,
    message: end.message,
    finished_at: ctx.now().toISOString(),
    ...(end.activityId !== undefined ? { activity_id: end.activityId } : {}),
  });
}

async function runItem(ctx: FixContext, batch: BulkBatch, item: BulkItem): Promise<void> {
  if (item.state === "running") {
    const activityId = item.activityId ?? (await adoptActivity(ctx, batch, item));
    if (activityId !== undefined) return finishFromActivity(ctx, item, activityId);
    // Nothing of it was recorded: it never started; apply it now.
  }
  await rows.updateBulkBatchItemRow(ctx.db, item.id, { state: "running", started_at: ctx.now().toISOString() });
  if (item.target.action === "patch-role-policy") {
    const result = await applyRolePolicyPatch(ctx, item.target.role, { actor: batch.actor, confirmPlanHash: item.planHash });
    return finishItem(ctx, item, { ...endOf(result), ...(result.activityId !== undefined ? { activityId: result.activityId } : {}) });
  }
  const ref = item.target.dataSource;
  const fixed = await verifyFullSync(ctx, ref).catch(() => undefined);
  if (fixed?.ok) return finishItem(ctx, item, { state: "skipped", outcome: "nothing-to-do", message: `Already fixed: ${fixed.message}` });
  const result = await applyFullSync(ctx, ref, {
    actor: batch.actor,
    confirmPlanHash: item.planHash,
    wait: false,
    followInBackground: false,
    restoreMode: batch.restoreMode,
  });
  if (result.activityId === undefined || result.outcome !== "started") {
    return finishItem(ctx, item, { ...endOf(result), ...(result.activityId !== undefined ? { activityId: result.activityId } : {}) });
  }
  await rows.updateBulkBatchItemRow(ctx.db, item.id, { activity_id: result.activityId, message: result.message });
  return finishFromActivity(ctx, item, result.activityId);
}

/** An apply's result as the item's end: nothing-to-do is "already fixed"; anything but success is a failure, with its message. */
function endOf(result: ApplyResult): { state: BulkItemState; outcome: string; message: string } {
  if (result.outcome === "succeeded") return { state: "succeeded", outcome: result.outcome, message: result.message };
  if (result.outcome === "nothing-to-do") return { state: "skipped", outcome: result.outcome, message: `Already fixed: ${result.message}` };
  const notDone = result.notDone.length > 0 ? ` Not done: ${result.notDone.join("; ")}.` : "";
  return { state: "failed", outcome: result.outcome, message: `${result.message}${notDone}` };
}

/** Is the activity log's resource this target's? */
function sameResourceRef(r: ResourceRef, t: BulkTarget): boolean {
  if (t.action === "patch-role-policy") return r.type === "role" && r.accountId === t.role.accountId && r.roleArn === t.role.roleArn;
  const d = t.dataSource;
  return r.type === "data-source" && r.accountId === d.accountId && r.region === d.region && r.indexId === d.indexId && r.dataSourceId === d.dataSourceId;
}

/**
 * The item's activity entry, when a stopped process recorded one but not its
 * id on the item: the newest entry of this action on this resource, by the
 * batch's actor, since the item started.
 */
async function adoptActivity(ctx: FixContext, batch: BulkBatch, item: BulkItem): Promise<number | undefined> {
  const since = Date.parse(item.startedAt ?? batch.startedAt ?? batch.createdAt);
  const entries = await listActivity(ctx.db, { action: item.action, accountId: item.accountId, actor: batch.actor });
  const found = entries.find((e) => Date.parse(e.startedAt) >= since && e.resources.some((r) => sameResourceRef(r, item.target)));
  if (found) await rows.updateBulkBatchItemRow(ctx.db, item.id, { activity_id: found.id });
  return found?.id;
}

/** Real time (not the fleet's clock): waiting for another follower of a sync, which runs in real time. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether someone holds an unexpired follow lease of any of these syncs (a dead holder's runs out within the lease). */
async function followedByOthers(ctx: FixContext, syncIds: number[]): Promise<boolean> {
  const holders = await Promise.all(syncIds.map((id) => lockHolder(ctx.db, `follow-sync|${id}`)));
  return holders.some((holder) => holder !== undefined && Date.parse(holder.expiresAt) > Date.now() && holderAlive(holder.holder));
}

/**
 * Follow the entry's syncs to their end (holding the account's slot), then
 * end the item as the entry ended. A sync another follower has (the
 * tracked-sync resume at start, a replica) is waited for until its last
 * event is written; an entry a stopped process left half-way says so.
 */
async function finishFromActivity(ctx: FixContext, item: BulkItem, activityId: number): Promise<void> {
  let lostTrack = 0;
  for (;;) {
    const syncs = await listTrackedSyncs(ctx.db, { activityId });
    const open = syncs.filter((t) => t.state === "starting" || t.state === "following" || t.state === "restoring");
    const entry = await getActivity(ctx.db, activityId);
    const unsettled = entry && (entry.status === "running" || entry.status === "started");
    if (
      open.length === 0 &&
      !(
        unsettled &&
        (await followedByOthers(
          ctx,
          syncs.map((t) => t.id),
        ))
      )
    )
      break;
    if (open.length === 0) {
      await pause(FOLLOW_PAUSE_MS);
      continue;
    }
    try {
      const followed = await followTrackedSync(ctx, open[0]);
      // Lost track (AWS unreachable): the sync stays tracked; try a few times, then leave it to the next resume.
      if (followed.tracked.state === "starting" || followed.tracked.state === "following" || followed.tracked.state === "restoring") {
        if (++lostTrack >= LOST_TRACK_TRIES) break;
        await ctx.sleep(FOLLOW_WAIT_MS);
      }
    } catch (error) {
      if (!(error instanceof ResourceBusyError) && !(error instanceof SyncAlreadyFinishedError)) throw error;
      if (error instanceof ResourceBusyError) await pause(FOLLOW_PAUSE_MS);
    }
  }
  const entry = await closeOrphanedEntry(ctx, activityId);
  const status = entry?.status ?? "failed";
  const message = entry?.message ?? `Activity #${activityId} is missing.`;
  if (status === "succeeded") return finishItem(ctx, item, { state: "succeeded", outcome: status, message, activityId });
  if (status === "running" || status === "started") {
    return finishItem(ctx, item, {
      state: "failed",
      outcome: "interrupted",
      message: `Interrupted by a restart while it was being applied; activity #${activityId} shows how far it got. Plan it again to finish it.`,
      activityId,
    });
  }
  return finishItem(ctx, item, { state: "failed", outcome: status, message, activityId });
}
