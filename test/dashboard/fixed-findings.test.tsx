/**
 * The "Fixed findings" page as it renders (issue 14.5), from its loader's
 * data after audits of a changing fleet on the local AWS into a real SQLite
 * file: the data source fully synced reads "Check passes … 3 days", the
 * deleted application's findings "Resource gone", most recent first.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { FixedFindings } from "~/components/FixedFindings";
import { getFixedPage } from "~/dashboard/fixed.server";
import { openDatabase, type Db } from "~/db/database";
import { accountCredentials } from "~/local-aws/fixture-types";
import { AFTER, documents, syncJob } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { PROD, REGION, SANDBOX, WEST, suppressionFleet } from "../suppressions/fleet";

const DAY = 86_400_000;
let aws: TestAws;
let db: Db;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-fixed-page-"));
  db = await openDatabase(path.join(dir, "audits.sqlite"));
  aws = await startTestAws(suppressionFleet());
});
afterAll(async () => {
  await aws.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function auditAfter(ms: number) {
  aws.aws.clock.advance(ms);
  const targets = targetsForFixture(aws.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  return runAudit({ targets, endpoint: aws.aws.endpoint, db, notify: false, securityHub: false, now: () => aws.aws.clock.now() });
}

const text = (html: string) =>
  html
    .replace(/<wbr\s*\/?>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

async function render(params = ""): Promise<string> {
  const page = await getFixedPage(db, new URLSearchParams(params));
  // One page of results: no pager links, so no router is needed to render it.
  return text(renderToStaticMarkup(<FixedFindings page={page} />));
}

it("lists fixed findings, most recently fixed first, with how and after how long", async () => {
  await auditAfter(0);
  expect(await render()).toContain("No finding has been fixed yet");

  const ds = aws.aws.fleet.accounts.find((a) => a.accountId === PROD)!.regions[WEST]!.applications[0]!.indices[0]!.dataSources[0]!;
  ds.syncJobs = [syncJob("prod-full", AFTER)];
  ds.documents = documents(2, "2025-08-01T10:01:00.000Z");
  await auditAfter(3 * DAY);
  const apps = aws.aws.fleet.accounts.find((a) => a.accountId === SANDBOX)!.regions[REGION]!.applications;
  apps.splice(
    apps.findIndex((a) => a.displayName === "faq-bot"),
    1,
  );
  await auditAfter(DAY);

  const shown = await render();
  expect(shown).toMatch(/Showing 1–\d+ of \d+ fixed findings/);
  const gone = shown.indexOf("Resource gone");
  const passed = shown.indexOf("Check passes");
  expect(gone).toBeGreaterThan(0);
  expect(passed).toBeGreaterThan(gone); // fixed a day earlier: listed after
  expect(shown).toMatch(/faq-bot \d{12} \/ us-east-1 Resource gone .* 4 days/);
  expect(shown).toMatch(/Check passes .* 3 days since/);
});
