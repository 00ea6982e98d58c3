/**
 * The findings page dates a finding by its lifecycle (issue 14.5, one meaning
 * of "first seen" with the report, exports and notifications): a finding that
 * warns, then fails, then passes, then fails again across four stored audits
 * was first seen at the fourth (reopened), not at the first audit that held it
 * failing; the row, the first-seen sort and the CSV say so, on SQLite and on
 * PostgreSQL. Passing findings have no seen dates ("—" on the page).
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit, type AuditRun } from "~/audit/run";
import type { AuditReport, Finding, FindingStatus } from "~/audit/types";
import type { Db } from "~/db/database";
import { exportFindings } from "~/dashboard/findings-export.server";
import { getFindingsPage } from "~/dashboard/findings.server";
import type { FindingFilters, FindingRow } from "~/dashboard/types";
import { parseCsv } from "../helpers/csv";
import { ENGINES, openTestDatabase } from "../helpers/postgres";
import { storeAudit } from "../helpers/store-audit";

const FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
const SCANS = ["2026-11-01T09:00:00.000Z", "2026-11-08T09:00:00.000Z", "2026-11-15T09:00:00.000Z", "2026-11-22T09:00:00.000Z"];
/** The changing finding's status in each audit. */
const STATUSES: FindingStatus[] = ["warn", "fail", "pass", "fail"];

let run: AuditRun;
let changing: Finding;

beforeAll(async () => {
  run = await runAudit({ fixture: FIXTURE });
  changing = run.report.findings.find((f) => f.status === "fail" && f.resource.name)!;
}, 120_000);

const sameFinding = (f: Finding) => f.checkId === changing.checkId && JSON.stringify(f.resource) === JSON.stringify(changing.resource);

function auditAt(n: number): AuditReport {
  const findings = run.report.findings.map((f) => (sameFinding(f) ? { ...f, status: STATUSES[n]! } : f));
  return { ...run.report, scannedAt: SCANS[n]!, findings };
}

const filters = (sort: FindingFilters["sort"], dir: "asc" | "desc"): FindingFilters => ({
  check: null,
  severity: null,
  status: "all",
  account: null,
  region: null,
  application: null,
  q: null,
  sort,
  dir,
  page: 1,
});

const isChanging = (r: FindingRow) => r.checkId === changing.checkId && r.name === changing.resource.name && r.accountId === changing.resource.accountId;

describe.each(ENGINES)("first and last seen on the findings page (%s)", (engine) => {
  let db: Db;
  let latest = 0;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("follows the lifecycle through warn, fail, pass and fail again", async () => {
    await storeAudit(db, auditAt(0), run.inventory);
    await storeAudit(db, auditAt(1), run.inventory);
    // warn→fail is one spell: first seen stays at the warning.
    let page = await getFindingsPage(db, filters("status", "asc"));
    expect(page.findings.filter(isChanging).map((r) => [r.status, r.firstSeen, r.lastSeen])).toEqual([["fail", SCANS[0], SCANS[1]]]);

    await storeAudit(db, auditAt(2), run.inventory);
    page = await getFindingsPage(db, filters("status", "asc"));
    expect(page.findings.filter(isChanging).map((r) => [r.status, r.firstSeen, r.lastSeen])).toEqual([["pass", null, null]]);

    latest = (await storeAudit(db, auditAt(3), run.inventory)).auditId;
    // Reopened: first seen starts again at the fourth audit (the second audit held it failing too).
    const newest = await getFindingsPage(db, filters("first-seen", "desc"));
    expect(newest.findings.length).toBeGreaterThan(1);
    expect(newest.findings[0]).toMatchObject({ status: "fail", firstSeen: SCANS[3], lastSeen: SCANS[3] });
    expect(isChanging(newest.findings[0]!)).toBe(true);
    expect(newest.findings[1]!.firstSeen).toBe(SCANS[0]);

    const oldest = await getFindingsPage(db, filters("first-seen", "asc"));
    const dated = oldest.findings.filter((r) => r.firstSeen !== null);
    expect(dated.at(-1)).toMatchObject({ status: "fail", firstSeen: SCANS[3] });
    expect(isChanging(dated.at(-1)!)).toBe(true);
    expect(dated.every((r) => r.status === "fail" || r.status === "warn")).toBe(true);
    // Passing findings carry no seen dates, and sort after the dated ones in both directions.
    expect(oldest.findings.slice(dated.length).every((r) => r.firstSeen === null && r.lastSeen === null)).toBe(true);
    expect(newest.findings.slice(0, dated.length).every((r) => r.firstSeen !== null)).toBe(true);
  });

  it("writes the same dates in the dashboard CSV", async () => {
    const out = await exportFindings({ db, auditId: latest, format: "csv", filters: filters("first-seen", "desc") });
    expect(out).not.toBeNull();
    const text = await new Response(out!.body).text();
    const [header, first] = parseCsv(text);
    const cell = (name: string) => first![header!.indexOf(name)];
    expect([cell("checkId"), cell("status"), cell("firstSeen"), cell("lastSeen"), cell("reopened")]).toEqual([
      changing.checkId,
      "fail",
      SCANS[3],
      SCANS[3],
      "1",
    ]);
  });
});
