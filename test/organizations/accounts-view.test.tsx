/**
 * The accounts page as it renders, from the data its loader returns after an
 * organisation audit: names, OU paths, how each target is read, what to
 * deploy where it could not be read, and the skipped accounts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { AccountsView } from "~/components/AccountsView";
import { getAccountsPage } from "~/dashboard/accounts.server";
import { openDatabase, type Db } from "~/db/database";
import { accountCredentials } from "~/local-aws/fixture-types";
import { MANAGEMENT, REGION, WITHOUT_ROLE, WITH_ROLE, auditedOrganization } from "./org-fleet";

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-accounts-view-"));
  db = await openDatabase(path.join(dir, "a.sqlite"));
  await runAudit({ fixture: auditedOrganization(), credentials: accountCredentials(MANAGEMENT), regions: [REGION], organization: {}, db });
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/ ([).:,])/g, "$1");

it("shows each account by name with its OU path, how it is read, and what to deploy where it could not be read", async () => {
  const html = renderToStaticMarkup(<AccountsView page={await getAccountsPage(db)} />);
  const shown = text(html);
  expect(shown).toContain("From AWS Organizations o-a1b2c3d4e5 (management account 111100000000)");
  expect(shown).toMatch(/Management 111100000000 Root us-east-1 directly read 1 1 ready · 0 not ready/);
  expect(shown).toContain(
    `Prod Assistant ${WITH_ROLE} Root/Workloads/Prod us-east-1 through arn:aws:iam::${WITH_ROLE}:role/QbizReadinessAudit read 1 0 ready · 1 not ready`,
  );
  expect(shown).toContain(`Workloads New ${WITHOUT_ROLE} Root/Workloads us-east-1 through arn:aws:iam::${WITHOUT_ROLE}:role/QbizReadinessAudit not read`);
  expect(shown).toContain(`Deploy the QbizReadinessAudit role in account ${WITHOUT_ROLE}`);
  expect(shown).toContain("Skipped Old Workload 600000000004 (Root/Workloads): suspended: nothing to read");
  expect(html).toContain(`href="/?account=${WITH_ROLE}&amp;region=us-east-1"`);
});
