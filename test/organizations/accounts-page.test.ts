/**
 * The accounts page after an organisation audit, through its loader as Remix
 * calls it: every target with its name and OU path, how it was read, the read's
 * status with the error in words and what to deploy, its applications by
 * readiness, and the skipped accounts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { hashPassword, parsePasswordHash } from "~/auth/password.server";
import { setConfig } from "~/config.server";
import { openDatabase, type Db } from "~/db/database";
import { skipReasonInWords } from "~/dashboard/accounts.server";
import { getApplicationPage } from "~/dashboard/application.server";
import { id36 } from "../audit/fleet-builder";
import { accountCredentials } from "~/local-aws/fixture-types";
import * as accountsRoute from "~/routes/accounts";
import * as overviewRoute from "~/routes/_index";
import { args, getRequest, sessionOf, thrown } from "../helpers/dashboard-requests";
import { EXTERNAL_ID, MANAGEMENT, REGION, SUSPENDED, WITHOUT_ROLE, WITH_EXTERNAL_ID, WITH_ROLE, auditedOrganization } from "./org-fleet";

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-accounts-"));
  const hash = parsePasswordHash(await hashPassword("password"));
  const dbPath = path.join(dir, "audits.sqlite");
  setConfig({
    port: 0,
    host: "127.0.0.1",
    db: dbPath,
    auth: { mode: "builtin", users: [{ username: "victor", role: "viewer", passwordHash: hash }] },
    session: { secret: "accounts-test-secret-0123456789", secretIsRandom: false },
  });
  db = await openDatabase(dbPath);
  await runAudit({
    fixture: auditedOrganization(),
    credentials: accountCredentials(MANAGEMENT),
    regions: [REGION],
    organization: { externalId: EXTERNAL_ID },
    db,
  });
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("/accounts", () => {
  it("lists every target by name and OU path, how it was read, and what to deploy where it could not", async () => {
    const page = await accountsRoute.loader(args(getRequest("/accounts", await sessionOf("victor"))));
    expect(page.organization).toEqual({ organizationId: "o-a1b2c3d4e5", managementAccountId: MANAGEMENT });
    const row = (accountId: string) => page.targets.find((t) => t.accountId === accountId)!;
    expect(row(MANAGEMENT)).toMatchObject({ accountName: "Management", ouPath: "Root", readVia: "directly", status: "ok", problem: null });
    expect(row(MANAGEMENT).applications).toEqual({ total: 1, ready: 1, "not-ready": 0, unsupported: 0, unknown: 0 });
    expect(row(WITH_ROLE)).toMatchObject({
      accountName: "Prod Assistant",
      ouPath: "Root/Workloads/Prod",
      readVia: `arn:aws:iam::${WITH_ROLE}:role/QbizReadinessAudit`,
      usesExternalId: true,
      status: "ok",
      applications: { total: 1, "not-ready": 1 },
    });
    expect(row(WITH_EXTERNAL_ID).status).toBe("ok");
    expect(row(WITHOUT_ROLE)).toMatchObject({ accountName: "Workloads New", status: "error", applications: { total: 0 } });
    expect(row(WITHOUT_ROLE).problem).toContain(`Deploy the QbizReadinessAudit role in account ${WITHOUT_ROLE}`);
    expect(page.skipped).toEqual([{ accountId: SUSPENDED, name: "Old Workload", status: "SUSPENDED", ouPath: "Root/Workloads", reason: "suspended" }]);
    expect(skipReasonInWords("suspended")).toBe("suspended: nothing to read");
  });

  it("the overview names each application's account", async () => {
    const page = await overviewRoute.loader(args(getRequest("/", await sessionOf("victor"))));
    const accounts = (page as { applications: { accountId: string; accountName?: string }[] }).applications.map((a) => [a.accountId, a.accountName]);
    expect(accounts).toContainEqual([WITH_ROLE, "Prod Assistant"]);
    expect(accounts).toContainEqual([MANAGEMENT, "Management"]);
    const app = await getApplicationPage(db, { accountId: WITH_ROLE, region: REGION, applicationId: id36("prod-app") });
    expect(app?.accountName).toBe("Prod Assistant");
  });

  it("needs a signed-in user", async () => {
    const response = await thrown(accountsRoute.loader(args(getRequest("/accounts", null))));
    expect(response.status).toBe(302);
  });
});
