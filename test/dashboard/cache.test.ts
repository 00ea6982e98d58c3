/**
 * The dashboard's page cache (issue 10, item 8): the cached overview,
 * findings and application pages are the uncached ones for the same audit,
 * are reused for equal filters, and give way to a newly stored audit (also
 * one stored through another handle, as the CLI does) or an invalidation.
 * A real SQLite file filled by real audits of the demo fleet; no timings.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { openDatabase, type Db } from "~/db/database";
import { getApplicationPage } from "~/dashboard/application.server";
import { BoundedLru, CACHE_ENTRIES, cachedApplicationPage, cachedFindingsPage, cachedOverview, invalidateDashboardCache } from "~/dashboard/cache.server";
import { parseApplicationFilters, parseFindingFilters } from "~/dashboard/filters";
import { getFindingsPage } from "~/dashboard/findings.server";
import { getOverview } from "~/dashboard/overview.server";

const DEMO_FLEET = fileURLToPath(new URL("../../app/local-aws/fixtures/demo-fleet.json", import.meta.url));
const params = (query: string) => new URLSearchParams(query);

let dir: string;
let file: string;
let db: Db;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-cache-"));
  file = path.join(dir, "history.sqlite");
  db = await openDatabase(file);
  await runAudit({ fixture: DEMO_FLEET, db });
}, 120_000);

afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the page cache", () => {
  it("gives the overview the uncached loader gives, for each filter set, and reuses it for equal filters", async () => {
    for (const query of ["", "readiness=not-ready", "sort=name&dir=desc", "q=zzz-no-such-app"]) {
      const filters = parseApplicationFilters(params(query));
      const cached = await cachedOverview(db, filters);
      expect(cached).toEqual(await getOverview(db, filters));
      expect(await cachedOverview(db, parseApplicationFilters(params(query)))).toBe(cached);
    }
    // The same filters written in another order (and with empty members) share one entry.
    const a = await cachedOverview(db, parseApplicationFilters(params("readiness=not-ready&sort=name")));
    const b = await cachedOverview(db, parseApplicationFilters(params("sort=name&q=&readiness=not-ready")));
    expect(b).toBe(a);
  });

  it("gives the findings page and an application page the uncached loaders give", async () => {
    for (const query of ["", "status=all", "severity=high&status=fail"]) {
      const filters = parseFindingFilters(params(query));
      expect(await cachedFindingsPage(db, filters)).toEqual(await getFindingsPage(db, filters));
    }
    const overview = await getOverview(db, parseApplicationFilters(params("")));
    expect(overview.applications.length).toBeGreaterThan(0);
    for (const app of overview.applications.slice(0, 3)) {
      const key = { accountId: app.accountId, region: app.region, applicationId: app.applicationId };
      const page = await cachedApplicationPage(db, key);
      expect(page?.displayName).toBe(app.displayName);
      expect(page).toEqual(await getApplicationPage(db, key));
    }
    expect(await cachedApplicationPage(db, { accountId: "000000000000", region: "us-east-1", applicationId: "nope" })).toBeNull();
  });

  it("shows a newly stored audit, also one stored through another handle on the file (the CLI)", async () => {
    const filters = parseApplicationFilters(params(""));
    const before = await cachedOverview(db, filters);
    const findingsBefore = await cachedFindingsPage(db, parseFindingFilters(params("")));
    const other = await openDatabase(file);
    let newId: number | undefined;
    try {
      newId = (await runAudit({ fixture: DEMO_FLEET, db: other })).auditId;
    } finally {
      await other.close();
    }
    expect(newId).toBeGreaterThan(before.audit!.id);
    const after = await cachedOverview(db, filters);
    expect(after.audit!.id).toBe(newId);
    expect(after).toEqual(await getOverview(db, filters));
    expect(after.trend.length).toBe(before.trend.length + 1);
    const findingsAfter = await cachedFindingsPage(db, parseFindingFilters(params("")));
    expect(findingsAfter.audit!.id).toBe(newId);
    expect(findingsBefore.audit!.id).not.toBe(newId);
  }, 120_000);

  it("computes the page again after an invalidation (a scan stored an audit, a fix recorded activity)", async () => {
    const filters = parseApplicationFilters(params(""));
    const first = await cachedOverview(db, filters);
    invalidateDashboardCache(db);
    const again = await cachedOverview(db, filters);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    invalidateDashboardCache();
    expect(await cachedOverview(db, filters)).not.toBe(again);
  });
});

describe("BoundedLru", () => {
  it("keeps at most its bound, dropping the least recently used", () => {
    const lru = new BoundedLru<number>(CACHE_ENTRIES);
    for (let i = 0; i < CACHE_ENTRIES; i++) lru.set(`k${i}`, i);
    expect(lru.get("k0")).toBe(0); // k0 is now the most recent; k1 the least
    lru.set("new", -1);
    expect(lru.size).toBe(CACHE_ENTRIES);
    expect(lru.get("k1")).toBeUndefined();
    expect(lru.get("k0")).toBe(0);
    expect(lru.get("new")).toBe(-1);
  });
});
