/**
 * sign_in_throttle: sign-in attempts counted per key (a username, a client
 * address) in a window, shared by every process on the database. Counting is
 * one upsert per key, so concurrent attempts on any replicas each add one
 * (SQLite: one writer at a time; PostgreSQL: INSERT … ON CONFLICT DO UPDATE
 * locks the row), and each sees the count its own attempt made. The policy
 * (limits, window, which keys) is in app/auth/sign-in-throttle.server.ts.
 */
import type { Db } from "./database";

export interface CountedWindow {
  startedAt: string;
  failures: number;
}

/**
 * Count one attempt against `key`: a window that started at or before
 * `expiredBy` is over, so it starts again at `at` with 1. Returns the window
 * as this attempt left it.
 */
export async function countAttempt(db: Db, key: string, at: string, expiredBy: string): Promise<CountedWindow> {
  const row = await db.kysely
    .insertInto("sign_in_throttle")
    .values({ key, started_at: at, failures: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => {
        const over = eb("sign_in_throttle.started_at", "<=", expiredBy);
        return {
          failures: eb
            .case()
            .when(over)
            .then(eb.lit(1))
            .else(eb("sign_in_throttle.failures", "+", eb.lit(1)))
            .end(),
          started_at: eb.case().when(over).then(eb.ref("excluded.started_at")).else(eb.ref("sign_in_throttle.started_at")).end(),
        };
      }),
    )
    .returning(["started_at", "failures"])
    .executeTakeFirstOrThrow();
  return { startedAt: row.started_at, failures: Number(row.failures) };
}

/** Take back one counted attempt, if its window (the one started at `startedAt`) is still the key's. */
export async function uncountAttempt(db: Db, key: string, startedAt: string): Promise<void> {
  await db.kysely
    .updateTable("sign_in_throttle")
    .set((eb) => ({ failures: eb("failures", "-", eb.lit(1)) }))
    .where("key", "=", key)
    .where("started_at", "=", startedAt)
    .where("failures", ">", 0)
    .execute();
}

/** Forget the key's count (its owner signed in). */
export async function clearAttempts(db: Db, key: string): Promise<void> {
  await db.kysely.deleteFrom("sign_in_throttle").where("key", "=", key).execute();
}

/** The key's current window, if it has one (ended ones included: the caller compares). */
export async function attemptWindow(db: Db, key: string): Promise<CountedWindow | undefined> {
  const row = await db.kysely.selectFrom("sign_in_throttle").select(["started_at", "failures"]).where("key", "=", key).executeTakeFirst();
  return row ? { startedAt: row.started_at, failures: Number(row.failures) } : undefined;
}

/** Delete the windows that started at or before `expiredBy` (they count for nothing); returns how many. */
export async function pruneAttempts(db: Db, expiredBy: string): Promise<number> {
  const result = await db.kysely.deleteFrom("sign_in_throttle").where("started_at", "<=", expiredBy).executeTakeFirst();
  return Number(result.numDeletedRows);
}
