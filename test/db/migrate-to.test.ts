/**
 * `npm run db -- migrate-to postgres://…` copies a SQLite database as the
 * product wrote it (two demo-fleet audits, a fix with rollback data and its
 * events, a re-audit, a tracked sync, a session, a lock) into PostgreSQL:
 * every row of every table equal, counts printed, ids kept and the next id
 * after them; a non-empty target is refused unless --replace.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { openDatabase, type Db } from "~/db/database";
import { insertLockRow } from "~/db/fix-locks";
import { insertReaudit } from "~/db/reaudits";
import { createSession } from "~/db/sessions";
import { appendActivityEvent, getActivity, recordActivity } from "~/fixes/activity-log";
import { insertTrackedSync } from "~/fixes/tracked-syncs";
import type { FixPlan } from "~/fixes/types";
import { runScript } from "../helpers/cli";
import { createPostgresDatabase, type TestDatabase } from "../helpers/postgres";

const FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
const ACCOUNT = "111122223333";
const plan = {
  action: "full-sync",
  resource: { type: "data-source", accountId: ACCOUNT, region: "us-east-1", applicationId: "app-1", indexId: "idx-1", dataSourceId: "ds-1" },
  applications: [],
  status: "ready",
  summary: "Full sync of ds-1",
  reasons: [],
  missingPermissions: [],
  planHash: "h",
  plannedAt: "2026-12-01T00:00:00.000Z",
  details: {},
} as unknown as FixPlan;

/** A database such as a day of use leaves: audits, a fix and its rollback, a re-audit, a sync, a session, a lock. */
async function buildSource(file: string): Promise<void> {
  const first = await runAudit({ fixture: FIXTURE, db: file });
  const second = await runAudit({ fixture: FIXTURE, db: file });
  const db = await openDatabase(file);
  try {
    const at = new Date("2026-12-01T10:00:00.000Z");
    const id = await recordActivity(db, {
      action: "full-sync",
      actor: "user:olivia",
      at,
      resources: [plan.resource],
      plan,
      rollbackData: { syncMode: "CHANGE_LOG" },
    });
    await appendActivityEvent(db, id, { at, status: "succeeded", message: "sync started", requestIds: ["r-1", "r-2"], data: { executionId: "e-1" } });
    const rollback = await recordActivity(db, { action: "rollback", actor: "cli:ops", at, resources: [plan.resource], plan, rollbackOf: id });
    await appendActivityEvent(db, rollback, { at, status: "failed", message: "ünïcode — 'quotes' \"and\" \\ backslash" });
    await insertTrackedSync(db, {
      activityId: id,
      dataSource: { accountId: ACCOUNT, region: "us-east-1", applicationId: "app-1", indexId: "idx-1", dataSourceId: "ds-1" },
      executionId: "e-1",
      originalSyncMode: "CHANGE_LOG",
      restoreMode: true,
      fullMode: true,
      startedAt: at.toISOString(),
    });
    await insertReaudit(db, { auditId: second.auditId!, basedOnAudit: first.auditId!, activityId: id, applications: [{ applicationId: "app-1" }] });
    await createSession(db, {
      idHash: "h".repeat(64),
      username: "olivia",
      role: "operator",
      credentialFingerprint: "fp",
      createdAt: at.toISOString(),
      lastSeenAt: at.toISOString(),
      expiresAt: "2026-12-02T10:00:00.000Z",
    });
    await insertLockRow(db, { lockKey: "full-sync:ds-1", holder: "host:1:x", acquiredAt: at.toISOString(), expiresAt: "2026-12-01T11:00:00.000Z" });
  } finally {
    await db.close();
  }
}

/** Every table's rows, sorted, as plain values: equal across engines when nothing was lost or changed. */
async function dump(db: Db): Promise<Record<string, string[]>> {
  const tables =
    db.dialect === "sqlite"
      ? (
          await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'`.execute(
            db.kysely,
          )
        ).rows
      : (await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%'`.execute(db.kysely))
          .rows;
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(db.kysely);
    out[name] = rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort();
  }
  return out;
}

describe("npm run db -- migrate-to", () => {
  let dir: string;
  let file: string;
  let target: TestDatabase;
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: dir, NODE_ENV: "test" });
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-migrate-to-"));
    file = path.join(dir, "history.sqlite");
    await buildSource(file);
    target = await createPostgresDatabase();
  }, 120_000);
  afterAll(async () => {
    await target?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("copies every table with nothing lost, prints the counts, and the next id follows the copied ones", async () => {
    const run = await runScript("scripts/db.ts", ["migrate-to", target.url, "--from", file], env());
    expect(run.stderr).toContain(`Copying ${file} into`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^audit_findings\s+(\d+)\s+\1$/m);
    expect(run.stdout).toMatch(/^finding_contents\s+(\d+)\s+\1$/m);
    expect(run.stdout).toMatch(/^activity_events\s+4\s+4$/m);
    expect(run.stdout).toContain("Every table has the same number of rows in both.");
    const [source, copy] = [await openDatabase(file), await openDatabase(target.url)];
    try {
      const [a, b] = [await dump(source), await dump(copy)];
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const table of Object.keys(a)) expect(b[table], table).toEqual(a[table]);
      // findings is a view of audit_findings over finding_contents (migration 0009): its rows come along with them.
      expect(a.audit_findings!.length).toBeGreaterThan(50);
      const view = async (db: Db) => (await sql`SELECT * FROM findings ORDER BY id`.execute(db.kysely)).rows;
      expect(await view(copy)).toEqual(await view(source));
      const next = await recordActivity(copy, { action: "full-sync", actor: "user:victor", at: new Date(), resources: [plan.resource], plan });
      expect(next).toBe(3);
      expect((await getActivity(copy, 1))?.rollbackData).toEqual({ syncMode: "CHANGE_LOG" });
    } finally {
      await source.close();
      await copy.close();
    }
  }, 120_000);

  it("refuses a target that holds rows, changing nothing; --replace empties it and copies again", async () => {
    const refused = await runScript("scripts/db.ts", ["migrate-to", target.url, "--from", file], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds rows: activity \(3\).*pass --replace/);
    const replaced = await runScript("scripts/db.ts", ["migrate-to", target.url, "--from", file, "--replace"], env());
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/^activity\s+2\s+2$/m);
    const bad = await runScript("scripts/db.ts", ["migrate-to", "mysql://x", "--from", file], env());
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("needs the target as a postgres:// or postgresql:// URL") });
  }, 120_000);
});
