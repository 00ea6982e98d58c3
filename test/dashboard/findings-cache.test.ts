/**
 * The page cache with paging (issue 11.3): every page, sort and search of the
 * findings page and the applications table is its own entry, equal to what
 * the uncached loader gives, on a real SQLite file with the large history.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedFindingsPage, cachedOverview } from "~/dashboard/cache.server";
import { parseApplicationFilters, parseFindingFilters } from "~/dashboard/filters";
import { getFindingsPage } from "~/dashboard/findings.server";
import { getOverview } from "~/dashboard/overview.server";
import { openDatabase, type Db } from "~/db/database";
import { writeLargeHistory } from "./findings-fleet";

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-findings-cache-"));
  const file = path.join(dir, "history.sqlite");
  await writeLargeHistory(file);
  db = await openDatabase(file);
}, 120_000);

afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the page cache with paging", () => {
  it("keeps each page of each findings view apart, each equal to the uncached page", async () => {
    const views = ["status=all", "status=all&page=2", "status=all&page=173", "status=all&sort=check&dir=desc&page=2", "q=app-01&page=2"];
    const ids: number[][] = [];
    for (const query of views) {
      const filters = parseFindingFilters(new URLSearchParams(query));
      const cached = await cachedFindingsPage(db, filters);
      expect(cached, query).toEqual(await getFindingsPage(db, filters));
      expect(await cachedFindingsPage(db, filters)).toBe(cached);
      ids.push(cached.findings.map((f) => f.id));
    }
    expect(new Set(ids.map((page) => page.join(","))).size).toBe(views.length);
    expect(ids[0].filter((id) => ids[1].includes(id))).toEqual([]);
  });

  it("keeps each page of the applications table apart", async () => {
    const first = await cachedOverview(db, parseApplicationFilters(new URLSearchParams("sort=name")));
    const second = await cachedOverview(db, parseApplicationFilters(new URLSearchParams("sort=name&page=2")));
    expect(first.applications[0].displayName).toBe("app-000");
    expect(second.applications[0].displayName).toBe("app-050");
    expect(second).toEqual(await getOverview(db, parseApplicationFilters(new URLSearchParams("sort=name&page=2"))));
  });
});
