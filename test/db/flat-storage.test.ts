/**
 * Flat storage (issue 15.3, migration 0009, ADR 0014) on both engines: a
 * finding or inventory an earlier audit stored is referred to, not stored
 * again; the report read back is byte for byte the one saved; a database as
 * migration 0008 left it moves over with nothing lost (report texts, finding
 * ids, evidence, inventories); retention keeps the trend's daily points.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingKey, getAuditReport, listAudits, saveAudit } from "~/audit/history";
import { runAudit, type AuditRun } from "~/audit/run";
import type { AuditedInventory } from "~/audit/settled";
import type { AuditReport, Finding, Inventory } from "~/audit/types";
import { inventoriesOfAudit } from "~/db/audit-applications";
import { auditReportJson, auditStamp, reportJsonParts } from "~/db/audits";
import { openDatabase, type Db } from "~/db/database";
import { findingById, openFindingRows } from "~/db/findings";
import { migrationProvider, type DialectName } from "~/db/migrations/index";
import { ENGINES, openTestDatabase, testDatabaseTarget, type Engine } from "../helpers/postgres";

/** Tables as migration 0008 left them: no typed schema for them exists any more. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the old tables have no typed schema here (migrations use Kysely<any> too)
type Old = Kysely<any>;

const FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");

let run: AuditRun;
beforeAll(async () => {
  run = await runAudit({ fixture: FIXTURE });
}, 120_000);

const later = (report: AuditReport, ms: number): AuditReport => ({ ...report, scannedAt: new Date(Date.parse(report.scannedAt) + ms).toISOString() });
const at = (iso: string, report: AuditReport): AuditReport => ({ ...report, scannedAt: iso });

async function count(db: Db, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db.kysely);
  return Number(rows[0]!.n);
}

/** Many distinct findings (enough text to train a compression dictionary). */
function manyFindings(report: AuditReport, copies: number): Finding[] {
  return Array.from({ length: copies }, (_, i) =>
    report.findings.map((f) => ({ ...f, resource: { ...f.resource, name: `${f.resource.name ?? "r"}-${i}` }, evidence: { ...f.evidence, copy: i } })),
  ).flat();
}

describe.each(ENGINES)("flat storage on %s", (engine: Engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("reads back every report byte for byte, and an unchanged audit stores no finding or inventory again", async () => {
    const first = await saveAudit(db, run.report, run.inventory);
    const contents = await count(db, "finding_contents");
    const inventories = await count(db, "application_inventories");
    expect(contents).toBe(new Set(run.report.findings.map((f) => JSON.stringify(f))).size);
    const second = await saveAudit(db, later(run.report, 60_000), run.inventory);
    expect(await auditReportJson(db, first)).toBe(JSON.stringify(run.report));
    expect(await auditReportJson(db, second)).toBe(JSON.stringify(later(run.report, 60_000)));
    let streamed = "";
    for await (const part of reportJsonParts(db, second)) streamed += part;
    expect(streamed).toBe(JSON.stringify(later(run.report, 60_000)));
    expect(await count(db, "finding_contents")).toBe(contents);
    expect(await count(db, "application_inventories")).toBe(inventories);
    expect(await count(db, "audit_findings")).toBe(2 * run.report.findings.length);
    // Each finding row keeps its evidence, exactly as the report has it.
    const open = await openFindingRows(db, second);
    const byKey = new Map(run.report.findings.map((f) => [`${findingKey(f)}|${f.status}`, f]));
    expect(open.length).toBeGreaterThan(0);
    for (const row of open) expect(row.evidence).toBe(JSON.stringify(byKey.get(`${row.finding_key}|${row.status}`)!.evidence));
  });

  it("trains a compression dictionary once there is enough text, and still reads every text back exactly", async () => {
    const report = { ...later(run.report, 120_000), findings: manyFindings(run.report, 120) };
    const id = await saveAudit(db, report, run.inventory);
    expect(await count(db, "content_dictionaries")).toBeGreaterThanOrEqual(1);
    expect(await auditReportJson(db, id)).toBe(JSON.stringify(report));
    const row = (await openFindingRows(db, id))[0]!;
    expect(JSON.parse((await findingById(db, row.id))!.evidence)).toHaveProperty("copy");
  });
});

describe.each(ENGINES)("retention on %s (QBR_RETENTION_DAYS)", (engine: Engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("refuses a bad setting before storing anything", async () => {
    await expect(saveAudit(db, run.report, run.inventory, { QBR_RETENTION_DAYS: "soon" })).rejects.toThrow(
      'QBR_RETENTION_DAYS must be a whole number of days, 1 or more; got "soon"',
    );
    expect(await count(db, "audits")).toBe(0);
  });

  it("prunes audits older than the retention, keeping the last audit of each day as a trend point", async () => {
    const env = { QBR_RETENTION_DAYS: "30" };
    const days = ["2026-08-01T08:00:00.000Z", "2026-08-01T20:00:00.000Z", "2026-08-02T09:00:00.000Z", "2026-11-20T09:00:00.000Z"];
    const ids: number[] = [];
    for (const day of days) ids.push(await saveAudit(db, at(day, run.report), run.inventory, env));
    const changed: Inventory = {
      ...run.inventory,
      applications: run.inventory.applications.map((a) => {
        const { roles: _roles, ...app } = a.stored();
        return { ...app, displayName: `${app.displayName} (renamed)` };
      }),
      roles: Object.assign({}, ...run.inventory.applications.map((a) => a.stored().roles)) as Inventory["roles"],
    };
    ids.push(await saveAudit(db, at("2026-12-01T09:00:00.000Z", { ...run.report, findings: run.report.findings.slice(1) }), changed, env));

    const listed = await listAudits(db);
    // 2026-08-01 08:00 is gone; the last audit of 2026-08-01 and 2026-08-02 stay as points, without findings.
    expect(listed.map((a) => [a.id, a.scannedAt, a.pruned ?? false])).toEqual([
      [ids[4], "2026-12-01T09:00:00.000Z", false],
      [ids[3], "2026-11-20T09:00:00.000Z", false],
      [ids[2], "2026-08-02T09:00:00.000Z", true],
      [ids[1], "2026-08-01T20:00:00.000Z", true],
    ]);
    expect(listed[2]!.summary).toEqual(run.report.summary);
    expect(await getAuditReport(db, ids[1]!)).toBeUndefined();
    // Comparing with it or exporting it says it is not stored (the pages' 404), rather than showing an empty audit.
    expect(await auditStamp(db, ids[1]!)).toBeUndefined();
    expect(await auditStamp(db, ids[3]!)).toMatchObject({ id: ids[3], scannedAt: "2026-11-20T09:00:00.000Z" });
    expect(await getAuditReport(db, ids[3]!)).toEqual(at("2026-11-20T09:00:00.000Z", run.report));
    expect(await inventoriesOfAudit(db, ids[2]!)).toEqual([]);
    // Contents no audit refers to any more are gone; the kept audits' are all there.
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM finding_contents c
      WHERE NOT EXISTS (SELECT 1 FROM audit_findings af WHERE af.content_id = c.id)`.execute(db.kysely);
    expect(Number(rows[0]!.n)).toBe(0);
    expect(await count(db, "audit_findings")).toBe(2 * run.report.findings.length - 1);
  });
});

/** A Kysely handle on the target without the product's migrator: to build a database as migration 0008 left it. */
function rawKysely(engine: Engine, url: string): Old {
  if (engine === "sqlite") return new Kysely({ dialect: new SqliteDialect({ database: new Database(url) }) }) as Old;
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) }) as Old;
}

/** Migrations 0001–0008 only. */
async function migrateTo0008(db: Old, dialect: DialectName): Promise<void> {
  const all = await migrationProvider(dialect).getMigrations();
  const provider = { getMigrations: async () => Object.fromEntries(Object.entries(all).filter(([name]) => name <= "0008_zz")) };
  const { error } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  if (error) throw error;
}

/** What saveAudit wrote before migration 0009: the report whole, a findings row per finding with its evidence, inventories inline. */
async function insertOldAudit(db: Old, report: AuditReport, inventory: AuditedInventory, reportText = JSON.stringify(report)): Promise<number> {
  const { id } = await db
    .insertInto("audits")
    .values({ scanned_at: report.scannedAt, cutoff: report.cutoff, status: "ok", summary: JSON.stringify(report.summary), report: reportText, targets: "[]" })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const app of inventory.applications.map((a) => a.stored())) {
    await db
      .insertInto("audit_applications")
      .values({
        audit_id: id,
        account_id: app.accountId,
        region: app.region,
        application_id: app.applicationId,
        display_name: app.displayName,
        identity_type: app.identityType ?? null,
        readiness: "unknown",
        inventory: JSON.stringify({ ...app, roles: {} }),
      })
      .execute();
  }
  for (const f of report.findings) {
    const r = f.resource;
    await db
      .insertInto("findings")
      .values({
        audit_id: id,
        check_id: f.checkId,
        status: f.status,
        severity: f.severity,
        account_id: r.accountId,
        region: r.region,
        application_id: r.applicationId,
        index_id: r.indexId,
        data_source_id: r.dataSourceId,
        web_experience_id: r.webExperienceId,
        role_arn: r.roleArn,
        resource_type: r.type,
        name: r.name,
        message: f.message,
        evidence: JSON.stringify(f.evidence ?? {}),
        remediation_action: f.remediation?.action ?? null,
        suppressed: f.suppressed ? JSON.stringify(f.suppressed) : null,
      })
      .execute();
  }
  return Number(id);
}

describe.each(ENGINES)("migration 0009 on %s", (engine: Engine) => {
  it("moves a database as 0008 left it with nothing lost: report texts, finding ids and evidence, inventories", async () => {
    const target = await testDatabaseTarget(engine);
    try {
      const raw = rawKysely(engine, target.url);
      await migrateTo0008(raw, engine);
      const second = later(run.report, 60_000);
      // A third audit whose report text is not what its rows say (indented): kept whole, read back as stored.
      const indented = JSON.stringify(later(run.report, 120_000), null, 2);
      const ids = [
        await insertOldAudit(raw, run.report, run.inventory),
        await insertOldAudit(raw, second, run.inventory),
        await insertOldAudit(raw, later(run.report, 120_000), run.inventory, indented),
      ];
      const before = (await raw.selectFrom("findings").select(["id", "evidence", "finding_key", "status"]).orderBy("id").execute()) as {
        id: number;
        evidence: string;
        finding_key: string;
        status: string;
      }[];
      const inventories = (await raw.selectFrom("audit_applications").select(["audit_id", "inventory"]).execute()) as { audit_id: number; inventory: string }[];
      await raw.destroy();

      const db = await openDatabase(target.url);
      try {
        expect(await auditReportJson(db, ids[0]!)).toBe(JSON.stringify(run.report));
        expect(await auditReportJson(db, ids[1]!)).toBe(JSON.stringify(second));
        expect(await auditReportJson(db, ids[2]!)).toBe(indented);
        for (const old of before) {
          const now = await findingById(db, old.id);
          expect(now, `finding ${old.id}`).toMatchObject({ id: old.id, finding_key: old.finding_key, status: old.status, evidence: old.evidence });
        }
        expect(await count(db, "finding_contents")).toBe(new Set(run.report.findings.map((f) => JSON.stringify(f))).size);
        for (const id of ids) {
          const stored = inventories.filter((i) => Number(i.audit_id) === id).map((i) => i.inventory);
          expect((await inventoriesOfAudit(db, id)).sort()).toEqual(stored.sort());
        }
        // The next finding id follows the old ones.
        const next = await saveAudit(db, later(run.report, 180_000), run.inventory);
        const newest = await openFindingRows(db, next);
        expect(Math.min(...newest.map((f) => f.id))).toBeGreaterThan(Math.max(...before.map((f) => f.id)));
      } finally {
        await db.close();
      }
    } finally {
      await target.drop();
    }
  }, 120_000);
});
