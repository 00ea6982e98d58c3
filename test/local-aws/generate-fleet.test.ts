/**
 * The fleet generator (benchmarks, load tests) and its CLI, `npm run fleet`.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runAudit } from "../../app/audit/run";
import { validateFixture } from "../../app/local-aws/fixture";
import type { Fixture, FixtureAccount, FixtureApplication, FixtureDataSource, PolicyStatement } from "../../app/local-aws/fixture-types";
import {
  QBUSINESS_REGIONS,
  fixtureJsonChunks,
  generateFleet,
  generateFleetWithScenarios,
  type FleetScenario,
  type GenerateFleetOptions,
} from "../../app/local-aws/generate-fleet";

const ROOT = path.resolve(__dirname, "../..");
const CUTOFF = Date.parse("2025-07-03T00:00:00Z");
const small: GenerateFleetOptions = { accounts: 2, regions: 2, apps: 5, dataSources: 3, syncJobs: 12, documents: 20, seed: 7 };
/** Large enough for every scenario to appear (300 applications), small enough to be quick. */
const mixed: GenerateFleetOptions = { accounts: 3, regions: 4, apps: 25, dataSources: 3, syncJobs: 6, documents: 10, seed: 11 };

const ms = (iso: string | undefined) => Date.parse(iso ?? "");
function appsOf(fixture: Fixture): { account: FixtureAccount; region: string; app: FixtureApplication }[] {
  return fixture.accounts.flatMap((account) =>
    Object.entries(account.regions).flatMap(([region, r]) => r.applications.map((app) => ({ account, region, app }))),
  );
}
const sourcesOf = (app: FixtureApplication): FixtureDataSource[] => app.indices.flatMap((i) => i.dataSources);
const statements = (s: PolicyStatement | PolicyStatement[]) => (Array.isArray(s) ? s : [s]);
/** A SUCCEEDED job after the cutoff that ran in forced full mode, or the first sync of a source created after the cutoff. */
function hasCertainFullSync(ds: FixtureDataSource): boolean {
  const jobs = [...ds.syncJobs].sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const forced = ds.configuration.syncMode === "FORCED_FULL_CRAWL";
  return jobs.some(
    (job, i) =>
      job.status === "SUCCEEDED" &&
      ms(job.startTime) >= CUTOFF &&
      ((forced && ms(ds.updatedAt) <= ms(job.startTime)) || (i === 0 && ms(ds.createdAt) >= CUTOFF)),
  );
}
function roleFor(account: FixtureAccount, app: FixtureApplication) {
  const arn = app.webExperiences[0].roleArn;
  return account.iam!.roles.find((r) => `arn:aws:iam::${account.accountId}:role${r.path ?? "/"}${r.roleName}` === arn);
}

describe("generateFleet", () => {
  it("produces a fleet the fixture validator accepts, with faults embedded when asked", () => {
    const fixture = generateFleet({ ...small, faults: { ratePerSecond: 5, burst: 10, seed: 3 } });
    expect(() => validateFixture(JSON.parse(JSON.stringify(fixture)), "generated")).not.toThrow();
    expect(fixture.faults).toEqual({ ratePerSecond: 5, burst: 10, seed: 3 });
  });

  it("gives the same fleet for the same seed and a different one for another seed", () => {
    const a = JSON.stringify(generateFleet(small));
    expect(JSON.stringify(generateFleet(small))).toBe(a);
    expect(JSON.stringify(generateFleet({ ...small, seed: 8 }))).not.toBe(a);
  });

  it("matches the requested counts of accounts, regions, applications, data sources, jobs and documents", () => {
    const fixture = generateFleet({ ...small, regions: 3 });
    expect(fixture.accounts).toHaveLength(2);
    for (const account of fixture.accounts) {
      expect(Object.keys(account.regions)).toEqual(QBUSINESS_REGIONS.slice(0, 3));
      for (const { applications } of Object.values(account.regions)) {
        expect(applications).toHaveLength(5);
        for (const app of applications) {
          expect(sourcesOf(app)).toHaveLength(3);
          for (const ds of sourcesOf(app)) {
            expect(ds.syncJobs).toHaveLength(12);
            expect(ds.documents).toHaveLength(20);
          }
        }
      }
    }
  });

  it("accepts explicit region names", () => {
    const fixture = generateFleet({ ...small, regions: ["eu-central-1", "ap-south-1"] });
    expect(Object.keys(fixture.accounts[0].regions)).toEqual(["eu-central-1", "ap-south-1"]);
  });

  it("gives every application, index, data source, web experience and job a distinct 36-character id", () => {
    const fixture = generateFleet(mixed);
    const ids = appsOf(fixture).flatMap(({ app }) => [
      app.applicationId,
      ...app.webExperiences.map((w) => w.webExperienceId),
      ...app.indices.flatMap((i) => [i.indexId, ...i.dataSources.flatMap((ds) => [ds.dataSourceId, ...ds.syncJobs.map((j) => j.executionId)])]),
    ]);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const accountIds = fixture.accounts.map((a) => a.accountId);
    for (const id of accountIds) expect(id).toMatch(/^\d{12}$/);
    expect(new Set(accountIds).size).toBe(3);
  });

  it("makes about 40% of applications ready and spreads the rest over every failure kind", () => {
    const { fixture, scenarios } = generateFleetWithScenarios(mixed);
    expect(scenarios.size).toBe(300);
    const count = (s: FleetScenario) => [...scenarios.values()].filter((x) => x === s).length;
    expect(count("ready")).toBe(120);
    for (const s of [
      "incremental-only",
      "unknown-mode",
      "stale-documents",
      "role-without-permission",
      "explicit-deny",
      "anonymous",
      "failing-sync",
      "stale-uploads",
    ] as const) {
      expect(count(s), s).toBeGreaterThanOrEqual(22);
      expect(count(s), s).toBeLessThanOrEqual(23);
    }
    expect(appsOf(fixture).map(({ app }) => scenarios.get(app.applicationId))).not.toContain(undefined);
  });

  it.each([6, 3, 2])("shapes each application after its scenario, with %i sync jobs per source", (syncJobs) => {
    const { fixture, scenarios } = generateFleetWithScenarios({ ...mixed, syncJobs, seed: mixed.seed + syncJobs });
    for (const { account, region, app } of appsOf(fixture)) {
      const generated = scenarios.get(app.applicationId)!;
      const source = appsOf(fixture).find((x) => x.app.applicationId === app.applicationId)!.app;
      const scenario = generated === "unknown-mode" && sourcesOf(source).some((ds) => ds.type === "S3V2") ? "unknown-mode-s3v2" : generated;
      const arn = `arn:aws:qbusiness:${region}:${account.accountId}:application/${app.applicationId}`;
      const role = roleFor(account, app);
      const inline = JSON.stringify(role?.inlinePolicies ?? {});
      const sources = sourcesOf(app);
      const stale = (ds: FixtureDataSource) => ds.documents.filter((d) => ms(d.updatedAt) < CUTOFF).length;
      const label = `${app.displayName} (${scenario})`;
      switch (scenario) {
        case "ready":
          expect(sources.every(hasCertainFullSync), label).toBe(true);
          expect(
            sources.every((ds) => stale(ds) === 0),
            label,
          ).toBe(true);
          expect(inline, label).toContain(`"${arn}/index/*"`);
          expect(role?.attachedPolicyArns ?? [], label).toEqual([]);
          break;
        case "incremental-only": {
          const affected = sources.filter((ds) => ds.configuration.syncMode === "FULL_CRAWL" && !hasCertainFullSync(ds));
          expect(affected.length, label).toBeGreaterThan(0);
          for (const ds of affected) expect(stale(ds), label).toBeGreaterThan(0);
          break;
        }
        case "unknown-mode": {
          const affected = sources.filter((ds) => ds.type === "S3V2" || ms(ds.updatedAt) > Math.max(...ds.syncJobs.map((j) => ms(j.startTime))));
          expect(affected.length, label).toBeGreaterThan(0);
          for (const ds of affected) expect(hasCertainFullSync(ds), label).toBe(false);
          break;
        }
        case "stale-documents":
          expect(
            sources.some((ds) => hasCertainFullSync(ds) && stale(ds) > 0),
            label,
          ).toBe(true);
          break;
        case "failing-sync":
          expect(
            sources.some((ds) => ["FAILED", "ABORTED", "INCOMPLETE"].includes(ds.syncJobs[ds.syncJobs.length - 1].status) && hasCertainFullSync(ds)),
            label,
          ).toBe(true);
          break;
        case "role-without-permission":
          expect(inline, label).not.toContain(`"${arn}/index/*"`);
          break;
        case "explicit-deny": {
          const deny = account.iam!.managedPolicies!.find((p) => role?.attachedPolicyArns?.includes(p.arn));
          expect(statements(deny!.document.Statement)).toContainEqual(expect.objectContaining({ Effect: "Deny", Action: "qbusiness:GetDocumentContent" }));
          break;
        }
        case "anonymous":
          expect(app.identityType, label).toBe("ANONYMOUS");
          expect(app.webExperiences[0].roleArn, label).toBeUndefined();
          break;
        case "stale-uploads":
          expect(
            app.indices[0].uploadedDocuments!.some((d) => ms(d.updatedAt) < CUTOFF),
            label,
          ).toBe(true);
          break;
      }
      if (scenario !== "anonymous") expect(role, label).toBeDefined();
      if (app.identityType === "AWS_IAM_IDC") expect(JSON.stringify(role!.assumeRolePolicyDocument), label).toContain(arn);
    }
  });

  it("shares some web roles between applications of an account", () => {
    const fixture = generateFleet(mixed);
    const roleArns = appsOf(fixture).flatMap(({ app }) => app.webExperiences.map((w) => w.roleArn).filter(Boolean));
    expect(new Set(roleArns).size).toBeLessThan(roleArns.length);
  });

  it("spreads sync jobs over 2024-2026 and keeps every document dated by one of its source's jobs", () => {
    const fixture = generateFleet(mixed);
    const years = new Set<string>();
    for (const { app } of appsOf(fixture)) {
      for (const ds of sourcesOf(app)) {
        const ends = new Set(ds.syncJobs.map((j) => j.endTime));
        for (const job of ds.syncJobs) years.add(job.startTime.slice(0, 4));
        for (const doc of ds.documents) {
          if (doc.status === "INDEXED") expect(ends.has(doc.updatedAt)).toBe(true);
          expect(ms(doc.updatedAt)).toBeLessThan(ms(fixture.clock));
        }
      }
    }
    expect([...years].sort()).toEqual(["2024", "2025", "2026"]);
  });

  it("lets the first account assume QbizReadinessAudit in every other account", () => {
    const fixture = generateFleet(mixed);
    const first = fixture.accounts[0].accountId;
    expect(fixture.accounts[0].iam!.roles.some((r) => r.roleName === "QbizReadinessAudit")).toBe(false);
    for (const account of fixture.accounts.slice(1)) {
      const role = account.iam!.roles.find((r) => r.roleName === "QbizReadinessAudit");
      expect(statements(role!.assumeRolePolicyDocument.Statement)).toContainEqual(
        expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${first}:root` }, Action: "sts:AssumeRole" }),
      );
    }
  });

  it("links documents to S3 objects for small fleets and leaves them out when told", () => {
    const withObjects = generateFleet(small);
    const { account, app } = appsOf(withObjects)[0];
    const doc = sourcesOf(app)[0].documents[0];
    const bucket = doc.documentId.split("/")[2];
    expect(account.s3!.buckets[bucket].objects[doc.s3Key!]).toBeDefined();
    const without = generateFleet({ ...small, s3Objects: false });
    expect(sourcesOf(appsOf(without)[0].app)[0].documents[0].s3Key).toBeUndefined();
  });

  it("shows ready sources fully synced even with a single sync job, by creating them after the cutoff", () => {
    const { fixture, scenarios } = generateFleetWithScenarios({ ...mixed, syncJobs: 1 });
    const ready = appsOf(fixture).filter(({ app }) => scenarios.get(app.applicationId) === "ready");
    expect(ready).toHaveLength(120);
    for (const { app } of ready) expect(sourcesOf(app).every(hasCertainFullSync)).toBe(true);
  });

  it("refuses out-of-range counts, naming the option", () => {
    expect(() => generateFleet({ ...small, apps: 51 })).toThrow(/apps/);
    expect(() => generateFleet({ ...small, dataSources: 0 })).toThrow(/dataSources/);
    expect(() => generateFleet({ ...small, syncJobs: 0 })).toThrow(/syncJobs/);
    expect(() => generateFleet({ ...small, regions: 12 })).toThrow(/regions/);
    expect(() => generateFleet({ ...small, accounts: 1.5 })).toThrow(/accounts/);
  });
});

describe("an audit of a generated fleet", () => {
  /** What the checks (checks.md) conclude about an application of each scenario. */
  // An S3V2 source has no sync mode: its documents decide full-sync-missing, so stale ones fail it (checks.md).
  const VERDICTS: Record<FleetScenario | "unknown-mode-s3v2", { readiness: string; failing: string[]; warnings: string[] }> = {
    ready: { readiness: "ready", failing: [], warnings: [] },
    "incremental-only": { readiness: "not-ready", failing: ["datasource-documents-stale", "datasource-full-sync-missing"], warnings: [] },
    // Jobs of unknown mode warn; the documents that failed to re-ingest fail, and the job that says so warns.
    "unknown-mode": { readiness: "not-ready", failing: ["datasource-documents-stale"], warnings: ["datasource-full-sync-missing", "datasource-sync-failing"] },
    "unknown-mode-s3v2": {
      readiness: "not-ready",
      failing: ["datasource-documents-stale", "datasource-full-sync-missing"],
      warnings: ["datasource-sync-failing"],
    },
    "stale-documents": { readiness: "not-ready", failing: ["datasource-documents-stale"], warnings: ["datasource-sync-failing"] },
    "role-without-permission": { readiness: "not-ready", failing: ["webexperience-role-getdocumentcontent"], warnings: [] },
    "explicit-deny": { readiness: "not-ready", failing: ["webexperience-role-explicit-deny"], warnings: [] },
    anonymous: { readiness: "unsupported", failing: ["application-identity-unsupported"], warnings: [] },
    "failing-sync": { readiness: "ready", failing: [], warnings: ["datasource-sync-failing"] },
    "stale-uploads": { readiness: "not-ready", failing: ["uploaded-documents-stale"], warnings: [] },
  };

  it("judges every application as its scenario says", async () => {
    const { fixture, scenarios } = generateFleetWithScenarios({ accounts: 2, regions: 1, apps: 18, dataSources: 2, syncJobs: 11, documents: 8, seed: 21 });
    const { report } = await runAudit({ fixture });
    expect(report.targets.every((t) => t.status === "ok")).toBe(true);
    expect(report.applications).toHaveLength(36);
    expect(new Set(scenarios.values()).size).toBe(9);
    for (const app of report.applications) {
      const generated = scenarios.get(app.applicationId)!;
      const source = appsOf(fixture).find((x) => x.app.applicationId === app.applicationId)!.app;
      const scenario = generated === "unknown-mode" && sourcesOf(source).some((ds) => ds.type === "S3V2") ? "unknown-mode-s3v2" : generated;
      const findings = report.findings.filter((f) => f.resource.applicationId === app.applicationId);
      const ids = (status: string) => [...new Set(findings.filter((f) => f.status === status).map((f) => f.checkId))].sort();
      expect({ readiness: app.readiness, failing: ids("fail"), warnings: ids("warn") }, `${app.displayName} (${scenario})`).toEqual(VERDICTS[scenario]);
    }
  });
});

describe("fixtureJsonChunks", () => {
  it("streams exactly what JSON.stringify writes, in bounded chunks", () => {
    const fixture = generateFleet({ ...small, faults: { latencyMs: 5 } });
    const chunks = [...fixtureJsonChunks(fixture, 4096)];
    expect(chunks.join("")).toBe(JSON.stringify(fixture));
    expect(chunks.length).toBeGreaterThan(10);
    // A chunk only overshoots by the one small value that crossed the bound.
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(4096 + 8192);
  });
});

describe("npm run fleet", () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/fleet.ts", ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const flags = ["--accounts", "2", "--regions", "3", "--apps", "4", "--data-sources", "2", "--sync-jobs", "11", "--documents", "15", "--seed", "5"];

  it("writes a valid fleet as JSON to stdout, the same one the generator builds", () => {
    const result = run([...flags, "--rate-per-second", "20"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const fixture = validateFixture(JSON.parse(result.stdout), "stdout");
    expect(Object.keys(fixture.accounts[0].regions)).toEqual(["us-east-1", "us-west-2", "eu-west-1"]);
    expect(result.stdout.trim()).toBe(
      JSON.stringify(
        generateFleet({ accounts: 2, regions: 3, apps: 4, dataSources: 2, syncJobs: 11, documents: 15, seed: 5, faults: { ratePerSecond: 20, seed: 5 } }),
      ),
    );
  });

  it("refuses a bad value with exit code 2 and a message naming the flag", () => {
    const result = run(flags.map((f) => (f === "3" ? "twelve" : f)));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("--regions");
  });

  it("refuses a missing flag and an unknown flag with exit code 2", () => {
    const missing = run(flags.slice(0, -2));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--seed");
    const unknown = run([...flags, "--colour", "blue"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--colour");
  });
});
