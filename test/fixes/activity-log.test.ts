/**
 * The activity log and the locks on their own: append-only in SQLite, filters,
 * and a lock another process holds (its SQLite row) making an apply busy.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../app/db/database";
import { appendActivityEvent, listActivity, recordActivity } from "../../app/fixes/activity-log";
import { acquireLock, ResourceBusyError } from "../../app/fixes/locks";
import type { FixPlan } from "../../app/fixes/types";

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function database(): { db: Db; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-activity-"));
  dirs.push(dir);
  const file = path.join(dir, "db.sqlite");
  const db = openDatabase(file);
  dbs.push(db);
  return { db, file };
}

const plan = (applicationId: string) =>
  ({
    action: "full-sync",
    resource: { type: "data-source", accountId: "111122223333", region: "us-east-1", applicationId },
    applications: [{ accountId: "111122223333", region: "us-east-1", applicationId }],
    status: "ready",
    summary: "",
    reasons: [],
    missingPermissions: [],
    planHash: "h",
    plannedAt: "2026-11-26T12:00:00.000Z",
    details: { dataSource: {}, switchesMode: true, pastSyncs: [] },
  }) as unknown as FixPlan;

function record(db: Db, applicationId: string, actor = "user:alice") {
  const p = plan(applicationId);
  return recordActivity(db, { action: "full-sync", actor, at: new Date("2026-11-26T12:00:00Z"), resources: [p.resource], plan: p });
}

describe("activity log", () => {
  it("refuses to rewrite or delete history", () => {
    const { db } = database();
    const id = record(db, "app-a");
    expect(() => db.prepare(`UPDATE activity SET actor = 'mallory' WHERE id = ?`).run(id)).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM activity_events WHERE activity_id = ?`).run(id)).toThrow(/append-only/);
  });

  it("derives an entry's status from its latest event and keeps every request id", () => {
    const { db } = database();
    const id = record(db, "app-a");
    appendActivityEvent(db, id, { at: new Date(), status: "running", message: "sync started", requestIds: ["r1"] });
    appendActivityEvent(db, id, { at: new Date(), status: "succeeded", message: "done", requestIds: ["r2", "r3"] });
    const [entry] = listActivity(db);
    expect(entry.status).toBe("succeeded");
    expect(entry.requestIds).toEqual(["r1", "r2", "r3"]);
    expect(entry.events.map((e) => e.status)).toEqual(["running", "running", "succeeded"]);
  });

  it("filters by application, actor and status", () => {
    const { db } = database();
    const a = record(db, "app-a", "user:alice");
    record(db, "app-b", "cli:bob");
    appendActivityEvent(db, a, { at: new Date(), status: "failed", message: "x" });
    expect(listActivity(db, { applicationId: "app-a" }).map((e) => e.id)).toEqual([a]);
    expect(listActivity(db, { actor: "cli:bob" }).map((e) => e.plan.applications[0].applicationId)).toEqual(["app-b"]);
    expect(listActivity(db, { status: "failed" }).map((e) => e.id)).toEqual([a]);
  });
});

describe("locks", () => {
  it("makes a second holder busy until the first releases, in one process", () => {
    const { db } = database();
    const release = acquireLock(db, "full-sync|x");
    expect(() => acquireLock(db, "full-sync|x")).toThrow(ResourceBusyError);
    release();
    acquireLock(db, "full-sync|x")();
  });

  it("sees a lock another live process holds through its SQLite row", () => {
    const { db } = database();
    // The parent process stands in for another qbiz-readiness process on this host.
    const other = `${os.hostname()}:${process.ppid}:nonce`;
    db.prepare(`INSERT INTO fix_locks (lock_key, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)`).run(
      "full-sync|y",
      other,
      new Date().toISOString(),
      new Date(Date.now() + 60_000).toISOString(),
    );
    expect(() => acquireLock(db, "full-sync|y")).toThrow(/already running/);
  });

  it("takes over a lock whose holder process is gone", () => {
    const { db } = database();
    db.prepare(`INSERT INTO fix_locks (lock_key, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)`).run(
      "full-sync|z",
      `${os.hostname()}:999999999:nonce`,
      new Date().toISOString(),
      new Date(Date.now() + 60_000).toISOString(),
    );
    acquireLock(db, "full-sync|z")();
  });
});
