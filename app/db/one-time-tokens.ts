/**
 * one_time_tokens: the sha256 of each unspent one-time sign-in token, shared
 * by every process on the database, so a link printed by one replica works
 * on any. Spending is one DELETE of the row: of two processes redeeming the
 * same token at the same moment exactly one deletes it (SQLite: one writer at
 * a time; PostgreSQL: the second DELETE waits on the row lock, then finds it
 * gone), so a token signs in once fleet-wide.
 */
import type { Db } from "./database";

export async function storeOneTimeToken(db: Db, token: { digest: string; issuedAt: string; expiresAt: string }): Promise<void> {
  await db.kysely.insertInto("one_time_tokens").values({ digest: token.digest, issued_at: token.issuedAt, expires_at: token.expiresAt }).execute();
}

/** True when this call spent the token: it was there, unexpired at `at`, and is gone now. */
export async function spendOneTimeToken(db: Db, digest: string, at: string): Promise<boolean> {
  const result = await db.kysely.deleteFrom("one_time_tokens").where("digest", "=", digest).where("expires_at", ">", at).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Delete the tokens expired at `at`; returns how many. */
export async function pruneOneTimeTokens(db: Db, at: string): Promise<number> {
  const result = await db.kysely.deleteFrom("one_time_tokens").where("expires_at", "<=", at).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many unspent tokens there are (expired ones included until pruned). */
export async function countOneTimeTokens(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom("one_time_tokens")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
