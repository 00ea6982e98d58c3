/**
 * The dashboard's loaders and actions, called as Remix calls them (a Request
 * with the session cookie), over a real SQLite file filled by real audits
 * (runAudit through the SDK against the local AWS) of a small fleet.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compareAudits, getAuditReport, latestAuditId } from "~/audit/history";
import { runAudit } from "~/audit/run";
import { allChecks } from "~/audit/checks";
import { CSRF_FIELD } from "~/auth/csrf-input";
import { hashPassword, parsePasswordHash } from "~/auth/password.server";
import { getConfig, setConfig, type Config } from "~/config.server";
import { openDatabase, type Db } from "~/db/database";
import { accountCredentials, type Fixture } from "~/local-aws/fixture-types";
import { getApplicationPage } from "~/dashboard/application.server";
import { compareStoredAudits } from "~/dashboard/changes.server";
import { scanFinished, scanStatus, startScan, startScanScheduler } from "~/dashboard/scans.server";
import * as overview from "~/routes/_index";
import * as applicationRoute from "~/routes/applications.$accountId.$region.$applicationId";
import * as findingsRoute from "~/routes/findings";
import * as exportRoute from "~/routes/findings.export.$format";
import * as checksRoute from "~/routes/checks";
import * as changesRoute from "~/routes/changes";
import * as scanRoute from "~/routes/scan";
import {
  AFTER,
  BEFORE,
  account,
  allowGetDocumentContent,
  application,
  auditRole,
  dataSource,
  documents,
  fleet,
  id36,
  index,
  roleArn,
  syncJob,
  webExperience,
  webRole,
} from "../audit/fleet-builder";
import { args, BASE, formPost, getRequest, sessionOf, thrown, type Who } from "../helpers/dashboard-requests";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const A = "111122223333";
const B = "444455556666";

// ------------------------------------------------------------------ the fleet

/** A data source whose only job after the cutoff ran incrementally (FULL_CRAWL), documents older than the cutoff. */
function incrementalSource(label: string) {
  return dataSource(label, {
    configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
    syncJobs: [syncJob(`${label}-first`, "2024-06-01T10:00:00.000Z"), syncJob(`${label}-incr`, AFTER)],
    documents: documents(3, BEFORE, label),
  });
}

/** A data source fully synced after the cutoff (FORCED_FULL_CRAWL, unchanged since), documents re-ingested. */
function fullySyncedSource(label: string) {
  return dataSource(label, {
    configuration: { type: "S3", version: "1.0.0", syncMode: "FORCED_FULL_CRAWL" },
    syncJobs: [syncJob(`${label}-first`, "2024-06-01T10:00:00.000Z"), syncJob(`${label}-full`, AFTER)],
    documents: documents(3, "2025-08-01T10:05:00.000Z", label),
  });
}

/**
 * Audit 1: hr-assistant not ready (incremental sync only), sales-bot ready,
 * public-faq unsupported (anonymous), legal-search not ready (role lacks
 * GetDocumentContent). Audit 2: hr-assistant fixed, sales-bot regressed.
 */
function buildFleet(hrFixed: boolean): Fixture {
  const webRoleA = roleArn(A, "QBusinessWebRole");
  return fleet([
    account(
      A,
      {
        "us-east-1": [
          application(
            "hr-assistant",
            [index("hr-index", [hrFixed ? fullySyncedSource("hr-data") : incrementalSource("hr-data")])],
            [webExperience("hr-web", webRoleA)],
          ),
          application(
            "sales-bot",
            [index("sales-index", [hrFixed ? incrementalSource("sales-data") : fullySyncedSource("sales-data")])],
            [webExperience("sales-web", webRoleA)],
          ),
        ],
        "eu-west-1": [application("public-faq", [index("faq-index", [])], [], { identityType: "ANONYMOUS" })],
      },
      {
        iam: {
          roles: [
            webRole("QBusinessWebRole", allowGetDocumentContent([`arn:aws:qbusiness:*:${A}:application/*`, `arn:aws:qbusiness:*:${A}:application/*/index/*`])),
          ],
        },
      },
    ),
    account(
      B,
      {
        "us-west-2": [
          application("legal-search", [index("legal-index", [fullySyncedSource("legal-data")])], [webExperience("legal-web", roleArn(B, "LegalWebRole"))]),
        ],
      },
      {
        iam: {
          roles: [webRole("LegalWebRole", []), auditRole(A)],
        },
      },
    ),
  ]);
}

// ------------------------------------------------------------------ sign-in and requests

let dir: string;
let db: Db;
let config: Config;
let firstAuditId: number;
let latestId: number;

let operator: Who;
let viewer: Who;

function get(pathAndQuery: string, who: { cookie: string } | null = viewer) {
  return getRequest(pathAndQuery, who);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-pages-"));
  const hash = parsePasswordHash(await hashPassword("correct horse"));
  config = {
    port: 0,
    host: "127.0.0.1",
    db: path.join(dir, "audits.sqlite"),
    auth: {
      mode: "builtin",
      users: [
        { username: "olivia", role: "operator", passwordHash: hash },
        { username: "victor", role: "viewer", passwordHash: hash },
      ],
    },
    session: { secret: "pages-test-secret-0123456789", secretIsRandom: false },
  };
  setConfig(config);
  db = await openDatabase(config.db);
  firstAuditId = (await runAudit({ fixture: buildFleet(false), db })).auditId!;
  // A full audit: this fleet's second state takes sales-data's documents back before the cutoff, which real
  // AWS cannot do (updatedAt only moves forward), so stored evidence must not be reused for it (ADR 0010).
  latestId = (await runAudit({ fixture: buildFleet(true), db, full: true })).auditId!;
  operator = await sessionOf("olivia");
  viewer = await sessionOf("victor");
});

afterAll(async () => {
  await db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ overview

it.each([
  ["/findings", findingsRoute.loader, {}],
  ["/findings/export/json", exportRoute.loader, { format: "json" }],
  ["/checks", checksRoute.loader, {}],
  ["/changes", changesRoute.loader, {}],
  ["/scan", scanRoute.loader, {}],
  ["/applications/x/y/z", applicationRoute.loader, { accountId: A, region: "us-east-1", applicationId: id36("sales-bot") }],
] as const)("page %s redirects a signed-out visitor to sign in", async (pathname, loader, params) => {
  const response = await thrown((loader as (a: ReturnType<typeof args>) => Promise<unknown>)(args(get(pathname, null), params)));
  expect(response.status).toBe(302);
  expect(response.headers.get("location")).toBe(`/sign-in?redirectTo=${encodeURIComponent(pathname)}`);
});

describe("overview /", () => {
  it("redirects a signed-out visitor to the sign-in page", async () => {
    const response = await thrown(overview.loader(args(get("/", null))));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/sign-in\?redirectTo=%2F/);
  });

  it("shows the totals of the latest stored audit's summary, and its time", async () => {
    const data = await overview.loader(args(get("/")));
    const report = (await getAuditReport(db, latestId))!;
    expect(data.audit).toMatchObject({ id: latestId, scannedAt: report.scannedAt });
    expect(data.totals).toEqual(report.summary.applications);
    expect(data.totals).toMatchObject({ total: 4, ready: 1, notReady: 2, unsupported: 1 });
    expect(data.applications).toHaveLength(4);
  });

  it("draws readiness over time from every stored audit, oldest first", async () => {
    const data = await overview.loader(args(get("/")));
    expect(data.trend.map((p) => p.auditId)).toEqual([firstAuditId, latestId]);
    expect(data.trend[0]).toMatchObject({ ready: 1, notReady: 2, unsupported: 1 });
  });

  it("counts failing findings by check for the bar chart", async () => {
    const data = await overview.loader(args(get("/")));
    const report = (await getAuditReport(db, latestId))!;
    const fullSync = report.findings.filter((f) => f.checkId === "datasource-full-sync-missing" && f.status === "fail").length;
    expect(fullSync).toBeGreaterThan(0);
    expect(data.failingByCheck.find((c) => c.checkId === "datasource-full-sync-missing")?.count).toBe(fullSync);
  });

  it("filters the applications by readiness", async () => {
    const data = await overview.loader(args(get("/?readiness=not-ready")));
    expect(data.applications.map((a) => a.displayName).sort()).toEqual(["legal-search", "sales-bot"]);
    expect(data.applicationsTotal).toBe(4);
  });

  it("filters the applications by account and by region", async () => {
    const byAccount = await overview.loader(args(get(`/?account=${B}`)));
    expect(byAccount.applications.map((a) => a.displayName)).toEqual(["legal-search"]);
    const byRegion = await overview.loader(args(get(`/?account=${A}&region=eu-west-1`)));
    expect(byRegion.applications.map((a) => a.displayName)).toEqual(["public-faq"]);
  });

  it("filters the applications to those where a given check fails", async () => {
    const data = await overview.loader(args(get("/?check=webexperience-role-getdocumentcontent")));
    expect(data.applications.map((a) => a.displayName)).toEqual(["legal-search"]);
  });

  it("searches by name or by application id", async () => {
    const byName = await overview.loader(args(get("/?q=SALES")));
    expect(byName.applications.map((a) => a.displayName)).toEqual(["sales-bot"]);
    const byId = await overview.loader(args(get(`/?q=${id36("public-faq").slice(0, 20)}`)));
    expect(byId.applications.map((a) => a.displayName)).toEqual(["public-faq"]);
  });

  it("sorts by name in both directions", async () => {
    const asc = await overview.loader(args(get("/?sort=name&dir=asc")));
    expect(asc.applications.map((a) => a.displayName)).toEqual(["hr-assistant", "legal-search", "public-faq", "sales-bot"]);
    const desc = await overview.loader(args(get("/?sort=name&dir=desc")));
    expect(desc.applications.map((a) => a.displayName)).toEqual(["sales-bot", "public-faq", "legal-search", "hr-assistant"]);
  });

  it("offers the audit's accounts, regions and checks as filter choices", async () => {
    const data = await overview.loader(args(get("/")));
    expect(data.options.accounts).toEqual([A, B]);
    expect(data.options.regions).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);
    expect(data.options.checks.map((c) => c.id)).toContain("datasource-full-sync-missing");
  });

  it("tells a viewer that scanning is for operators", async () => {
    expect((await overview.loader(args(get("/", viewer)))).canScan).toBe(false);
    expect((await overview.loader(args(get("/", operator)))).canScan).toBe(true);
  });
});

// ------------------------------------------------------------------ application page

describe("application page", () => {
  const salesBot = { accountId: A, region: "us-east-1", applicationId: id36("sales-bot") };

  it("shows identity, status, ARN, console link and readiness", async () => {
    const page = await applicationRoute.loader(args(get("/"), salesBot));
    expect(page).toMatchObject({
      displayName: "sales-bot",
      identityType: "AWS_IAM_IDC",
      status: "ACTIVE",
      readiness: "not-ready",
      applicationArn: `arn:aws:qbusiness:us-east-1:${A}:application/${salesBot.applicationId}`,
      consoleUrl: `https://us-east-1.console.aws.amazon.com/amazonq/business/applications/${salesBot.applicationId}?region=us-east-1`,
    });
    expect(page.audit.id).toBe(latestId);
  });

  it("explains a missing full sync in words, with the error users see and the fix", async () => {
    const page = await applicationRoute.loader(args(get("/"), salesBot));
    const finding = page.findings.find((f) => f.checkId === "datasource-full-sync-missing")!;
    expect(finding.status).toBe("fail");
    expect(finding.evidence).toContain("Last confirmed full sync: none");
    const jobs = finding.evidence.find((line) => line.startsWith("Jobs after 07/02/2025"))!;
    expect(jobs).toMatch(/SUCCEEDED 2025-08-01, mode incremental \(.*FULL_CRAWL.*\)/);
    expect(finding.evidence.join("\n")).not.toMatch(/[{}]/);
    expect(finding.endUserError).toMatch(/requires a full connector sync performed after 07\/02\/2025/);
    expect(finding.fix).toBeTruthy();
    expect(finding.remediation).toBe("full-sync");
  });

  it("lists failing findings before passing ones", async () => {
    const page = await applicationRoute.loader(args(get("/"), salesBot));
    const firstPass = page.findings.findIndex((f) => f.status === "pass");
    expect(page.findings.slice(firstPass).every((f) => f.status === "pass")).toBe(true);
    expect(page.findings[0].status).toBe("fail");
  });

  it("shows each data source's sync mode, last syncs, stale documents and its jobs for the chart", async () => {
    const page = await applicationRoute.loader(args(get("/"), salesBot));
    const ds = page.indices[0].dataSources[0];
    expect(ds).toMatchObject({
      name: "sales-data",
      type: "S3",
      syncMode: "FULL_CRAWL",
      lastConfirmedFullSync: null,
      staleDocuments: 3,
    });
    expect(ds.lastSuccessfulSync).toBe(AFTER);
    expect(ds.jobs.map((j) => j.startTime).sort()).toContain(AFTER);
    expect(ds.jobs.every((j) => typeof j.added === "number")).toBe(true);
  });

  it("gives the last confirmed full sync of a fixed data source", async () => {
    const page = await applicationRoute.loader(args(get("/"), { ...salesBot, applicationId: id36("hr-assistant") }));
    expect(page.readiness).toBe("ready");
    expect(page.indices[0].dataSources[0].lastConfirmedFullSync).toBe(AFTER);
  });

  it("shows the web experience role's decision per resource with the deciding statement", async () => {
    const page = await applicationRoute.loader(args(get("/"), { ...salesBot, applicationId: id36("hr-assistant") }));
    const web = page.webExperiences[0];
    expect(web.roleArn).toBe(roleArn(A, "QBusinessWebRole"));
    expect(web.decisions.length).toBeGreaterThanOrEqual(2);
    expect(web.decisions.every((d) => d.decision === "allowed")).toBe(true);
    expect(web.decisions[0].statements[0]).toMatchObject({ sid: "QBusinessGetDocumentContentPermission", effect: "Allow" });
  });

  it("says the role is not allowed GetDocumentContent where it is not", async () => {
    const page = await applicationRoute.loader(args(get("/"), { accountId: B, region: "us-west-2", applicationId: id36("legal-search") }));
    expect(page.webExperiences[0].decisions.every((d) => d.decision === "implicitDeny")).toBe(true);
    const finding = page.findings.find((f) => f.checkId === "webexperience-role-getdocumentcontent")!;
    expect(finding.status).toBe("fail");
    expect(finding.endUserError).toMatch(/lacks the required permissions/);
    expect(finding.evidence.some((l) => /not allowed/.test(l))).toBe(true);
  });

  it("words the evidence of every check in the demo fleet without raw JSON", async () => {
    const demoDb = await openDatabase(path.join(dir, "demo.sqlite"));
    try {
      const { report } = await runAudit({ fixture: fileURLToPath(new URL("../../app/local-aws/fixtures/demo-fleet.json", import.meta.url)), db: demoDb });
      const seen = new Set<string>();
      for (const app of report.applications) {
        for (const finding of (await getApplicationPage(demoDb, app))!.findings) {
          seen.add(finding.checkId);
          expect(finding.evidence.length, `${finding.checkId} of ${app.displayName}`).toBeGreaterThan(0);
          for (const line of finding.evidence) expect(line, finding.checkId).not.toMatch(/[{}]|\[object|undefined|NaN/);
        }
      }
      // Every check but the target one (its findings have no application) shows on an application page.
      expect([...seen].sort()).toEqual(
        allChecks
          .map((c) => c.metadata.id)
          .filter((id) => id !== "scan-target-unreadable")
          .sort(),
      );
    } finally {
      await demoDb.close();
    }
  });

  it("answers 404 with words for an application the latest audit does not have", async () => {
    const response = await thrown(applicationRoute.loader(args(get("/"), { ...salesBot, applicationId: id36("gone") })));
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/has no application/);
  });
});

// ------------------------------------------------------------------ findings and exports

describe("findings page", () => {
  it("lists the latest audit's findings that do not pass by default", async () => {
    const data = await findingsRoute.loader(args(get("/findings")));
    const report = (await getAuditReport(db, latestId))!;
    expect(data.paging.matching).toBe(report.findings.filter((f) => f.status !== "pass").length);
    expect(data.findings.every((f) => f.status !== "pass")).toBe(true);
  });

  it("includes passing findings when asked for all", async () => {
    const data = await findingsRoute.loader(args(get("/findings?status=all")));
    expect(data.paging.matching).toBe((await getAuditReport(db, latestId))!.findings.length);
  });

  it("filters by check, severity, status, account and region", async () => {
    const byCheck = await findingsRoute.loader(args(get("/findings?check=webexperience-role-getdocumentcontent&status=fail")));
    expect(byCheck.findings.map((f) => f.applicationName)).toEqual(["legal-search"]);
    const bySeverity = await findingsRoute.loader(args(get("/findings?severity=high&status=all")));
    expect(bySeverity.findings.length).toBeGreaterThan(0);
    expect(bySeverity.findings.every((f) => f.severity === "high")).toBe(true);
    const byPlace = await findingsRoute.loader(args(get(`/findings?account=${A}&region=eu-west-1&status=fail`)));
    expect(byPlace.findings.map((f) => f.checkId)).toEqual(["application-identity-unsupported"]);
  });

  it("exports the latest audit as JSON exactly as the report contract stores it", async () => {
    const response = await exportRoute.loader(args(get("/findings/export/json"), { format: "json" }));
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="qbiz-readiness-audit-\d+-.*\.json"/);
    expect(JSON.parse(await response.text())).toEqual(await getAuditReport(db, latestId));
  });

  it("exports the latest audit as CSV, one row per finding", async () => {
    const response = await exportRoute.loader(args(get("/findings/export/csv"), { format: "csv" }));
    expect(response.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await response.text()).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/check/i);
    expect(lines.length - 1).toBe((await getAuditReport(db, latestId))!.findings.length);
  });

  it("answers 404 for an unknown export format", async () => {
    const response = await thrown(exportRoute.loader(args(get("/findings/export/xml"), { format: "xml" })));
    expect(response.status).toBe(404);
  });
});

describe("checks page", () => {
  it("renders the catalogue from every registered check's metadata with the latest audit's counts", async () => {
    const data = await checksRoute.loader(args(get("/checks")));
    expect(data.checks.map((c) => c.id)).toEqual(allChecks.map((c) => c.metadata.id));
    const roleCheck = data.checks.find((c) => c.id === "webexperience-role-getdocumentcontent")!;
    expect(roleCheck.howToFix).toBeTruthy();
    expect(roleCheck.counts.fail).toBe(1);
  });
});

describe("what changed", () => {
  it("compares the latest audit with the previous one by default", async () => {
    const data = await changesRoute.loader(args(get("/changes")));
    expect(data.to?.id).toBe(latestId);
    expect(data.from?.id).toBe(firstAuditId);
    expect(data.comparison!.becameReady.map((c) => c.application.displayName)).toEqual(["hr-assistant"]);
    expect(data.comparison!.regressed.map((c) => c.application.displayName)).toEqual(["sales-bot"]);
    expect(data.comparison!.newFindings.some((f) => f.resource.name === "sales-data" && f.checkId === "datasource-full-sync-missing")).toBe(true);
    expect(data.comparison!.goneFindings.some((f) => f.resource.name === "hr-data" && f.checkId === "datasource-full-sync-missing")).toBe(true);
  });

  it("compares any two chosen audits", async () => {
    const data = await changesRoute.loader(args(get(`/changes?from=${latestId}&to=${firstAuditId}`)));
    expect(data.comparison!.becameReady.map((c) => c.application.displayName)).toEqual(["sales-bot"]);
  });

  it("compares from the stored rows exactly as the history module compares the whole reports", async () => {
    expect(await compareStoredAudits(db, firstAuditId, latestId)).toEqual(await compareAudits(db, firstAuditId, latestId));
    expect(await compareStoredAudits(db, latestId, firstAuditId)).toEqual(await compareAudits(db, latestId, firstAuditId));
  });

  it("answers 404 naming an audit that is not stored", async () => {
    const response = await thrown(changesRoute.loader(args(get("/changes?from=9999"))));
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/#9999/);
  });
});

// ------------------------------------------------------------------ scan now

describe("scan now", () => {
  let testAws: TestAws;
  let signedInElsewhere: { operator: Who; viewer: Who };
  const saved = { ...process.env };

  beforeAll(async () => {
    // The dashboard audits the default targets: point the SDK at a local AWS, as serve.ts does for the demo.
    testAws = await startTestAws(buildFleet(true));
    const keys = accountCredentials(A);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: testAws.aws.endpoint,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: "us-east-1",
      QBR_REGIONS: "us-east-1,eu-west-1",
    });
    // Its own database, so the audits it stores do not change what the other tests read.
    setConfig({ ...config, db: path.join(dir, "scans.sqlite") });
    // Sessions live in the dashboard's database: sign in on this one, and back on the other afterwards.
    signedInElsewhere = { operator, viewer };
    [operator, viewer] = [await sessionOf("olivia"), await sessionOf("victor")];
  });

  afterAll(async () => {
    await scanFinished();
    ({ operator, viewer } = signedInElsewhere);
    setConfig(config);
    process.env = saved;
    await testAws?.close();
  });

  it("refuses a viewer's scan request", async () => {
    const response = await thrown(overview.action(args(formPost("/?index", viewer, { intent: "scan" }))));
    expect(response.status).toBe(403);
  });

  it("refuses a scan request whose body is not a form (403, not a server error)", async () => {
    const request = new Request(`${BASE}/scan`, {
      method: "POST",
      headers: { cookie: operator.cookie, "content-type": "application/json", origin: BASE },
      body: JSON.stringify({ intent: "scan" }),
    });
    expect((await thrown(scanRoute.action(args(request)))).status).toBe(403);
  });

  it("refuses a scan request without the session's CSRF token", async () => {
    const response = await thrown(overview.action(args(formPost("/?index", operator, { intent: "scan", [CSRF_FIELD]: "forged" }, { csrf: false }))));
    expect(response.status).toBe(403);
  });

  it("starts one scan in the background; a second request while it runs answers already running", async () => {
    const first = await overview.action(args(formPost("/?index", operator, { intent: "scan" })));
    const second = await overview.action(args(formPost("/?index", operator, { intent: "scan" })));
    expect(first).toMatchObject({ alreadyRunning: false, scan: { state: "running", startedBy: "olivia" } });
    expect(second.alreadyRunning).toBe(true);
    const viaApi = await scanRoute.action(args(formPost("/scan", operator, {})));
    expect(viaApi.status).toBe(409);

    const done = await scanFinished();
    // The default targets: the caller's account in QBR_REGIONS.
    expect(done).toMatchObject({ state: "finished", targetsDone: 2, targetsTotal: 2 });
    expect(done.apiCalls).toBeGreaterThan(0);
    const progress = await (await scanRoute.loader(args(get("/scan")))).json();
    expect(progress).toEqual(done);
    const scansDb = await openDatabase(getConfig().db);
    try {
      expect(await latestAuditId(scansDb)).toBe(done.auditId);
      expect((await getAuditReport(scansDb, done.auditId!))!.summary.applications.total).toBe(3);
    } finally {
      await scansDb.close();
    }
  });

  it("audits the accounts of QBR_TARGETS_FILE when it is set", async () => {
    await scanFinished();
    const targetsFile = path.join(dir, "targets.json");
    fs.writeFileSync(
      targetsFile,
      JSON.stringify({
        targets: [
          { accountId: A, regions: ["us-east-1", "eu-west-1"] },
          { accountId: B, regions: ["us-west-2"], roleArn: `arn:aws:iam::${B}:role/QbizReadinessAudit` },
        ],
      }),
    );
    process.env.QBR_TARGETS_FILE = targetsFile;
    try {
      expect(startScan("test").alreadyRunning).toBe(false);
      const done = await scanFinished();
      expect(done).toMatchObject({ state: "finished", targetsTotal: 3 });
      const scansDb = await openDatabase(getConfig().db);
      try {
        const report = (await getAuditReport(scansDb, done.auditId!))!;
        expect(report.applications.map((a) => a.displayName).sort()).toEqual(["hr-assistant", "legal-search", "public-faq", "sales-bot"]);
      } finally {
        await scansDb.close();
      }
    } finally {
      delete process.env.QBR_TARGETS_FILE;
    }
  });

  it("starts an initial audit at server start when the database holds none, and none when it holds one", async () => {
    await scanFinished();
    setConfig({ ...config, db: path.join(dir, "first-start.sqlite") });
    try {
      const here = await sessionOf("victor"); // sessions live in the database just switched to
      expect((await overview.loader(args(get("/", here)))).audit).toBeNull();
      const stop = await startScanScheduler();
      expect(scanStatus()).toMatchObject({ state: "running", startedBy: "initial audit" });
      expect((await overview.loader(args(get("/", here)))).scan.state).toBe("running");
      const done = await scanFinished();
      stop();
      expect(done.state).toBe("finished");
      const stopAgain = await startScanScheduler();
      expect(scanStatus()).toEqual(done);
      stopAgain();
    } finally {
      setConfig({ ...config, db: path.join(dir, "scans.sqlite") });
    }
  });

  it("scans every QBR_SCAN_INTERVAL_MINUTES once started", async () => {
    const before = (await scanFinished()).startedAt;
    // The schedule ticks at multiples of the interval (the same instants on every replica, ADR 0011): fake the timeout to the next one.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let stop: () => void;
    try {
      stop = await startScanScheduler({}, 15);
      expect(scanStatus().state).not.toBe("running");
      await vi.advanceTimersByTimeAsync(15 * 60_000);
    } finally {
      // The scan itself runs on real timers.
      vi.useRealTimers();
    }
    // A scan of this small fleet may end before the first look (an incremental audit takes ~0.1 s): a new scan by the scheduler, running or done.
    await vi.waitFor(
      () => {
        const status = scanStatus();
        expect(status).toMatchObject({ startedBy: "scheduler" });
        expect(status.startedAt).not.toBe(before);
      },
      { timeout: 10_000 },
    );
    stop();
    await scanFinished();
    expect(scanStatus().state).toBe("finished");
  });

  it("reports a scan that cannot start (a bad targets file) as failed, with the reason", async () => {
    await scanFinished();
    const targetsFile = path.join(dir, "bad-targets.json");
    fs.writeFileSync(targetsFile, JSON.stringify({ targets: [{ accountId: "12", regions: ["us-east-1"] }] }));
    process.env.QBR_TARGETS_FILE = targetsFile;
    try {
      startScan("test");
      const done = await scanFinished();
      expect(done.state).toBe("failed");
      expect(done.error).toMatch(/targets\[0\]\.accountId/);
    } finally {
      delete process.env.QBR_TARGETS_FILE;
    }
  });
});
