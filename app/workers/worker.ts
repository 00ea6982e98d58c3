/**
 * A scan worker (`npm run worker`, ADR 0016): takes targets from the queue as
 * it has room (QBR_WORKER_CONCURRENCY at a time), holds a lease on each while
 * it reads it (a worker that dies loses it and the enqueuer gives the target
 * back to the queue), waits for one of the target account's slots, reads the
 * target and completes the job with the outcome as its output.
 */
import os from "node:os";
import type PgBoss from "pg-boss";
import { openDatabase, type Db } from "../db/database";
import { accountConcurrency, takeAccountSlot, targetLeaseKey, tryLease } from "./leases";
import { startQueue, TARGET_QUEUE, type TargetJob } from "./queue";
import { auditTarget } from "./target";

export interface WorkerEvent {
  event: "started" | "target-started" | "target-done" | "target-failed" | "stopped";
  worker: string;
  target?: string;
  jobId?: string;
  message?: string;
}

export interface WorkerOptions {
  databaseUrl: string;
  /** Targets read at once by this worker (QBR_WORKER_CONCURRENCY, default 4). */
  concurrency?: number;
  /** Targets of one account at once across all workers (QBR_WORKER_ACCOUNT_CONCURRENCY, default 4). */
  accountConcurrency?: number;
  onEvent?: (event: WorkerEvent) => void;
}

export interface RunningWorker {
  id: string;
  stop(): Promise<void>;
}

export function workerConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.QBR_WORKER_CONCURRENCY;
  if (raw === undefined || raw === "") return 4;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`QBR_WORKER_CONCURRENCY must be a whole number from 1 to 64, not "${raw}".`);
  return n;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One job: lease, account slot, read, complete; the lease is let go only after the job is complete. */
async function runJob(db: Db, boss: PgBoss, job: PgBoss.Job<TargetJob>, o: { id: string; slots: number; say: (e: Omit<WorkerEvent, "worker">) => void }) {
  const target = `${job.data.target.accountId}/${job.data.target.region}`;
  const lease = await tryLease(db, targetLeaseKey(job.id));
  if (!lease) return; // another worker still holds it (this is a retry of a target it is reading): leave it to that one
  try {
    const slot = await takeAccountSlot(db, job.data.target.accountId, o.slots);
    try {
      o.say({ event: "target-started", target, jobId: job.id });
      const outcome = await auditTarget(db, job.data, o.id);
      await boss.complete(TARGET_QUEUE, job.id, outcome as unknown as object);
      o.say({ event: "target-done", target, jobId: job.id });
    } finally {
      await slot();
    }
  } catch (error) {
    o.say({ event: "target-failed", target, jobId: job.id, message: (error as Error).message });
    await boss.fail(TARGET_QUEUE, job.id, { message: (error as Error).message }).catch(() => undefined);
  } finally {
    await lease();
  }
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const id = `${os.hostname()}:${process.pid}`;
  const say = (e: Omit<WorkerEvent, "worker">) => options.onEvent?.({ ...e, worker: id });
  const concurrency = options.concurrency ?? workerConcurrency();
  const slots = options.accountConcurrency ?? accountConcurrency();
  const db = await openDatabase(options.databaseUrl, { poolSize: concurrency + 4 });
  let boss: PgBoss;
  try {
    boss = await startQueue(options.databaseUrl, { supervise: true, poolSize: concurrency + 2 });
  } catch (error) {
    await db.close();
    throw error;
  }
  let stopping = false;
  const loop = async () => {
    while (!stopping) {
      let jobs: PgBoss.Job<TargetJob>[] = [];
      try {
        jobs = await boss.fetch<TargetJob>(TARGET_QUEUE, { batchSize: 1 });
      } catch (error) {
        console.error(`qbiz-readiness worker: cannot take work from the queue: ${(error as Error).message}`);
        await pause(2000);
        continue;
      }
      if (jobs.length === 0) await pause(300 + Math.random() * 200);
      for (const job of jobs) await runJob(db, boss, job, { id, slots, say });
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  say({ event: "started" });
  return {
    id,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await boss.stop({ graceful: true, wait: true });
      await db.close();
      say({ event: "stopped" });
    },
  };
}
