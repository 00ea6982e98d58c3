/**
 * A database written by the pre-Kysely schema (PRAGMA user_version = 2, no
 * kysely_migration table; test/fixtures/db/schema-v2.sqlite is the demo
 * fleet's database as that code left it: 5 audits, 2 activities with
 * rollback data, 1 tracked sync, re-audits) migrates forward with nothing
 * lost and reads back through the repositories.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { getAuditReport, listAudits } from "~/audit/history";
import { countRows } from "~/db/audits";
import { MIGRATIONS, openDatabase } from "~/db/database";
import { getActivity, listActivity, recordActivity } from "~/fixes/activity-log";
import { listTrackedSyncs } from "~/fixes/tracked-syncs";
import type { FixPlan } from "~/fixes/types";

const root = path.resolve(__dirname, "../..");
const FIXTURE = path.join(root, "test/fixtures/db/schema-v2.sqlite");
const LEGACY_TABLES = [
  "audits",
  "audit_applications",
  "findings",
  "activity",
  "activity_events",
  "activity_resources",
  "fix_locks",
  "tracked_syncs",
  "reaudits",
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A private copy of the fixture (opening a file migrates it). */
function legacyCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-legacy-"));
  dirs.push(dir);
  const file = path.join(dir, "legacy.sqlite");
  fs.copyFileSync(FIXTURE, file);
  return file;
}

/** What the file holds, read with better-sqlite3 directly (not through the code under test). */
function rawState(file: string) {
  const raw = new Database(file, { readonly: true });
  try {
    const counts = Object.fromEntries(LEGACY_TABLES.map((t) => [t, (raw.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
    const reports = raw.prepare(`SELECT id, report FROM audits ORDER BY id`).all() as { id: number; report: string }[];
    const activity = raw.prepare(`SELECT id, rollback_data FROM activity ORDER BY id`).all() as { id: number; rollback_data: string | null }[];
    const syncs = raw.prepare(`SELECT id, execution_id, state FROM tracked_syncs ORDER BY id`).all();
    const version = raw.pragma("user_version", { simple: true }) as number;
    return { counts, reports, activity, syncs, version };
  } finally {
    raw.close();
  }
}

describe("a database from the pre-Kysely schema (user_version 2)", () => {
  it("is adopted: migrations 1-2 recorded as applied, the rest run, every row still there", async () => {
    const file = legacyCopy();
    const before = rawState(file);
    expect(before.version).toBe(2);
    expect(before.counts).toMatchObject({ audits: 5, activity: 2, tracked_syncs: 1 });

    const db = await openDatabase(file);
    try {
      const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db.kysely);
      expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATIONS]);
      const counts = await countRows(db);
      for (const table of LEGACY_TABLES) expect(counts[table], table).toBe(before.counts[table]);
      expect(counts.sessions).toBe(0);

      // Readable through the repositories: every report whole, the activity log with its rollback data, the tracked sync.
      expect((await listAudits(db)).map((a) => a.id)).toEqual(before.reports.map((r) => r.id).reverse());
      for (const r of before.reports) expect(await getAuditReport(db, r.id)).toEqual(JSON.parse(r.report));
      const entries = await listActivity(db);
      expect(entries.map((e) => e.id).sort()).toEqual(before.activity.map((a) => a.id));
      const patch = before.activity.find((a) => a.rollback_data !== null)!;
      expect((await getActivity(db, patch.id))?.rollbackData).toEqual(JSON.parse(patch.rollback_data!));
      expect(entries.every((e) => e.events.length > 0)).toBe(true);
      const syncs = await listTrackedSyncs(db);
      expect(syncs.map((s) => ({ id: s.id, execution_id: s.executionId, state: s.state }))).toEqual(before.syncs);

      // New rows continue the legacy ids (AUTOINCREMENT's sequence kept), and the new tables work.
      const plan = entries[0]!.plan as FixPlan;
      const id = await recordActivity(db, { action: "full-sync", actor: "test", at: new Date(), resources: [plan.resource], plan });
      expect(id).toBe(Math.max(...before.activity.map((a) => a.id)) + 1);
    } finally {
      await db.close();
    }
    // A build from before the migrator now refuses the file instead of misreading it.
    expect(rawState(file).version).toBe(MIGRATIONS.length);
  });

  it("re-opening the adopted file runs nothing again", async () => {
    const file = legacyCopy();
    await (await openDatabase(file)).close();
    const db = await openDatabase(file);
    try {
      const applied = await sql<{ name: string; timestamp: string }>`SELECT name, timestamp FROM kysely_migration`.execute(db.kysely);
      expect(applied.rows).toHaveLength(MIGRATIONS.length);
    } finally {
      await db.close();
    }
  });

  it("is adopted once when several processes open it at the same moment", async () => {
    const file = legacyCopy();
    const before = rawState(file);
    const script = `import { openDatabase } from "./app/db/database.ts"; await (await openDatabase(${JSON.stringify(file)})).close();`;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
            let stderr = "";
            child.stderr.on("data", (chunk) => (stderr += chunk));
            child.on("close", (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const result of results) expect(result).toEqual({ code: 0, stderr: "" });
    const after = rawState(file);
    expect(after.counts).toEqual(before.counts);
    const raw = new Database(file, { readonly: true });
    try {
      expect((raw.prepare(`SELECT name FROM kysely_migration ORDER BY name`).all() as { name: string }[]).map((r) => r.name)).toEqual([...MIGRATIONS]);
    } finally {
      raw.close();
    }
  }, 60_000);
});
