/**
 * The real audit over the demo fleet (real SDK clients, HTTP, local AWS) must
 * conclude exactly what demo-fleet.expected.json says, and the demo's fixes
 * must turn an application ready, as the demo tells it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetDataSourceCommand, GetDocumentContentCommand, StartDataSourceSyncJobCommand, UpdateDataSourceCommand } from "@aws-sdk/client-qbusiness";
import { PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import type { AuditReport } from "../../app/audit/types";
import { validateFixture } from "../../app/local-aws/fixture";
import type { Fixture } from "../../app/local-aws/fixture-types";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const FIXTURE_PATH = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
const fixture = validateFixture(JSON.parse(readFileSync(FIXTURE_PATH, "utf8")));
const expected = JSON.parse(readFileSync(path.resolve(path.dirname(FIXTURE_PATH), "demo-fleet.expected.json"), "utf8")) as {
  applications: Record<string, { displayName: string; readiness: string; failing: string[]; warnings: string[]; fixableBy: string[] }>;
  unreadableTargets: { accountId: string; region: string; errorCode: string; applicationIds: string[] }[];
};
const PROD = "111122223333";

/** What the report says about one application, in the expectation file's terms. */
function verdictOf(report: AuditReport, applicationId: string) {
  const app = report.applications.find((a) => a.applicationId === applicationId);
  const findings = report.findings.filter((f) => f.resource.applicationId === applicationId);
  const ids = (status: string) => [...new Set(findings.filter((f) => f.status === status).map((f) => f.checkId))].sort();
  return {
    displayName: app?.displayName,
    readiness: app?.readiness,
    failing: ids("fail"),
    warnings: ids("warn"),
    fixableBy: [...new Set(findings.filter((f) => f.status !== "pass").flatMap((f) => (f.remediation.action ? [f.remediation.action] : [])))].sort(),
  };
}

function findApp(f: Fixture, displayName: string) {
  for (const account of f.accounts) {
    for (const [region, { applications }] of Object.entries(account.regions)) {
      const app = applications.find((a) => a.displayName === displayName);
      if (app) return { accountId: account.accountId, region, app };
    }
  }
  throw new Error(`no application ${displayName}`);
}

describe("an audit of the demo fleet", () => {
  let report: AuditReport;
  beforeAll(async () => {
    ({ report } = await runAudit({ fixture: FIXTURE_PATH }));
  });

  it.each(Object.entries(expected.applications).map(([id, e]) => [e.displayName, id] as const))(
    "judges %s as demo-fleet.expected.json says",
    (_name, applicationId) => {
      const e = expected.applications[applicationId];
      expect(verdictOf(report, applicationId)).toEqual({
        displayName: e.displayName,
        readiness: e.readiness,
        failing: [...e.failing].sort(),
        warnings: [...e.warnings].sort(),
        fixableBy: [...e.fixableBy].sort(),
      });
    },
  );

  it("reports the denied region as an unreadable target with AccessDeniedException, and nothing beneath it", () => {
    for (const t of expected.unreadableTargets) {
      expect(report.targets).toContainEqual(
        expect.objectContaining({ accountId: t.accountId, region: t.region, status: "error", error: expect.objectContaining({ code: t.errorCode }) }),
      );
      const finding = report.findings.find(
        (f) => f.checkId === "scan-target-unreadable" && f.resource.accountId === t.accountId && f.resource.region === t.region,
      );
      expect(finding?.status).toBe("fail");
      expect(JSON.stringify(finding?.evidence)).toContain(t.errorCode);
      for (const id of t.applicationIds) expect(report.findings.some((f) => f.resource.applicationId === id)).toBe(false);
    }
    expect(report.targets.filter((t) => t.status === "ok")).toHaveLength(5);
  });

  it("counts exactly the applications of the readable targets", () => {
    const unreadable = new Set(expected.unreadableTargets.map((t) => `${t.accountId}/${t.region}`));
    const readable = fixture.accounts.flatMap((a) =>
      Object.entries(a.regions).flatMap(([region, r]) => (unreadable.has(`${a.accountId}/${region}`) ? [] : r.applications)),
    );
    expect(report.summary.applications.total).toBe(readable.length);
    expect(report.applications.map((a) => a.applicationId).sort()).toEqual(Object.keys(expected.applications).sort());
    expect(report.summary.applications).toEqual({ total: 10, ready: 2, notReady: 7, unsupported: 1, unknown: 0 });
  });
});

describe("the demo's fixes", () => {
  let t: TestAws;
  beforeAll(async () => {
    t = await startTestAws(fixture);
  });
  afterAll(async () => {
    await t?.close();
  });
  const audit = async () => (await runAudit({ endpoint: t.aws.endpoint, targets: targetsForFixture(t.aws.fleet, PROD), maxAttempts: 1 })).report;

  it("a forced full sync of hr-data makes hr-benefits-assistant ready, and its documents downloadable", async () => {
    const { region, app } = findApp(t.aws.fleet, "hr-benefits-assistant");
    const { qbusiness } = t.clients(PROD, region);
    const ids = { applicationId: app.applicationId, indexId: app.indices[0].indexId, dataSourceId: app.indices[0].dataSources[0].dataSourceId };
    const documentId = "s3://acme-corp-hr-data/HR+Data/Employee+health+benefits+policy.docx";
    const download = () =>
      qbusiness.send(
        new GetDocumentContentCommand({
          applicationId: ids.applicationId,
          indexId: ids.indexId,
          documentId,
          dataSourceId: ids.dataSourceId,
          outputFormat: "RAW",
        }),
      );
    await expect(download()).rejects.toThrow(/full connector sync performed after 07\/02\/2025/);

    const { configuration } = await qbusiness.send(new GetDataSourceCommand(ids));
    await qbusiness.send(
      new UpdateDataSourceCommand({ ...ids, configuration: { ...(configuration as Record<string, unknown>), syncMode: "FORCED_FULL_CRAWL" } }),
    );
    await qbusiness.send(new StartDataSourceSyncJobCommand(ids));
    t.aws.clock.advance(10_000);

    expect(verdictOf(await audit(), app.applicationId)).toMatchObject({ readiness: "ready", failing: [] });
    expect((await download()).presignedUrl).toMatch(/^http/);
  });

  it("adding the GetDocumentContent statement to its role makes engineering-assistant ready", async () => {
    const { accountId, region, app } = findApp(t.aws.fleet, "engineering-assistant");
    const arn = `arn:aws:qbusiness:${region}:${accountId}:application/${app.applicationId}`;
    const roleName = app.webExperiences[0].roleArn!.split("/").pop()!;
    await t.clients(accountId).iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: "QBusinessGetDocumentContent",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "QBusinessGetDocumentContentPermission", Effect: "Allow", Action: ["qbusiness:GetDocumentContent"], Resource: [arn, `${arn}/index/*`] },
          ],
        }),
      }),
    );
    expect(verdictOf(await audit(), app.applicationId)).toMatchObject({ readiness: "ready", failing: [] });
  });
});
