/**
 * The workers' leases, rows of fix_locks like every other lease (ADR 0011):
 * a worker holds one per target it reads (its heartbeat: renewed while it
 * works, lost when it dies) and one of an account's slots, so at most
 * QBR_WORKER_ACCOUNT_CONCURRENCY targets of one account are read at once
 * across every worker.
 */
import type { Db } from "../db/database";
import { acquireLock, ResourceBusyError } from "../fixes/locks";

export const targetLeaseKey = (jobId: string) => `scan-target|${jobId}`;

/** Targets of one account read at once across all workers (default 4: an account's regions together, as one process reads them). */
export function accountConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.QBR_WORKER_ACCOUNT_CONCURRENCY;
  if (raw === undefined || raw === "") return 4;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`QBR_WORKER_ACCOUNT_CONCURRENCY must be a whole number from 1 to 64, not "${raw}".`);
  return n;
}

/** The lease, or null when someone holds it. */
export async function tryLease(db: Db, key: string): Promise<(() => Promise<void>) | null> {
  try {
    return await acquireLock(db, key);
  } catch (error) {
    if (error instanceof ResourceBusyError) return null;
    throw error;
  }
}

/** Wait for one of the account's slots; returns its release. */
export async function takeAccountSlot(db: Db, accountId: string, slots: number, pollMs = 250): Promise<() => Promise<void>> {
  for (;;) {
    for (let i = 0; i < slots; i++) {
      const release = await tryLease(db, `scan-account|${accountId}|${i}`);
      if (release) return release;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs + Math.random() * pollMs));
  }
}

/**
 * Has the worker that took this target stopped? True when its lease can be
 * taken (expired, or its process is gone on this host): the caller then
 * gives the target back to the queue.
 */
export async function targetAbandoned(db: Db, jobId: string): Promise<boolean> {
  const release = await tryLease(db, targetLeaseKey(jobId));
  if (!release) return false;
  await release();
  return true;
}
