/**
 * The overview's counts agree (issue 11 item 5): after a real audit of the demo
 * fleet (the SDK over HTTP to the local AWS, a real SQLite file), in which one
 * target refuses ListApplications, the cards add up to the total, the
 * unreadable target is shown beside Unknown and said plainly, and the note,
 * the cards and the donut's totals come from one definition.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderToStaticMarkup } from "react-dom/server";
import { StaticRouter } from "react-router-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit, type AuditRun } from "~/audit/run";
import { FleetTotals } from "~/components/FleetTotals";
import { fleetCounts, unreadableSummary } from "~/dashboard/counts";
import { parseApplicationFilters } from "~/dashboard/filters";
import { getOverview, type Overview } from "~/dashboard/overview.server";
import { openDatabase, type Db } from "~/db/database";
import { REPO_ROOT } from "../browser/harness";

const DEMO = path.join(REPO_ROOT, "app/local-aws/fixtures/demo-fleet.json");

let dir: string;
let db: Db;
let run: AuditRun;
let overview: Overview;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-counts-"));
  db = await openDatabase(path.join(dir, "counts.sqlite"));
  run = await runAudit({ fixture: DEMO, db });
  overview = await getOverview(db, parseApplicationFilters(new URLSearchParams()));
}, 120_000);
afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The cards as a user reads them: each tile's number and label. */
function renderedTiles(): { html: string; tiles: Record<string, number> } {
  const html = renderToStaticMarkup(
    <StaticRouter location="/">
      <FleetTotals counts={overview.counts} />
    </StaticRouter>,
  );
  const tiles: Record<string, number> = {};
  for (const m of html.matchAll(/data-testid="total-([a-z-]+)"[^>]*>(?:<span[^>]*>)?(\d+)</g)) tiles[m[1]] = Number(m[2]);
  return { html, tiles };
}

describe("the overview's counts of the demo fleet", () => {
  it("has one target that could not be read and no applications from it", () => {
    const unreadable = run.report.targets.filter((t) => t.status === "error");
    expect(unreadable).toHaveLength(1);
    expect(run.report.applications.some((a) => a.accountId === unreadable[0].accountId && a.region === unreadable[0].region)).toBe(false);
    expect(overview.counts.targets).toMatchObject({ total: run.report.targets.length, read: run.report.targets.length - 1 });
    expect(overview.counts.targets.unreadable.map((t) => `${t.accountId} ${t.region}`)).toEqual(unreadable.map((t) => `${t.accountId} ${t.region}`));
  });

  it("shows cards that add up to the total, the total being the applications the audit read", () => {
    const { tiles } = renderedTiles();
    expect(Object.keys(tiles).sort()).toEqual(["applications", "not-ready", "ready", "unknown", "unsupported"]);
    expect(tiles.ready + tiles["not-ready"] + tiles.unsupported + tiles.unknown).toBe(tiles.applications);
    expect(tiles.applications).toBe(run.report.applications.length);
    // The donut reads the same totals as the cards.
    expect(overview.totals).toEqual(overview.counts.applications);
  });

  it("shows the unreadable target beside the Unknown card and says plainly why its applications are not counted", () => {
    const { html } = renderedTiles();
    expect(html).toMatch(/data-testid="unknown-targets"[^>]*>\+ 1 target not read \(applications not counted\)/);
    expect(html).toContain("read in 5 of 6 targets");
    const note = unreadableSummary(overview.counts);
    expect(note).toBe(
      `1 target of 6 could not be read: its applications could not be listed, so how many there are is unknown and they are not in the ${run.report.applications.length} applications counted below.`,
    );
  });

  it("says nothing about unreadable targets when every target was read", () => {
    const counts = fleetCounts(
      overview.counts.applications,
      run.report.targets.filter((t) => t.status === "ok"),
      () => "",
    );
    expect(unreadableSummary(counts)).toBeNull();
    expect(counts.targets).toEqual({ total: 5, read: 5, unreadable: [] });
  });
});
