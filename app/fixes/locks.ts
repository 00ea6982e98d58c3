/**
 * One action at a time per resource: an in-process lock (two requests of one
 * server) plus a SQLite row (a CLI and the dashboard, two processes). A row
 * whose holder process is gone, or that has expired, is taken over.
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";

const held = new Set<string>();
const PROCESS_HOLDER = `${os.hostname()}:${process.pid}`;
/** A lock not released after this long (a crashed holder on another host) is taken over. */
const LOCK_TTL_MS = 60 * 60 * 1000;

export class ResourceBusyError extends Error {
  constructor(public readonly lockKey: string, public readonly holder: string, public readonly since: string) {
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
 * Synchronous on purpose: the check and the take cannot interleave with another apply in this process.
 */
export function acquireLock(db: Db, lockKey: string): () => void {
  if (held.has(lockKey)) {
    const row = db.prepare(`SELECT holder, acquired_at FROM fix_locks WHERE lock_key = ?`).get(lockKey) as
      | { holder: string; acquired_at: string }
      | undefined;
    throw new ResourceBusyError(lockKey, row?.holder ?? PROCESS_HOLDER, row?.acquired_at ?? "now");
  }
  const holder = `${PROCESS_HOLDER}:${randomUUID()}`;
  const now = new Date();
  db.transaction(() => {
    const row = db.prepare(`SELECT holder, acquired_at, expires_at FROM fix_locks WHERE lock_key = ?`).get(lockKey) as
      | { holder: string; acquired_at: string; expires_at: string }
      | undefined;
    if (row && Date.parse(row.expires_at) > now.getTime() && holderAlive(row.holder)) {
      throw new ResourceBusyError(lockKey, row.holder, row.acquired_at);
    }
    db.prepare(
      `INSERT INTO fix_locks (lock_key, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (lock_key) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
    ).run(lockKey, holder, now.toISOString(), new Date(now.getTime() + LOCK_TTL_MS).toISOString());
  }).immediate();
  held.add(lockKey);
  return () => {
    held.delete(lockKey);
    db.prepare(`DELETE FROM fix_locks WHERE lock_key = ? AND holder = ?`).run(lockKey, holder);
  };
}
