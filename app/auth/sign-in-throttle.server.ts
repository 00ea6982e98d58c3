/**
 * Limits password guessing on built-in sign-in: after MAX_FAILURES wrong
 * attempts for one username, or MAX_FAILURES_PER_ADDRESS from one client
 * address, within WINDOW_MS of the first of them, further attempts are refused
 * until that window ends,
 * without checking the password. Usernames are counted whether or not they
 * exist, so the refusal says nothing about which names are configured.
 *
 * Kept in memory: the dashboard is one server process, and a restart clearing
 * the counts is acceptable. Several processes would each count on their own.
 */
import type { Config } from "~/config.server";

export const MAX_FAILURES = 5;
/**
 * Higher than the per-username limit: one address may be a NAT or the proxy in
 * front of the dashboard, shared by everyone, and five typos there must not
 * lock the whole team out. It still stops one client spraying many usernames.
 */
export const MAX_FAILURES_PER_ADDRESS = 20;
export const WINDOW_MS = 15 * 60 * 1000;
/** Bounds memory when someone sprays many usernames or addresses: the oldest windows are forgotten first. */
const MAX_TRACKED = 10_000;

interface Window {
  startedAt: number;
  failures: number;
}

type Counts = Map<string, Window>;

// One set of counts per configuration (one per server start; each test's own configuration starts clean).
const countsByConfig = new WeakMap<Config, Counts>();

function countsFor(config: Config): Counts {
  let counts = countsByConfig.get(config);
  if (!counts) {
    counts = new Map();
    countsByConfig.set(config, counts);
  }
  return counts;
}

/** Who an attempt counts against: the username typed and the client's address (when known). */
export interface SignInAttempt {
  username: string;
  address: string | undefined;
}

function keysOf(attempt: SignInAttempt): string[] {
  const keys: string[] = [];
  if (attempt.username) keys.push(`user:${attempt.username}`);
  if (attempt.address) keys.push(`address:${normaliseAddress(attempt.address)}`);
  return keys;
}

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) and "10.0.0.1" are one client. */
function normaliseAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address.toLowerCase();
}

function openWindow(counts: Counts, key: string, now: number): Window | undefined {
  const window = counts.get(key);
  if (window && now - window.startedAt >= WINDOW_MS) {
    counts.delete(key);
    return undefined;
  }
  return window;
}

/**
 * Milliseconds until this attempt may be tried again, or 0 when it may go
 * ahead. Call before checking the password.
 */
export function lockedOutFor(config: Config, attempt: SignInAttempt, now = Date.now()): number {
  const counts = countsFor(config);
  let wait = 0;
  for (const key of keysOf(attempt)) {
    const window = openWindow(counts, key, now);
    const limit = key.startsWith("address:") ? MAX_FAILURES_PER_ADDRESS : MAX_FAILURES;
    if (window && window.failures >= limit) wait = Math.max(wait, window.startedAt + WINDOW_MS - now);
  }
  return wait;
}

/** Counts a wrong username or password against the username and the address. */
export function recordFailure(config: Config, attempt: SignInAttempt, now = Date.now()): void {
  const counts = countsFor(config);
  for (const key of keysOf(attempt)) {
    const window = openWindow(counts, key, now);
    if (window) window.failures += 1;
    else counts.set(key, { startedAt: now, failures: 1 });
  }
  while (counts.size > MAX_TRACKED) counts.delete(counts.keys().next().value!);
}

/**
 * A right password clears the username's count (its owner is back), but not
 * the address's: otherwise someone with an account could reset their
 * address's count between guesses at other accounts.
 */
export function recordSuccess(config: Config, attempt: SignInAttempt): void {
  if (attempt.username) countsFor(config).delete(`user:${attempt.username}`);
}

/** "Too many failed sign-in attempts; try again in N minutes" (N rounded up, at least 1). */
export function lockoutMessage(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return `Too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}
