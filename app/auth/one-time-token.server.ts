/**
 * The one-time sign-in link printed at start when built-in auth has no users
 * (like a notebook server): whoever opens it first is signed in as an operator,
 * then it is spent. Only its sha256 is kept, in the database
 * (app/db/one-time-tokens.ts), so the link a replica printed works on
 * whichever replica the load balancer sends it to, once fleet-wide.
 *
 * Each start issues its own token and leaves the others' alone (the replicas
 * of one deployment each print one; every one is good once). A token not
 * used within ONE_TIME_TOKEN_LIFETIME_MS expires: restart to print a new one.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "~/db/database";
import { pruneOneTimeTokens, spendOneTimeToken, storeOneTimeToken } from "~/db/one-time-tokens";

export const ONE_TIME_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

function digest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Makes a new token, stores its hash (pruning expired ones) and returns it for the sign-in URL. */
export async function issueOneTimeToken(db: Db, now = Date.now()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await pruneOneTimeTokens(db, new Date(now).toISOString());
  await storeOneTimeToken(db, {
    digest: digest(token),
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ONE_TIME_TOKEN_LIFETIME_MS).toISOString(),
  });
  return token;
}

/** True exactly once, on any replica, for an issued unexpired token; false for anything else and afterwards. */
export async function redeemOneTimeToken(db: Db, token: string, now = Date.now()): Promise<boolean> {
  if (!token) return false;
  return spendOneTimeToken(db, digest(token), new Date(now).toISOString());
}
