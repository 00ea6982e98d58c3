/**
 * The activity log and the locks on their own: append-only in SQLite, filters,
 * and a lock another process holds (its SQLite row) making an apply busy.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openDatabase, type Db } from "../../app/db/database";
import { insertLockRow } from "../../app/db/fix-locks";
import { appendActivityEvent, listActivity, recordActivity } from "../../app/fixes/activity-log";
import { acquireLock, ResourceBusyError } from "../../app/fixes/locks";
import type { FixPlan } from "../../app/fixes/types";

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function database(): Promise<{ db: Db; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-activity-"));
  dirs.push(dir);
  const file = path.join(dir, "db.sqlite");
  const db = await openDatabase(file);
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

describe("activity log", async () => {
  it("refuses to rewrite or delete history", async () => {
    const { db } = await database();
    const id = await record(db, "app-a");
    await expect(sql`UPDATE activity SET actor = 'mallory' WHERE id = ${id}`.execute(db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM activity_events WHERE activity_id = ${id}`.execute(db.kysely)).rejects.toThrow(/append-only/);
  });

  it("derives an entry's status from its latest event and keeps every request id", async () => {
    const { db } = await database();
    const id = await record(db, "app-a");
    await appendActivityEvent(db, id, { at: new Date(), status: "running", message: "sync started", requestIds: ["r1"] });
    await appendActivityEvent(db, id, { at: new Date(), status: "succeeded", message: "done", requestIds: ["r2", "r3"] });
    const [entry] = await listActivity(db);
    expect(entry.status).toBe("succeeded");
    expect(entry.requestIds).toEqual(["r1", "r2", "r3"]);
    expect(entry.events.map((e) => e.status)).toEqual(["running", "running", "succeeded"]);
  });

  it("filters by application, actor and status", async () => {
    const { db } = await database();
    const a = await record(db, "app-a", "user:alice");
    await record(db, "app-b", "cli:bob");
    await appendActivityEvent(db, a, { at: new Date(), status: "failed", message: "x" });
    expect((await listActivity(db, { applicationId: "app-a" })).map((e) => e.id)).toEqual([a]);
    expect((await listActivity(db, { actor: "cli:bob" })).map((e) => e.plan.applications[0].applicationId)).toEqual(["app-b"]);
    expect((await listActivity(db, { status: "failed" })).map((e) => e.id)).toEqual([a]);
  });
});

describe("locks", async () => {
  it("makes a second holder busy until the first releases, in one process", async () => {
    const { db } = await database();
    const release = await acquireLock(db, "full-sync|x");
    await expect(acquireLock(db, "full-sync|x")).rejects.toThrow(ResourceBusyError);
    await release();
    await (
      await acquireLock(db, "full-sync|x")
    )();
  });

  it("sees a lock another live process holds through its SQLite row", async () => {
    const { db } = await database();
    // The parent process stands in for another qbiz-readiness process on this host.
    const other = `${os.hostname()}:${process.ppid}:nonce`;
    await insertLockRow(db, {
      lockKey: "full-sync|y",
      holder: other,
      acquiredAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await expect(acquireLock(db, "full-sync|y")).rejects.toThrow(/already running/);
  });

  it("takes over a lock whose holder process is gone", async () => {
    const { db } = await database();
    await insertLockRow(db, {
      lockKey: "full-sync|z",
      holder: `${os.hostname()}:999999999:nonce`,
      acquiredAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await (
      await acquireLock(db, "full-sync|z")
    )();
  });
});
