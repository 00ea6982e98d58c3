/**
 * Scans across dashboard replicas (issue 16, ADR 0011): one scan at a time
 * on the whole fleet of replicas, held by a lease ("scan|fleet" in
 * fix_locks) that a crashed replica loses; its status and progress published
 * to shared_state so every replica shows it; scheduled scans claimed per
 * interval slot, so two replicas on one schedule run one scan per interval.
 * With one process (SQLite or not) the same code runs and never contends.
 */
import os from "node:os";
import type { Db } from "~/db/database";
import { lockHolder } from "~/db/fix-locks";
import { getSharedState, putSharedState } from "~/db/shared-state";
import { acquireLock, claimSlot, ResourceBusyError } from "~/fixes/locks";
import type { ScanStatus } from "./types";

const SCAN_LEASE = "scan|fleet";
const STATUS_KEY = "scan";
const ME = `${os.hostname()}:${process.pid}`;
/** Progress is written at most this often (the poller on other replicas reads about as often). */
const PUBLISH_EVERY_MS = 1000;

/** Take the fleet-wide scan lease; null when another process holds it. */
export async function takeFleetScan(db: Db): Promise<(() => Promise<void>) | null> {
  try {
    return await acquireLock(db, SCAN_LEASE);
  } catch (error) {
    if (error instanceof ResourceBusyError) return null;
    throw error;
  }
}

let lastPublished = 0;

/** Publish this replica's scan status; progress is throttled, `final` statuses always go out. */
export async function publishScanStatus(db: Db, status: ScanStatus, final = false): Promise<void> {
  const now = Date.now();
  if (!final && now - lastPublished < PUBLISH_EVERY_MS) return;
  lastPublished = now;
  try {
    await putSharedState(db, STATUS_KEY, { value: status, holder: ME, at: new Date(now).toISOString() });
  } catch (error) {
    console.error(`Could not share the scan's status with the other replicas: ${(error as Error).message}`);
  }
}

/**
 * The scan status another replica published, if any. A "running" status
 * whose lease is no longer held (that replica stopped) reads as failed, with why.
 */
export async function remoteScanStatus(db: Db): Promise<ScanStatus | undefined> {
  const doc = await getSharedState<ScanStatus>(db, STATUS_KEY);
  if (!doc || doc.holder === ME) return undefined;
  if (doc.value.state !== "running") return doc.value;
  const lease = await lockHolder(db, SCAN_LEASE);
  if (lease && Date.parse(lease.expiresAt) > Date.now()) return doc.value;
  return { ...doc.value, state: "failed", finishedAt: doc.updatedAt, error: `The replica running this scan (${doc.holder}) stopped before it ended.` };
}

/** Poll what other replicas publish every `everyMs`; returns the stop function. */
export function pollRemoteScanStatus(db: () => Promise<Db>, onStatus: (status: ScanStatus | undefined) => void, everyMs = 2000): () => void {
  const timer = setInterval(() => {
    db()
      .then(remoteScanStatus)
      .then(onStatus, () => undefined);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Milliseconds until the next multiple of the interval (every replica's schedule ticks at the same instants). */
export function msToNextSlot(intervalMs: number, now = Date.now()): number {
  return intervalMs - (now % intervalMs);
}

/** True for exactly one replica per interval slot: the one that runs that interval's scheduled scan. */
export async function claimScheduledScan(db: Db, intervalMs: number, now = Date.now()): Promise<boolean> {
  const slot = Math.floor((now + 500) / intervalMs);
  return claimSlot(db, `scheduled-scan|${intervalMs}|${slot}`, new Date((slot + 1) * intervalMs));
}
