/**
 * fix_locks: an action running on a resource, so another process sees it.
 * Taking a lock reads the current row and replaces it in one write
 * transaction, so two processes never both win: SQLite's BEGIN IMMEDIATE
 * takes the file's write lock first; PostgreSQL (READ COMMITTED, where two
 * transactions could both read "no row") first takes a transaction advisory
 * lock on the key, which serialises takers of that key only.
 */
import { sql } from "kysely";
import type { Db } from "./database";

export interface LockRow {
  holder: string;
  acquiredAt: string;
  expiresAt: string;
}

export async function lockHolder(db: Db, lockKey: string): Promise<LockRow | undefined> {
  return db.kysely
    .selectFrom("fix_locks")
    .select(["holder", "acquired_at as acquiredAt", "expires_at as expiresAt"])
    .where("lock_key", "=", lockKey)
    .executeTakeFirst();
}

/**
 * Take the lock unless `stillHeld(current)` says its current holder keeps it;
 * returns the holder that keeps it, or undefined when taken.
 */
export async function takeLock(
  db: Db,
  lock: { lockKey: string; holder: string; acquiredAt: string; expiresAt: string; stillHeld: (current: LockRow) => boolean },
): Promise<LockRow | undefined> {
  return db.kysely.transaction().execute(async (trx) => {
    if (db.dialect === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${lock.lockKey}))`.execute(trx);
    const current = await trx
      .selectFrom("fix_locks")
      .select(["holder", "acquired_at as acquiredAt", "expires_at as expiresAt"])
      .where("lock_key", "=", lock.lockKey)
      .executeTakeFirst();
    if (current && lock.stillHeld(current)) return current;
    await trx
      .insertInto("fix_locks")
      .values({ lock_key: lock.lockKey, holder: lock.holder, acquired_at: lock.acquiredAt, expires_at: lock.expiresAt })
      .onConflict((oc) =>
        oc.column("lock_key").doUpdateSet((eb) => ({
          holder: eb.ref("excluded.holder"),
          acquired_at: eb.ref("excluded.acquired_at"),
          expires_at: eb.ref("excluded.expires_at"),
        })),
      )
      .execute();
    return undefined;
  });
}

/** Move the lease's end while this holder still has it; false when it was lost (expired and taken over). */
export async function renewLock(db: Db, lease: { lockKey: string; holder: string; expiresAt: string }): Promise<boolean> {
  const result = await db.kysely
    .updateTable("fix_locks")
    .set({ expires_at: lease.expiresAt })
    .where("lock_key", "=", lease.lockKey)
    .where("holder", "=", lease.holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Release the lock if this holder still has it. */
export async function releaseLock(db: Db, lockKey: string, holder: string): Promise<void> {
  await db.kysely.deleteFrom("fix_locks").where("lock_key", "=", lockKey).where("holder", "=", holder).execute();
}

/** Put a lock row as another process would (tests of the take-over rules). */
export async function insertLockRow(db: Db, row: { lockKey: string; holder: string; acquiredAt: string; expiresAt: string }): Promise<void> {
  await db.kysely
    .insertInto("fix_locks")
    .values({ lock_key: row.lockKey, holder: row.holder, acquired_at: row.acquiredAt, expires_at: row.expiresAt })
    .execute();
}
