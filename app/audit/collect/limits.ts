/**
 * The collector's limits: concurrency slots (per target and overall, taken
 * in priority order) and each rate-limit bucket's pace, around every single request.
 */
import { bucketOf, type RatePacing } from "../../aws/clients";
import type { IamAction } from "../../aws/vocabulary";

// Requests waiting on a bucket's pace hold no slot, so slots only bound real requests in flight
// (and the memory they hold); the bench's large fleet ran ~6% faster at 64/16 than at 32/8.
export const DEFAULT_CONCURRENCY_PER_TARGET = 16;
export const DEFAULT_CONCURRENCY = 64;

/**
 * Data sources in progress per request slot of a target (each has a few requests in flight at most).
 * 64 per target by default: on the bench's large fleet the audit kept its speed and its peak RSS
 * fell from ~390 to ~310 MB (all 200 sources of a target at once held thousands of waiting requests).
 */
export const DATA_SOURCES_PER_SLOT = 4;

/**
 * Data sources in progress across the whole audit, per overall request slot:
 * 12, so 768 at the default 64, which is what 12 targets reach at their own
 * limit (the bench's large fleet is not held back). Beyond that the targets
 * share them, and what an audit holds in progress stops growing with the
 * number of targets: the xl fleet (48 targets) peaked at 276–284 MB with
 * 256–1024 of them and at 330 MB with no such bound (ADR 0017, "Applications
 * handed over").
 */
export const DATA_SOURCES_PER_GLOBAL_SLOT = 12;

/** A target's data-source slots: its own, each also taking one of the slots all targets share (so neither bound is exceeded). */
export function sharedDataSourceSlots(own: PriorityLimiter, shared: PriorityLimiter): PriorityLimiter {
  return (task, priority) => own(() => shared(task, priority), priority);
}

/**
 * The order requests take free slots in, most urgent first.
 *
 * The document scan is an audit's largest rate-limit bucket (a page per hundred
 * documents of every data source), and the sync jobs often the next: the audit
 * can end no earlier than their pace allows after their first request. So the
 * lists that lead to them (applications, their details and web experience
 * lists, which the index reads wait for, indices, data sources) go first, then
 * the reads of each data source (its details, sync jobs, document pages), then
 * the chains (a web experience, then its role, policies and simulation): a few
 * requests each, with the whole audit as slack, and a share of the slots so
 * they never starve (below). See ADR 0017.
 */
export const Priority = { Discovery: 0, DataSources: 1, Chains: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];
const PRIORITY_TIERS = Object.keys(Priority).length;

const PRIORITIES: ReadonlyMap<IamAction, Priority> = new Map<IamAction, Priority>([
  ["qbusiness:ListApplications", Priority.Discovery],
  ["qbusiness:GetApplication", Priority.Discovery],
  ["qbusiness:ListIndices", Priority.Discovery],
  ["qbusiness:ListWebExperiences", Priority.Discovery],
  ["qbusiness:ListDataSources", Priority.Discovery],
  ["qbusiness:GetDataSource", Priority.DataSources],
  ["qbusiness:ListDataSourceSyncJobs", Priority.DataSources],
  ["qbusiness:ListDocuments", Priority.DataSources],
]);

/** The priority of a request of `operation`: any operation not listed (IAM, web experiences) is a chain's. */
export function priorityOf(operation: IamAction): Priority {
  return PRIORITIES.get(operation) ?? Priority.Chains;
}

/**
 * Of the slots handed on while waiters of more than one priority wait, one in
 * this many goes to the most urgent waiter below the top one, so no priority
 * starves: a chain still moves while data sources' reads fill every slot.
 */
export const LOWER_PRIORITY_SHARE = 4;

/** A counting semaphore with FIFO queues by priority: a freed slot goes to the most urgent waiter (but for the share above). */
export type PriorityLimiter = <T>(task: () => Promise<T>, priority?: Priority) => Promise<T>;

export function createPriorityLimiter(limit: number, lowerShare = LOWER_PRIORITY_SHARE): PriorityLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`);
  if (!Number.isInteger(lowerShare) || lowerShare < 2) throw new Error(`the lower priorities' share must be an integer of 2 or more, got ${lowerShare}`);
  let running = 0;
  let contended = 0;
  const queues: (() => void)[][] = Array.from({ length: PRIORITY_TIERS }, () => []);
  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot exceed the limit.
  const release = () => {
    const top = queues.findIndex((queue) => queue.length > 0);
    if (top < 0) {
      running--;
      return;
    }
    const below = queues.findIndex((queue, i) => i > top && queue.length > 0);
    const queue = below > 0 && ++contended % lowerShare === 0 ? queues[below]! : queues[top]!;
    queue.shift()!();
  };
  return async (task, priority = Priority.Chains) => {
    if (running >= limit) await new Promise<void>((resolve) => queues[priority]!.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Run one request of `operation` within the pace of its bucket and the concurrency limits. */
export type PacedCall = <T>(operation: IamAction, task: () => Promise<T>) => Promise<T>;

/**
 * The paced call of one target. Both limits go around every single request (never
 * around a request that makes another), so no deadlock. The request first waits
 * for its own bucket's pace, holding no slot: a request held back by its
 * operation's rate limit never keeps another operation's request from going.
 */
export function pacedCall(options: { accountId: string; region: string; pacing: RatePacing; perTarget: PriorityLimiter; global: PriorityLimiter }): PacedCall {
  const { accountId, region, pacing, perTarget, global } = options;
  return async <T>(operation: IamAction, task: () => Promise<T>): Promise<T> => {
    const priority = priorityOf(operation);
    const bucket = bucketOf(accountId, region, operation);
    // Admitted again (holding no slot) when its bucket was paced while it waited for a slot.
    for (;;) {
      const stale = await pacing.admit(bucket);
      const outcome = await perTarget(() => global(async () => (stale() ? undefined : { value: await task() }), priority), priority);
      if (outcome) return outcome.value;
    }
  };
}
