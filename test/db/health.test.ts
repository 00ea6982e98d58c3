/**
 * Before every fix apply the database must still be the file the server
 * opened, and writable (issue 10.6): a role patch whose activity entry and
 * rollback data would go to a deleted file is refused, with the reason, and
 * nothing is changed in AWS.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/database";
import { assertDatabaseWritable, DatabaseUnavailableError, describeDatabaseError } from "~/db/health";
import { revokeAllSessions } from "~/db/sessions";
import { listActivity } from "~/fixes/activity-log";
import { applyRolePolicyPatch, planRolePolicyPatch } from "~/fixes/patch-role-policy";
import { ACCOUNT, REGION, ROLE_ARN, ROLE_NAME, fixFleet } from "../fixes/fleet";
import { auditInto, startFixHarness, type FixHarness } from "../fixes/harness";

let h: FixHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) {
    fs.chmodSync(d, 0o755);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-health-"));
  dirs.push(dir);
  return path.join(dir, "db.sqlite");
}

async function inlinePolicyNames(harness: FixHarness): Promise<string[]> {
  const { iam } = harness.t.clients(ACCOUNT, REGION);
  return (await iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }))).PolicyNames ?? [];
}

describe("assertDatabaseWritable", () => {
  it("passes for the file as opened", async () => {
    const db = await openDatabase(tempFile());
    try {
      expect(() => assertDatabaseWritable(db)).not.toThrow();
    } finally {
      await db.close();
    }
  });

  it("names the file when it was deleted, or replaced by another file", async () => {
    const file = tempFile();
    const db = await openDatabase(file);
    try {
      fs.renameSync(file, `${file}.moved`);
      expect(() => assertDatabaseWritable(db)).toThrow(new RegExp(`database file ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} was deleted`));
      fs.writeFileSync(file, "");
      expect(() => assertDatabaseWritable(db)).toThrow(/was replaced by another file/);
    } finally {
      await db.close();
    }
  });

  // Root writes anywhere, so the access check cannot fail there: reported as skipped, not passed.
  it.skipIf(process.getuid?.() === 0)("names the folder when it is not writable", async () => {
    const file = tempFile();
    const db = await openDatabase(file);
    try {
      fs.chmodSync(path.dirname(file), 0o555);
      expect(() => assertDatabaseWritable(db)).toThrow(/database folder .* is not writable/);
    } finally {
      await db.close();
    }
  });
});

describe("SQLite errors about the file", () => {
  it("say which file is full or read-only", () => {
    const full = describeDatabaseError("/data/q.sqlite", Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }));
    expect(full).toBeInstanceOf(DatabaseUnavailableError);
    expect((full as Error).message).toBe(
      "The database file /data/q.sqlite is full: the disk or its quota has no space left (SQLITE_FULL: database or disk is full).",
    );
    const readonly = describeDatabaseError("/data/q.sqlite", Object.assign(new Error("attempt to write a readonly database"), { code: "SQLITE_READONLY" }));
    expect((readonly as Error).message).toMatch(/^The database file \/data\/q\.sqlite is read-only/);
    const other = new Error("no such table: x");
    expect(describeDatabaseError("/data/q.sqlite", other)).toBe(other);
  });

  it("reach the caller of a write with the file named", async () => {
    const file = tempFile();
    const db = await openDatabase(file);
    try {
      // query_only makes SQLite answer every write SQLITE_READONLY, as a read-only file or mount does.
      await sql`PRAGMA query_only = ON`.execute(db.kysely);
      await expect(revokeAllSessions(db, "test")).rejects.toThrow(`The database file ${file} is read-only`);
    } finally {
      await db.close();
    }
  });
});

describe("a fix apply on a database deleted underneath or read-only", () => {
  it("is refused with the reason naming the file, and nothing is applied to AWS", async () => {
    h = await startFixHarness(fixFleet());
    await auditInto(h);
    const plan = await planRolePolicyPatch(h.ctx, { accountId: ACCOUNT, roleArn: ROLE_ARN });
    expect(plan.status).toBe("ready");
    const policiesBefore = await inlinePolicyNames(h);
    const entriesBefore = (await listActivity(h.db)).length;

    fs.rmSync(h.dbPath);
    const result = await applyRolePolicyPatch(h.ctx, plan, { actor: "user:olivia", confirmPlanHash: plan.planHash });

    expect(result.outcome).toBe("refused");
    expect(result.message).toContain(`The database file ${path.resolve(h.dbPath)} was deleted`);
    expect(result.message).toMatch(/nothing was applied/);
    expect(result.activityId).toBeUndefined();
    expect(await inlinePolicyNames(h)).toEqual(policiesBefore);
    // Nothing was written to the deleted file either (the open handle still reads it).
    expect((await listActivity(h.db)).length).toBe(entriesBefore);
  }, 60_000);

  it("is refused with the reason when the database cannot be written (read-only), and nothing is applied to AWS", async () => {
    h = await startFixHarness(fixFleet());
    await auditInto(h);
    const plan = await planRolePolicyPatch(h.ctx, { accountId: ACCOUNT, roleArn: ROLE_ARN });
    const policiesBefore = await inlinePolicyNames(h);
    await sql`PRAGMA query_only = ON`.execute(h.db.kysely);

    const result = await applyRolePolicyPatch(h.ctx, plan, { actor: "user:olivia", confirmPlanHash: plan.planHash });

    expect(result.outcome).toBe("refused");
    expect(result.message).toContain(`The database file ${path.resolve(h.dbPath)} is read-only`);
    expect(await inlinePolicyNames(h)).toEqual(policiesBefore);
  }, 60_000);
});
