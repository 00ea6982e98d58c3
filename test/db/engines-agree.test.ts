/**
 * The data layer answers the same on SQLite and PostgreSQL: the demo fleet's
 * audit (real SDK over HTTP to the local AWS) is stored twice in each engine,
 * and every repository read the dashboard makes (lists in every sort order,
 * counts, filters, comparisons, first/last seen) returns equal results. A
 * dialect difference (a type, a case-sensitive LIKE, a bigint count, an
 * ordering) shows as a difference here.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareAudits, getAuditReport, listAudits } from "~/audit/history";
import type { AuditReport } from "~/audit/types";
import { runAudit, type AuditRun } from "~/audit/run";
import { queryApplicationRows, type ApplicationQuery } from "~/db/audit-applications";
import { countRows } from "~/db/audits";
import type { Db } from "~/db/database";
import { countFindings, failingCountsByCheck, FINDING_SORTS, findingsPage, openFindingRows, statusCountsByCheck } from "~/db/findings";
import { openTestDatabase } from "../helpers/postgres";
import { storeAudit } from "../helpers/store-audit";

const FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");

let run: AuditRun;
const dbs: Record<"sqlite" | "postgres", Db> = {} as never;
const ids: Record<"sqlite" | "postgres", number[]> = { sqlite: [], postgres: [] };
let stored: AuditReport;

beforeAll(async () => {
  run = await runAudit({ fixture: FIXTURE });
  for (const engine of ["sqlite", "postgres"] as const) {
    dbs[engine] = await openTestDatabase(engine);
    const later = { ...run.report, scannedAt: new Date(Date.parse(run.report.scannedAt) + 60_000).toISOString() };
    const first = await storeAudit(dbs[engine], run.report, run.inventory);
    stored = first.report;
    ids[engine].push(first.auditId);
    ids[engine].push((await storeAudit(dbs[engine], { ...later, findings: later.findings.slice(1) }, run.inventory)).auditId);
  }
}, 120_000);

afterAll(async () => {
  for (const db of Object.values(dbs)) await db?.close();
});

/** The same read on both engines: returns [sqlite, postgres]. */
async function both<T>(read: (db: Db, auditId: number) => Promise<T>): Promise<[T, T]> {
  return [await read(dbs.sqlite, ids.sqlite[1]!), await read(dbs.postgres, ids.postgres[1]!)];
}

describe("SQLite and PostgreSQL hold and return the same data", () => {
  it("stores the report whole and lists the audits alike", async () => {
    expect(await getAuditReport(dbs.postgres, ids.postgres[0]!)).toEqual(stored);
    expect(await listAudits(dbs.postgres)).toEqual(await listAudits(dbs.sqlite));
    expect(await countRows(dbs.postgres)).toEqual(await countRows(dbs.sqlite));
    expect((await countRows(dbs.postgres)).findings).toBe(2 * run.report.findings.length - 1);
  });

  it("counts findings per check and status as numbers", async () => {
    const [sqliteCounts, pgCounts] = await both(failingCountsByCheck);
    expect(pgCounts).toEqual(sqliteCounts);
    expect(pgCounts.length).toBeGreaterThan(0);
    expect(typeof pgCounts[0]!.count).toBe("number");
    const [a, b] = await both(statusCountsByCheck);
    const sorted = (rows: typeof a) => [...rows].sort((x, y) => `${x.checkId}${x.status}`.localeCompare(`${y.checkId}${y.status}`));
    expect(sorted(b)).toEqual(sorted(a));
  });

  it("reads the open findings alike, ids and all", async () => {
    const strip = (rows: { id: number; audit_id: number }[]) => rows.map(({ id: _id, audit_id: _a, ...rest }) => rest);
    const [a, b] = await both(openFindingRows);
    expect(strip(b)).toEqual(strip(a));
  });

  it("pages findings in every sort order and direction alike, with a search in another case", async () => {
    for (const sort of FINDING_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const filters = { status: "all", sort, dir };
        const page = (db: Db, id: number) => findingsPage(db, id, filters, { offset: 0, limit: 1000 });
        const [a, b] = await both(page);
        expect(
          b.map(({ id: _id, ...rest }) => rest),
          `${sort} ${dir}`,
        ).toEqual(a.map(({ id: _id, ...rest }) => rest));
      }
    }
    const [count, pgCount] = await both((db, id) => countFindings(db, id, { status: null, q: "ACME" }));
    expect(pgCount).toBe(count);
    expect(count).toBeGreaterThan(0);
  });

  it("lists applications in every sort order, filtered by text in another case", async () => {
    const sorts: ApplicationQuery["sort"][] = ["name", "account", "region", "readiness", "failing"];
    for (const sort of sorts) {
      for (const dir of ["asc", "desc"] as const) {
        const [a, b] = await both((db, id) => queryApplicationRows(db, id, { sort, dir }));
        expect(b, `${sort} ${dir}`).toEqual(a);
      }
    }
    const [a, b] = await both((db, id) => queryApplicationRows(db, id, { sort: "name", dir: "asc", q: "ACME" }));
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(0);
  });

  it("compares audits and dates first/last seen alike", async () => {
    const compare = (engine: "sqlite" | "postgres") => compareAudits(dbs[engine], ids[engine][0]!, ids[engine][1]!);
    expect(await compare("postgres")).toEqual(await compare("sqlite"));
    const [a, b] = await both(async (db, id) => {
      const rows = await findingsPage(db, id, { status: "all" }, { offset: 0, limit: 1000 });
      return rows.map((r) => [r.findingKey, r.firstSeen, r.lastSeen]).sort();
    });
    expect(b).toEqual(a);
    // The open findings are dated by their lifecycle (first seen in the first audit), the rest are not.
    const open = a.filter(([, firstSeen]) => firstSeen !== null);
    expect(open.length).toBeGreaterThan(0);
    expect(new Set(open.map(([, firstSeen, lastSeen]) => `${firstSeen} ${lastSeen}`)).size).toBe(1);
    expect(open[0]![1]).toBe(run.report.scannedAt);
  });
});
