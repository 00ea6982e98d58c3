/**
 * One action at a time per resource, across every process on the database
 * (dashboard replicas, CLIs): an in-process mark (two requests of one
 * process) plus a lease row in fix_locks. A lease lasts LEASE_MS and is
 * renewed while its holder runs; a holder that crashes (or loses its host)
 * stops renewing, so its lease ends within LEASE_MS and another process takes
 * over. On the holder's own host a dead process's lease is taken at once.
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import { lockHolder, releaseLock, renewLock, takeLock } from "../db/fix-locks";

const held = new Set<string>();
const PROCESS_HOLDER = `${os.hostname()}:${process.pid}`;

/** How long a lease lasts without renewal (QBR_LOCK_LEASE_SECONDS, default 30): how soon a crashed replica's work is taken over. */
export function leaseMs(): number {
  const seconds = Number(process.env.QBR_LOCK_LEASE_SECONDS);
  return Number.isFinite(seconds) && seconds >= 1 ? seconds * 1000 : 30_000;
}

export class ResourceBusyError extends Error {
  constructor(
    public readonly lockKey: string,
    public readonly holder: string,
    public readonly since: string,
  ) {
    super(`The same action is already running on this resource (since ${since}, by ${holder}).`);
    this.name = "ResourceBusyError";
  }
}

/** Whether a lock holder (host:pid:…) may still be running: another host always may; on this host, its process must exist. */
export function holderAlive(holder: string): boolean {
  const [host, pid] = holder.split(":");
  if (host !== os.hostname()) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Renew the lease every third of its length until released; a renewal that finds it lost says so once. */
function keepRenewed(db: Db, lockKey: string, holder: string, ms: number): () => void {
  const timer = setInterval(
    () => {
      renewLock(db, { lockKey, holder, expiresAt: new Date(Date.now() + ms).toISOString() }).then(
        (kept) => {
          if (!kept) {
            clearInterval(timer);
            console.error(`qbiz-readiness: the lease on ${lockKey} was lost (not renewed in time); another process may take it over.`);
          }
        },
        (error: unknown) => console.error(`qbiz-readiness: could not renew the lease on ${lockKey}: ${(error as Error).message}`),
      );
    },
    Math.max(250, Math.floor(ms / 3)),
  );
  // A held lease must not keep a finished CLI alive.
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Take the lock or throw ResourceBusyError. Returns the release function.
 * The in-process mark is set before the first await, so two applies of this
 * process cannot both pass the check; the row is taken in one write
 * transaction (../db/fix-locks.ts), so two processes cannot either.
 */
export async function acquireLock(db: Db, lockKey: string, options: { leaseMs?: number } = {}): Promise<() => Promise<void>> {
  if (held.has(lockKey)) {
    const row = await lockHolder(db, lockKey);
    throw new ResourceBusyError(lockKey, row?.holder ?? PROCESS_HOLDER, row?.acquiredAt ?? "now");
  }
  held.add(lockKey);
  const holder = `${PROCESS_HOLDER}:${randomUUID()}`;
  const ms = options.leaseMs ?? leaseMs();
  const now = new Date();
  try {
    const kept = await takeLock(db, {
      lockKey,
      holder,
      acquiredAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ms).toISOString(),
      stillHeld: (row) => Date.parse(row.expiresAt) > now.getTime() && holderAlive(row.holder),
    });
    if (kept) throw new ResourceBusyError(lockKey, kept.holder, kept.acquiredAt);
  } catch (error) {
    held.delete(lockKey);
    throw error;
  }
  const stopRenewing = keepRenewed(db, lockKey, holder, ms);
  return async () => {
    stopRenewing();
    held.delete(lockKey);
    await releaseLock(db, lockKey, holder);
  };
}

/**
 * Claim a one-off slot (e.g. one scheduled scan per interval) across
 * processes: true for exactly one claimer until `until`; the row is not
 * released, so later claimers of the same slot are refused until it ends.
 */
export async function claimSlot(db: Db, slotKey: string, until: Date): Promise<boolean> {
  const now = new Date();
  const kept = await takeLock(db, {
    lockKey: slotKey,
    holder: `${PROCESS_HOLDER}:${randomUUID()}`,
    acquiredAt: now.toISOString(),
    expiresAt: until.toISOString(),
    stillHeld: (row) => Date.parse(row.expiresAt) > now.getTime(),
  });
  return kept === undefined;
}
