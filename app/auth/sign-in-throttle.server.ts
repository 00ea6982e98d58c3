/**
 * Limits password guessing on built-in sign-in: after MAX_FAILURES wrong
 * attempts for one username, or MAX_FAILURES_PER_ADDRESS from one client
 * address, within WINDOW_MS of the first of them, further attempts are refused
 * until that window ends,
 * without checking the password. Usernames are counted whether or not they
 * exist, so the refusal says nothing about which names are configured.
 *
 * The counts are in the database (app/db/sign-in-throttle.ts), so every
 * dashboard replica counts against one budget, and a restart does not reset
 * it. An attempt is counted before its password is checked (and taken back
 * when it is refused or right), so attempts racing on several replicas cannot
 * all slip under the limit.
 */
import type { Db } from "~/db/database";
import { clearAttempts, countAttempt, pruneAttempts, uncountAttempt } from "~/db/sign-in-throttle";

export const MAX_FAILURES = 5;
/**
 * Higher than the per-username limit: one address may be a NAT or the proxy in
 * front of the dashboard, shared by everyone, and five typos there must not
 * lock the whole team out. It still stops one client spraying many usernames.
 */
export const MAX_FAILURES_PER_ADDRESS = 20;
export const WINDOW_MS = 15 * 60 * 1000;
/** Ended windows are deleted at most this often per process (they count for nothing meanwhile). */
const PRUNE_EVERY_MS = 60 * 1000;

/** Who an attempt counts against: the username typed and the client's address (when known). */
export interface SignInAttempt {
  username: string;
  address: string | undefined;
}

/** An attempt let through to the password check, and the windows it was counted in. */
export interface ClaimedAttempt {
  /** Milliseconds until this attempt may be tried again, or 0 when it may go ahead. */
  waitMs: number;
  counted: { key: string; startedAt: string }[];
}

function keysOf(attempt: SignInAttempt): { key: string; limit: number }[] {
  const keys: { key: string; limit: number }[] = [];
  if (attempt.username) keys.push({ key: `user:${attempt.username}`, limit: MAX_FAILURES });
  if (attempt.address) keys.push({ key: `address:${normaliseAddress(attempt.address)}`, limit: MAX_FAILURES_PER_ADDRESS });
  return keys;
}

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) and "10.0.0.1" are one client. */
function normaliseAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address.toLowerCase();
}

let lastPruned = 0;

/**
 * Count the attempt against its username and address, before the password is
 * checked. Over a limit, the counts are taken back and waitMs says how long
 * until it may be tried; otherwise it stands as a failure unless
 * recordSuccess takes it back.
 */
export async function claimSignInAttempt(db: Db, attempt: SignInAttempt, now = Date.now()): Promise<ClaimedAttempt> {
  const expiredBy = new Date(now - WINDOW_MS).toISOString();
  if (now - lastPruned >= PRUNE_EVERY_MS) {
    lastPruned = now;
    await pruneAttempts(db, expiredBy);
  }
  const counted: ClaimedAttempt["counted"] = [];
  let waitMs = 0;
  for (const { key, limit } of keysOf(attempt)) {
    const window = await countAttempt(db, key, new Date(now).toISOString(), expiredBy);
    counted.push({ key, startedAt: window.startedAt });
    if (window.failures > limit) waitMs = Math.max(waitMs, Date.parse(window.startedAt) + WINDOW_MS - now);
  }
  if (waitMs === 0) return { waitMs, counted };
  // Refused attempts do not count: the password was never looked at.
  for (const { key, startedAt } of counted) await uncountAttempt(db, key, startedAt);
  return { waitMs, counted: [] };
}

/**
 * A right password clears the username's count (its owner is back) and takes
 * this attempt back from the address's, but leaves the address's earlier
 * failures: otherwise someone with an account could reset their address's
 * count between guesses at other accounts.
 */
export async function recordSuccess(db: Db, claimed: ClaimedAttempt): Promise<void> {
  for (const { key, startedAt } of claimed.counted) {
    if (key.startsWith("user:")) await clearAttempts(db, key);
    else await uncountAttempt(db, key, startedAt);
  }
}

/** "Too many failed sign-in attempts; try again in N minutes" (N rounded up, at least 1). */
export function lockoutMessage(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return `Too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}
