/**
 * One action at a time per resource: an in-process lock (two requests of one
 * server) plus a database row (a CLI and the dashboard, two processes). A row
 * whose holder process is gone, or that has expired, is taken over.
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import { lockHolder, releaseLock, takeLock } from "../db/fix-locks";

const held = new Set<string>();
const PROCESS_HOLDER = `${os.hostname()}:${process.pid}`;
/** A lock not released after this long (a crashed holder on another host) is taken over. */
const LOCK_TTL_MS = 60 * 60 * 1000;

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

function holderAlive(holder: string): boolean {
  const [host, pid] = holder.split(":");
  if (host !== os.hostname()) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take the lock or throw ResourceBusyError. Returns the release function.
 * The in-process mark is set before the first await, so two applies of this
 * process cannot both pass the check; the row is taken in one write
 * transaction (../db/fix-locks.ts), so two processes cannot either.
 */
export async function acquireLock(db: Db, lockKey: string): Promise<() => Promise<void>> {
  if (held.has(lockKey)) {
    const row = await lockHolder(db, lockKey);
    throw new ResourceBusyError(lockKey, row?.holder ?? PROCESS_HOLDER, row?.acquiredAt ?? "now");
  }
  held.add(lockKey);
  const holder = `${PROCESS_HOLDER}:${randomUUID()}`;
  const now = new Date();
  try {
    const kept = await takeLock(db, {
      lockKey,
      holder,
      acquiredAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + LOCK_TTL_MS).toISOString(),
      stillHeld: (row) => Date.parse(row.expiresAt) > now.getTime() && holderAlive(row.holder),
    });
    if (kept) throw new ResourceBusyError(lockKey, kept.holder, kept.acquiredAt);
  } catch (error) {
    held.delete(lockKey);
    throw error;
  }
  return async () => {
    held.delete(lockKey);
    await releaseLock(db, lockKey, holder);
  };
}
