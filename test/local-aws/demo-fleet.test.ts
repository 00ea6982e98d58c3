/**
 * The demo fleet is the product's showcase: it must load, and it must contain
 * a scenario for every readiness check (pass and fail sides), as
 * demo-fleet.expected.json promises. These are structural assertions on the
 * fixture itself; test/audit/demo-fleet-audit.test.ts runs the real audit.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkMetadata } from "../../app/audit/checks";
import { validateFixture } from "../../app/local-aws/fixture";
import { bucketOf } from "../../app/local-aws/qbusiness-sync";
import type {
  Fixture,
  FixtureAccount,
  FixtureApplication,
  FixtureDataSource,
  FixtureRole,
  PolicyDocument,
  PolicyStatement,
} from "../../app/local-aws/fixture-types";

const FIXTURES = path.resolve(__dirname, "../../app/local-aws/fixtures");
const raw: unknown = JSON.parse(readFileSync(path.join(FIXTURES, "demo-fleet.json"), "utf8"));
const fleet = raw as Fixture;

interface Expectation {
  displayName: string;
  accountId: string;
  region: string;
  readiness: "ready" | "not-ready" | "unsupported" | "unknown";
  failing: string[];
  warnings: string[];
  fixableBy: string[];
  notes: string;
}
const expected = JSON.parse(readFileSync(path.join(FIXTURES, "demo-fleet.expected.json"), "utf8")) as {
  applications: Record<string, Expectation>;
  unreadableTargets: { accountId: string; region: string; errorCode: string; applicationIds: string[] }[];
};

const CUTOFF = Date.parse("2025-07-03T00:00:00Z");
/** The check ids of the catalogue, from the checks' own metadata (docs/checks.md renders the same list). */
const CATALOGUE = checkMetadata.map((check) => check.id);

interface AppAt {
  account: FixtureAccount;
  region: string;
  app: FixtureApplication;
}
const apps: AppAt[] = fleet.accounts.flatMap((account) =>
  Object.entries(account.regions).flatMap(([region, { applications }]) => applications.map((app) => ({ account, region, app }))),
);
const sources = apps.flatMap((a) => a.app.indices.flatMap((index) => index.dataSources.map((ds) => ({ ...a, ds }))));

const statements = (doc: PolicyDocument): PolicyStatement[] => (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const ms = (iso: string | undefined) => Date.parse(iso ?? "");
const appArn = (a: AppAt) => `arn:aws:qbusiness:${a.region}:${a.account.accountId}:application/${a.app.applicationId}`;

function roleOf(a: AppAt): FixtureRole | undefined {
  const arn = a.app.webExperiences[0]?.roleArn;
  return a.account.iam?.roles.find((r) => `arn:aws:iam::${a.account.accountId}:role${r.path ?? "/"}${r.roleName}` === arn);
}
function policyDoc(account: FixtureAccount, arn: string): PolicyDocument | undefined {
  return account.iam?.managedPolicies?.find((p) => p.arn === arn)?.document;
}
/** Statements with this effect naming qbusiness:GetDocumentContent (or a wildcard of it) on these resources. */
function grantsGetDocumentContent(doc: PolicyDocument | undefined, effect: "Allow" | "Deny", resources: string[]): boolean {
  if (!doc) return false;
  return statements(doc).some(
    (s) =>
      s.Effect === effect &&
      list(s.Action).some((a) => /^qbusiness:(GetDocumentContent|\*)$/i.test(a) || a === "*") &&
      resources.every((r) => list(s.Resource).some((res) => res === "*" || res === r)),
  );
}
function trustActions(role: FixtureRole): string[] {
  return statements(role.assumeRolePolicyDocument)
    .filter((s) => s.Effect === "Allow" && JSON.stringify(s.Principal ?? "").includes("application.qbusiness.amazonaws.com"))
    .flatMap((s) => list(s.Action));
}
const postCutoffSucceeded = (ds: FixtureDataSource) => ds.syncJobs.filter((j) => j.status === "SUCCEEDED" && ms(j.startTime) >= CUTOFF);
const byStart = (ds: FixtureDataSource) => [...ds.syncJobs].sort((x, y) => ms(x.startTime) - ms(y.startTime));

describe("the demo fleet", () => {
  it("passes the fixture validator", () => {
    expect(() => validateFixture(raw, "demo-fleet.json")).not.toThrow();
  });

  it("is the fixed demo world: two accounts, three regions, clock 2026-11-26T12:00:00Z", () => {
    expect(fleet.fixtureVersion).toBe(1);
    expect(fleet.clock).toBe("2026-11-26T12:00:00Z");
    expect(fleet.accounts.map((a) => [a.accountId, a.alias])).toEqual([
      ["111122223333", "acme-prod"],
      ["444455556666", "acme-sandbox"],
    ]);
    expect(new Set(apps.map((a) => a.region))).toEqual(new Set(["us-east-1", "us-west-2", "eu-west-1"]));
  });

  it("has an expectation for every application, or lists it behind an unreadable target", () => {
    const unreadable = expected.unreadableTargets.flatMap((t) => t.applicationIds);
    const covered = [...Object.keys(expected.applications), ...unreadable].sort();
    expect(covered).toEqual(apps.map((a) => a.app.applicationId).sort());
    for (const a of apps) {
      const e = expected.applications[a.app.applicationId];
      if (!e) continue;
      expect({ displayName: e.displayName, accountId: e.accountId, region: e.region }).toEqual({
        displayName: a.app.displayName,
        accountId: a.account.accountId,
        region: a.region,
      });
    }
  });

  it("expects only check ids of the catalogue and remediation actions of the report contract", () => {
    expect(CATALOGUE).toHaveLength(10);
    for (const e of Object.values(expected.applications)) {
      for (const id of [...e.failing, ...e.warnings]) expect(CATALOGUE).toContain(id);
      for (const action of e.fixableBy) expect(["full-sync", "patch-role-policy", "reupload-files"]).toContain(action);
    }
  });

  it("exercises every check: each one fails or warns somewhere and is clean somewhere else", () => {
    const values = Object.values(expected.applications);
    const flagged = new Set(values.flatMap((e) => [...e.failing, ...e.warnings]));
    if (expected.unreadableTargets.length > 0) flagged.add("scan-target-unreadable");
    expect([...flagged].sort()).toEqual([...CATALOGUE].sort());
    expect(values.filter((e) => e.readiness === "ready" && e.warnings.length === 0)).not.toHaveLength(0);
    expect(new Set(values.map((e) => e.readiness))).toEqual(new Set(["ready", "not-ready", "unsupported"]));
  });

  it("has a ready application whose S3 source ran a certain full sync after the cutoff and holds only fresh documents", () => {
    const ready = Object.entries(expected.applications).filter(([, e]) => e.readiness === "ready" && e.warnings.length === 0);
    const a = apps.find((x) => x.app.applicationId === ready[0][0])!;
    const ds = a.app.indices[0].dataSources[0];
    expect(ds.configuration.syncMode).toBe("FORCED_FULL_CRAWL");
    expect(postCutoffSucceeded(ds).some((j) => ms(j.startTime) >= ms(ds.updatedAt))).toBe(true);
    expect(ds.documents.every((d) => ms(d.updatedAt) >= CUTOFF)).toBe(true);
    expect(a.app.indices[0].uploadedDocuments?.every((d) => ms(d.updatedAt) >= CUTOFF)).toBe(true);
  });

  it("has an S3 source in incremental mode whose only full sync predates the cutoff, over more than one page of jobs", () => {
    const hr = sources.find(
      ({ ds }) =>
        ds.type === "S3" &&
        ds.configuration.syncMode === "FULL_CRAWL" &&
        ms(byStart(ds)[0].startTime) < CUTOFF &&
        postCutoffSucceeded(ds).length > 0 &&
        postCutoffSucceeded(ds).every((j) => ms(j.startTime) >= ms(ds.updatedAt)),
    );
    expect(hr?.ds.displayName).toBe("hr-data");
    expect(hr!.ds.syncJobs.length).toBeGreaterThan(10);
    expect(hr!.ds.documents.filter((d) => ms(d.updatedAt) < CUTOFF).length).toBeGreaterThan(0);
    // Stale documents' objects did not change since, so an incremental sync would not refresh them.
    const objects =
      hr!.account.s3!.buckets[
        String((hr!.ds.configuration.connectionConfiguration as { repositoryEndpointMetadata: { BucketName: string } }).repositoryEndpointMetadata.BucketName)
      ].objects;
    for (const doc of hr!.ds.documents.filter((d) => ms(d.updatedAt) < CUTOFF)) {
      expect(ms(objects[doc.s3Key!].lastModified)).toBeLessThan(ms(doc.updatedAt));
    }
  });

  it("has an S3 source whose syncs after the cutoff all predate its last configuration change (mode unknown)", () => {
    const unknown = sources.filter(
      ({ ds }) => ds.type === "S3" && postCutoffSucceeded(ds).length > 0 && postCutoffSucceeded(ds).every((j) => ms(j.startTime) < ms(ds.updatedAt)),
    );
    expect(unknown.map((s) => s.ds.displayName)).toEqual(["it-help"]);
  });

  it("has an S3V2 source, mode unknown, whose every document was re-ingested after the cutoff", () => {
    const v2 = sources.filter(({ ds }) => ds.type === "S3V2");
    expect(v2).toHaveLength(1);
    expect(postCutoffSucceeded(v2[0].ds).length).toBeGreaterThan(0);
    expect(v2[0].ds.documents.length).toBeGreaterThan(0);
    expect(v2[0].ds.documents.every((d) => ms(d.updatedAt) >= CUTOFF)).toBe(true);
  });

  it("has a source created after the cutoff in incremental mode, proven fully synced by its first sync", () => {
    const late = sources.filter(({ ds }) => ms(ds.createdAt) >= CUTOFF && ds.configuration.syncMode === "FULL_CRAWL");
    expect(late.length).toBeGreaterThan(0);
    for (const { ds } of late) expect(byStart(ds)[0].status).toBe("SUCCEEDED");
  });

  it("has an ANONYMOUS application", () => {
    const anonymous = apps.filter((a) => a.app.identityType === "ANONYMOUS");
    expect(anonymous).toHaveLength(1);
    expect(expected.applications[anonymous[0].app.applicationId].readiness).toBe("unsupported");
  });

  it("has an Identity Center web role without any GetDocumentContent statement", () => {
    const a = apps.find((x) => x.app.displayName === "engineering-assistant")!;
    const role = roleOf(a)!;
    const docs = Object.values(role.inlinePolicies ?? {});
    expect(docs.length).toBeGreaterThan(0);
    expect(JSON.stringify(role)).not.toContain("GetDocumentContent");
    expect(role.attachedPolicyArns ?? []).toEqual([]);
    expect(expected.applications[a.app.applicationId].fixableBy).toEqual(["patch-role-policy"]);
  });

  it("has a role whose inline policy allows GetDocumentContent but whose attached managed policy explicitly denies it", () => {
    const denied = apps.filter((a) => {
      const role = roleOf(a);
      if (!role) return false;
      const resources = [appArn(a), `${appArn(a)}/index/*`];
      const inlineAllows = Object.values(role.inlinePolicies ?? {}).some((d) => grantsGetDocumentContent(d, "Allow", resources));
      const attachedDenies = (role.attachedPolicyArns ?? []).some((arn) => grantsGetDocumentContent(policyDoc(a.account, arn), "Deny", resources));
      return inlineAllows && attachedDenies;
    });
    expect(denied.map((a) => a.app.displayName)).toEqual(["eu-compliance-assistant"]);
  });

  it("has a role whose own policy allows GetDocumentContent while its permissions boundary does not", () => {
    const blocked = apps.filter((a) => {
      const role = roleOf(a);
      if (!role?.permissionsBoundaryArn) return false;
      const resources = [appArn(a), `${appArn(a)}/index/*`];
      return (
        Object.values(role.inlinePolicies ?? {}).some((d) => grantsGetDocumentContent(d, "Allow", resources)) &&
        !grantsGetDocumentContent(policyDoc(a.account, role.permissionsBoundaryArn), "Allow", resources)
      );
    });
    expect(blocked.map((a) => a.app.displayName)).toEqual(["sandbox-data-platform"]);
  });

  it("has Identity Center web roles trusting Q Business for sts:AssumeRole but not sts:SetContext", () => {
    const lacking = apps.filter((a) => {
      const role = roleOf(a);
      return a.app.identityType === "AWS_IAM_IDC" && role && trustActions(role).includes("sts:AssumeRole") && !trustActions(role).includes("sts:SetContext");
    });
    expect(lacking.map((a) => a.app.displayName).sort()).toEqual(["it-helpdesk-bot", "sandbox-data-platform"]);
    for (const a of lacking) expect(expected.applications[a.app.applicationId].failing).toContain("webexperience-role-trust");
  });

  it("has a web role shared by two applications that grants GetDocumentContent to both", () => {
    const byRole = new Map<string, AppAt[]>();
    for (const a of apps) {
      const arn = a.app.webExperiences[0]?.roleArn;
      if (arn) byRole.set(arn, [...(byRole.get(arn) ?? []), a]);
    }
    const shared = [...byRole.entries()].filter(([, users]) => users.length > 1);
    expect(shared).toHaveLength(1);
    const [, users] = shared[0];
    const role = roleOf(users[0])!;
    for (const a of users) {
      const resources = [appArn(a), `${appArn(a)}/index/*`];
      expect(Object.values(role.inlinePolicies ?? {}).some((d) => grantsGetDocumentContent(d, "Allow", resources))).toBe(true);
      expect(JSON.stringify(role.assumeRolePolicyDocument)).toContain(appArn(a));
    }
  });

  it("has an Identity Center application whose web experience has no role", () => {
    const roleless = apps.filter((a) => a.app.identityType === "AWS_IAM_IDC" && a.app.webExperiences.some((w) => !w.roleArn));
    expect(roleless.map((a) => a.app.displayName)).toEqual(["sandbox-onboarding-bot"]);
  });

  it("has national_park_services_infograph.pdf uploaded in March 2025 beside an upload made after the cutoff", () => {
    const uploads = apps.flatMap((a) => a.app.indices.flatMap((i) => i.uploadedDocuments ?? []));
    const infograph = uploads.find((d) => d.documentId === "national_park_services_infograph.pdf");
    expect(infograph?.updatedAt.startsWith("2025-03")).toBe(true);
    expect(uploads.some((d) => ms(d.updatedAt) >= CUTOFF)).toBe(true);
  });

  it("has a source whose latest sync FAILED after a full sync that succeeded after the cutoff", () => {
    const failing = sources.filter(({ ds }) => {
      const jobs = byStart(ds);
      const latest = jobs[jobs.length - 1];
      return latest.status === "FAILED" && postCutoffSucceeded(ds).some((j) => ms(j.startTime) >= ms(ds.updatedAt));
    });
    expect(failing.map((s) => s.ds.displayName)).toEqual(["research-papers"]);
    const latest = byStart(failing[0].ds).at(-1)!;
    expect(latest.error?.errorCode).toBe("InvalidRequest");
    expect(expected.applications[failing[0].app.applicationId]).toMatchObject({ readiness: "ready", warnings: ["datasource-sync-failing"] });
  });

  it("denies the scanner qbusiness in account 2's eu-west-1, where an application lives", () => {
    const sandbox = fleet.accounts.find((a) => a.accountId === "444455556666")!;
    expect(sandbox.denied).toEqual([{ service: "qbusiness", region: "eu-west-1", operation: "*" }]);
    expect(sandbox.regions["eu-west-1"].applications.length).toBeGreaterThan(0);
    expect(expected.unreadableTargets).toEqual([
      expect.objectContaining({ accountId: "444455556666", region: "eu-west-1", errorCode: "AccessDeniedException" }),
    ]);
  });

  it("lets account 1 assume QbizReadinessAudit in account 2", () => {
    const role = fleet.accounts[1].iam!.roles.find((r) => r.roleName === "QbizReadinessAudit")!;
    const trust = statements(role.assumeRolePolicyDocument);
    expect(trust).toContainEqual(expect.objectContaining({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole" }));
  });

  it("links every S3 document to an object in its source's bucket, under the sample data's folders", () => {
    for (const { account, ds } of sources) {
      // Either connector's spelling: S3's repositoryEndpointMetadata.BucketName, S3V2's bucketName.
      const bucket = String(bucketOf(ds));
      for (const doc of ds.documents) {
        expect(account.s3?.buckets[bucket]?.objects[doc.s3Key!], `${bucket}/${doc.s3Key}`).toBeDefined();
        expect(doc.documentId).toBe(`s3://${bucket}/${doc.s3Key!.split(" ").join("+")}`);
      }
    }
    const keys = sources.flatMap(({ ds }) => ds.documents.map((d) => d.s3Key));
    for (const key of ["ACME Project Space/Project plan.docx", "HR Data/Employee health benefits policy.docx", "IT Help/VPN setup guide.pdf"]) {
      expect(keys).toContain(key);
    }
  });

  it("keeps syncs short and job metrics as strings, as the API sends them", () => {
    for (const { ds } of sources) {
      expect(ds.syncDurationSeconds).toBeLessThanOrEqual(10);
      for (const job of ds.syncJobs) {
        for (const value of Object.values(job.metrics ?? {})) expect(value).toMatch(/^\d+$/);
        expect(ms(job.endTime)).toBeGreaterThan(ms(job.startTime));
        expect(ms(job.endTime)).toBeLessThan(ms(fleet.clock));
      }
    }
  });
});
