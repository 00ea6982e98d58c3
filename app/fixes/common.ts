/**
 * What every action shares: the plan hash, AWS calls that keep their request
 * ids and turn AccessDenied into a named missing permission, and the safe
 * apply sequence (lock, re-plan, compare hashes, record, run, re-audit).
 */
import { createHash } from "node:crypto";
import { awsErrorInfo } from "../aws/clients";
import { assertDatabaseWritable, DatabaseUnavailableError } from "../db/health";
import { appendActivityEvent, recordActivity, resourceKey } from "./activity-log";
import { acquireLock, ResourceBusyError } from "./locks";
import { isAccessDenied } from "./permissions";
import { reauditApplications } from "./reaudit";
import type { ActivityStatus, ApplyOptions, ApplyOutcome, ApplyResult, FixContext, FixPlan, PlanBase, ReauditResult, Verification } from "./types";

/** JSON with object keys sorted, so equal content hashes equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The hash of what a plan shows (everything but its hash and when it was made). */
export function hashPlan(plan: Omit<PlanBase, "planHash" | "plannedAt"> & { details: unknown }): string {
  const { planHash: _h, plannedAt: _p, ...shown } = plan as PlanBase & { details: unknown };
  return createHash("sha256").update(stableJson(shown)).digest("hex").slice(0, 16);
}

/** Finish a plan: its hash and time. */
export function sealPlan<P extends FixPlan>(ctx: FixContext, plan: Omit<P, "planHash" | "plannedAt">): P {
  return { ...plan, planHash: hashPlan(plan as P), plannedAt: ctx.now().toISOString() } as P;
}

/** AWS denied this permission (the plan shows the action unavailable and names it). */
export class PermissionDenied extends Error {
  constructor(
    public readonly permission: string,
    public readonly awsMessage: string,
  ) {
    super(`AWS denied ${permission}: ${awsMessage}`);
    this.name = "PermissionDenied";
  }
}

/** A failed AWS call with the operation named. */
export class AwsCallError extends Error {
  constructor(
    public readonly permission: string,
    public readonly code: string,
    message: string,
    public readonly requestId?: string,
  ) {
    super(`${permission} failed: ${code}: ${message}`);
    this.name = "AwsCallError";
  }
}

/** Any SDK client: what its send takes is checked where the command is built, not here. */
interface Sendable {
  send(command: never): Promise<unknown>;
}

/** Calls made by one plan or apply: their request ids, in order. */
export class AwsCalls {
  readonly requestIds: string[] = [];

  /** Send a command; `permission` is the IAM action it needs ("iam:PutRolePolicy"). */
  send<O>(client: Sendable, command: { input: unknown }, permission: string): Promise<O> {
    return this.run(permission, () => client.send(command as never) as Promise<O>);
  }

  /** Make one request; AccessDenied becomes PermissionDenied naming `permission`, any other error an AwsCallError. */
  async run<O>(permission: string, request: () => Promise<O>): Promise<O> {
    try {
      return await this.track(request);
    } catch (error) {
      const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
      if (isAccessDenied(error)) throw new PermissionDenied(permission, awsErrorInfo(error).message);
      const info = awsErrorInfo(error);
      const wrapped = new AwsCallError(permission, info.code, info.message, requestId);
      (wrapped as { cause?: unknown }).cause = error;
      throw wrapped;
    }
  }

  /** Make one request, keeping its request id; errors pass as AWS sent them (for readers that record them, like the role reader). */
  async track<O>(request: () => Promise<O>): Promise<O> {
    try {
      const output = (await request()) as O & { $metadata?: { requestId?: string } };
      if (output?.$metadata?.requestId) this.requestIds.push(output.$metadata.requestId);
      return output;
    } catch (error) {
      const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
      if (requestId) this.requestIds.push(requestId);
      throw error;
    }
  }
}

/** The AWS error code behind an AwsCallError (or the error's name). */
export function errorCode(error: unknown): string {
  if (error instanceof AwsCallError) return error.code;
  return awsErrorInfo(error).code;
}

/** What an action's run step reports. */
export interface RunOutcome {
  outcome: ApplyOutcome;
  message: string;
  done: string[];
  notDone: string[];
  verification?: Verification;
  /** Re-audit the plan's applications afterwards (default: when something was done). */
  reaudit?: boolean;
  /** The re-audit the run made itself (a followed sync). */
  reauditResult?: ReauditResult;
  data?: Record<string, unknown>;
}

/** One action's apply, as applySafely runs it. */
export interface SafeApply<P extends FixPlan> {
  options: ApplyOptions;
  resource: P["resource"];
  action: P["action"];
  /** The plan again, fresh (its hash must equal the one the user confirmed). */
  replan: () => Promise<P>;
  /** The changes themselves, once the activity is recorded. */
  run: (plan: P, activityId: number, calls: AwsCalls) => Promise<RunOutcome>;
  /** What a rollback needs to undo the run, kept with the activity. */
  rollbackData?: (plan: P) => Record<string, unknown> | undefined;
  /** The activity this apply rolls back. */
  rollbackOf?: number;
}

/**
 * The safe apply sequence shared by every action:
 * lock the resource (busy → nothing done), re-plan, refuse a plan whose hash
 * changed since it was shown (stale-plan, with the new plan), record the
 * activity, run, record the outcome, re-audit the affected applications.
 */
export async function applySafely<P extends FixPlan>(ctx: FixContext, apply: SafeApply<P>): Promise<ApplyResult<P>> {
  const { options, resource, action, replan, run } = apply;
  const lockKey = `${action}|${resourceKey(resource)}`;
  // Before anything else: an apply whose record (and rollback data) would be lost is not started.
  const unwritable = databaseProblem(ctx);
  if (unwritable) return refusedForDatabase(unwritable, await replan());
  let release: () => Promise<void>;
  try {
    release = await acquireLock(ctx.db, lockKey);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return refusedForDatabase(error.message, await replan());
    if (!(error instanceof ResourceBusyError)) throw error;
    const plan = await replan();
    return { outcome: "busy", message: error.message, plan, done: [], notDone: ["nothing was changed"], requestIds: [] };
  }
  try {
    const plan = await replan();
    if (plan.planHash !== options.confirmPlanHash) {
      return {
        outcome: "stale-plan",
        message: "The plan changed since it was shown; nothing was changed. Review the new plan and confirm it.",
        plan,
        done: [],
        notDone: ["nothing was changed"],
        requestIds: [],
      };
    }
    if (plan.status !== "ready") {
      const outcome: ApplyOutcome = plan.status;
      return { outcome, message: plan.summary, plan, done: [], notDone: ["nothing was changed"], requestIds: [] };
    }
    let activityId: number;
    try {
      activityId = await recordActivity(ctx.db, {
        action,
        actor: options.actor,
        at: ctx.now(),
        resources: [resource],
        plan,
        rollbackData: apply.rollbackData?.(plan),
        rollbackOf: apply.rollbackOf,
      });
    } catch (error) {
      // Full disk, read-only file: nothing was done, and the reason names the file.
      if (error instanceof DatabaseUnavailableError) return refusedForDatabase(error.message, plan);
      throw error;
    }
    return await runRecorded(ctx, { plan, activityId, run });
  } finally {
    await release();
  }
}

/** Run a recorded apply, record its outcome, and re-audit what it changed. */
async function runRecorded<P extends FixPlan>(ctx: FixContext, step: { plan: P; activityId: number; run: SafeApply<P>["run"] }): Promise<ApplyResult<P>> {
  const { plan, activityId } = step;
  const calls = new AwsCalls();
  let result: RunOutcome;
  try {
    result = await step.run(plan, activityId, calls);
  } catch (error) {
    // run() reports its own half-way failures; this is an unexpected one before any change.
    result = {
      outcome: "failed",
      message: error instanceof Error ? error.message : String(error),
      done: [],
      notDone: ["the action did not complete; see the message"],
    };
  }
  await appendActivityEvent(ctx.db, activityId, {
    at: ctx.now(),
    status: result.outcome as ActivityStatus,
    message: result.message,
    requestIds: calls.requestIds,
    data: { done: result.done, notDone: result.notDone, ...(result.verification ? { verification: result.verification } : {}), ...result.data },
  });
  let reaudit: ApplyResult["reaudit"] = result.reauditResult;
  if (!reaudit && (result.reaudit ?? result.done.length > 0)) {
    try {
      reaudit = await reauditApplications(ctx, plan.applications, { activityId });
    } catch (error) {
      await appendActivityEvent(ctx.db, activityId, {
        at: ctx.now(),
        status: result.outcome as ActivityStatus,
        message: `Re-audit after the action failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  const { reaudit: _r, reauditResult: _rr, data: _d, ...shown } = result;
  return { ...shown, plan, activityId, requestIds: calls.requestIds, ...(reaudit ? { reaudit } : {}) };
}

/** Why the database cannot take this apply's record (deleted, replaced, read-only), or undefined. */
function databaseProblem(ctx: FixContext): string | undefined {
  try {
    assertDatabaseWritable(ctx.db);
    return undefined;
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return error.message;
    throw error;
  }
}

function refusedForDatabase<P extends FixPlan>(reason: string, plan: P): ApplyResult<P> {
  return { outcome: "refused", message: reason, plan, done: [], notDone: ["nothing was changed"], requestIds: [] };
}

/** Steps of a multi-step apply, so a half-way failure says exactly what was and was not done. */
export class Steps {
  readonly done: string[] = [];
  constructor(private readonly planned: string[]) {}
  complete(step: string): void {
    this.done.push(step);
  }
  notDone(): string[] {
    return this.planned.filter((s) => !this.done.includes(s));
  }
}

/** Line diff of two pretty-printed JSON documents (LCS), "+ ", "- ", "  " prefixed. */
export function jsonLineDiff(before: unknown | null, after: unknown | null): string[] {
  const a = before === null || before === undefined ? [] : JSON.stringify(before, null, 2).split("\n");
  const b = after === null || after === undefined ? [] : JSON.stringify(after, null, 2).split("\n");
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  while (i < n) out.push(`- ${a[i++]}`);
  while (j < m) out.push(`+ ${b[j++]}`);
  return out;
}
