/**
 * The collector's limits: concurrency slots (per target and overall, urgent
 * requests first) and each rate-limit bucket's pace, around every single request.
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
 * The operations that make up the bulk of an audit's requests (a few per data
 * source, a page per hundred documents) and lead to nothing else. Every other
 * request (applications, indices, data source lists, web experiences, IAM)
 * opens further requests, so it goes first: the long chains (web experience →
 * role → policies → simulation) start early instead of after the bulk.
 */
const BULK_OPERATIONS: ReadonlySet<IamAction> = new Set(["qbusiness:ListDocuments", "qbusiness:ListDataSourceSyncJobs", "qbusiness:GetDataSource"]);

/** A counting semaphore with two FIFO queues: urgent tasks take a free slot before any other. */
export type PriorityLimiter = <T>(task: () => Promise<T>, urgent?: boolean) => Promise<T>;

export function createPriorityLimiter(limit: number): PriorityLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`);
  let running = 0;
  const urgentQueue: (() => void)[] = [];
  const queue: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot exceed the limit.
  const release = () => {
    const next = urgentQueue.shift() ?? queue.shift();
    if (next) next();
    else running--;
  };
  return async (task, urgent = false) => {
    if (running >= limit) await new Promise<void>((resolve) => (urgent ? urgentQueue : queue).push(resolve));
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
  return (operation, task) => {
    const urgent = !BULK_OPERATIONS.has(operation);
    return pacing.admit(bucketOf(accountId, region, operation)).then((ready) => perTarget(() => global(() => ready().then(task), urgent), urgent));
  };
}
