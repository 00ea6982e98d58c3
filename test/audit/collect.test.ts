import { afterEach, describe, expect, it } from "vitest";
import { AwsCallStats } from "../../app/aws/clients";
import { collectInventory, type CollectOptions } from "../../app/audit/collect";
import { prepareTargets, targetsForFixture, type TargetSpec } from "../../app/audit/targets";
import type { Inventory } from "../../app/audit/types";
import { startLocalAws, type LocalAws } from "../../app/local-aws/index";
import { accountCredentials, type Fixture } from "../../app/local-aws/fixture-types";
import { createLimiter } from "../../app/util/concurrency";
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
} from "./fleet-builder";

const ACCOUNT = "111122223333";
const OTHER = "444455556666";
const REGION = "us-east-1";

let aws: LocalAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/** Start the local AWS on the fixture and collect it the way the audit does. */
async function collect(
  fixture: Fixture,
  specs?: TargetSpec[],
  options: CollectOptions = {},
  changeFleet?: (live: Fixture) => void,
): Promise<{ inventory: Inventory; aws: LocalAws }> {
  aws = await startLocalAws({ fixture, port: 0 });
  changeFleet?.(aws.fleet);
  const stats = new AwsCallStats();
  const targets = await prepareTargets(specs ?? targetsForFixture(fixture), { endpoint: aws.endpoint, stats, maxAttempts: options.stats ? undefined : 8 });
  const inventory = await collectInventory(targets, { stats, ...options });
  return { inventory, aws };
}

function byOperation(emu: LocalAws, operation: string): number {
  return emu.stats.byOperation[operation] ?? 0;
}

describe("collectInventory pagination", () => {
  it("reads all 23 data sources of an index across three ListDataSources pages, with each one's configuration", async () => {
    const sources = Array.from({ length: 23 }, (_, i) => dataSource(`ds-${i}`));
    const { inventory, aws } = await collect(fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", sources)])] })]));
    const ds = inventory.applications[0].indices[0].dataSources;
    expect(ds).toHaveLength(23);
    expect(new Set(ds.map((d) => d.dataSourceId)).size).toBe(23);
    expect(ds.every((d) => d.configuration?.syncMode === "FORCED_FULL_CRAWL")).toBe(true);
    expect(byOperation(aws, "qbusiness:ListDataSources")).toBe(3);
    expect(byOperation(aws, "qbusiness:GetDataSource")).toBe(23);
  });

  it("finds a successful job older than the newest 10 among 25 jobs since the cutoff", async () => {
    const jobs = Array.from({ length: 25 }, (_, i) =>
      // job-0 is the newest; only job-20 succeeded
      syncJob(`job-${i}`, new Date(Date.parse("2025-09-30T00:00:00Z") - i * 86_400_000).toISOString(), i === 20 ? "SUCCEEDED" : "FAILED"),
    );
    jobs.push(syncJob("old-job", BEFORE));
    const { inventory, aws } = await collect(
      fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", [dataSource("ds", { syncJobs: jobs })])])] })]),
    );
    const ds = inventory.applications[0].indices[0].dataSources[0];
    expect(ds.syncJobs).toHaveLength(25);
    expect(ds.syncJobs[0].executionId).toBe(id36("job-0"));
    expect(ds.syncJobs.filter((j) => j.status === "SUCCEEDED").map((j) => j.executionId)).toEqual([id36("job-20")]);
    expect(ds.syncJobs.some((j) => j.executionId === id36("old-job"))).toBe(false);
    expect(ds.syncJobs[0].metrics?.documentsScanned).toBe(1);
    // three filtered pages, and no extra request for the latest job: the filtered list starts with it
    expect(byOperation(aws, "qbusiness:ListDataSourceSyncJobs")).toBe(3);
  });

  it("reads the latest job in the same request when no job started after the cutoff", async () => {
    const jobs = [syncJob("older", "2025-01-01T00:00:00Z"), syncJob("latest", BEFORE, "FAILED")];
    const { inventory, aws } = await collect(
      fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", [dataSource("ds", { syncJobs: jobs })])])] })]),
    );
    const ds = inventory.applications[0].indices[0].dataSources[0];
    expect(ds.syncJobs.map((j) => [j.executionId, j.status])).toEqual([[id36("latest"), "FAILED"]]);
    expect(ds.syncJobsRead).toMatchObject({ pages: 1, complete: true, stoppedBecause: "history-exhausted" });
    expect(byOperation(aws, "qbusiness:ListDataSourceSyncJobs")).toBe(1);
  });

  it("marks the first sync known for a data source created after the cutoff", async () => {
    const ds = dataSource("new-ds", { createdAt: AFTER, updatedAt: AFTER, syncJobs: [syncJob("first", "2025-08-02T00:00:00Z")] });
    const { inventory } = await collect(fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", [ds])])] })]));
    expect(inventory.applications[0].indices[0].dataSources[0].firstSyncKnown).toBe(true);
  });

  it("counts 250 documents across pages as stale, fresh and failed, with 5 stale examples", async () => {
    const docs = [...documents(120, BEFORE, "stale"), ...documents(127, AFTER, "fresh"), ...documents(3, AFTER, "failed", "FAILED")];
    const { inventory, aws } = await collect(
      fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", [dataSource("ds", { documents: docs })])])] })]),
    );
    const scan = inventory.applications[0].indices[0].dataSources[0].documents;
    expect(scan).toMatchObject({ scanned: 250, capped: false, staleCount: 120, freshCount: 130, failedCount: 3 });
    expect(scan.staleExamples).toHaveLength(5);
    expect(scan.staleExamples.every((e) => e.documentId.startsWith("s3://bucket/stale-") && e.updatedAt === BEFORE)).toBe(true);
    // 3 pages for the data source, 1 for the (empty) uploads
    expect(byOperation(aws, "qbusiness:ListDocuments")).toBe(4);
  });

  it("stops at the document cap and says the counts are capped", async () => {
    const docs = [...documents(150, BEFORE, "stale"), ...documents(100, AFTER, "fresh")];
    const { inventory } = await collect(
      fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", [dataSource("ds", { documents: docs })])])] })]),
      undefined,
      { documentCap: 120 },
    );
    const scan = inventory.applications[0].indices[0].dataSources[0].documents;
    expect(scan.scanned).toBe(120);
    expect(scan.capped).toBe(true);
    expect(scan.staleCount + scan.freshCount).toBe(120);
  });

  it("counts an index's uploaded files under the uploads data source id", async () => {
    const idx = index("idx", [dataSource("ds")], {
      uploadedDocuments: [
        { documentId: "old.pdf", status: "INDEXED", createdAt: "2025-01-01T00:00:00Z", updatedAt: "2025-01-01T00:00:00Z", contentType: "PDF" },
        { documentId: "new.pdf", status: "INDEXED", createdAt: AFTER, updatedAt: AFTER, contentType: "PDF" },
      ],
    });
    const { inventory } = await collect(fleet([account(ACCOUNT, { [REGION]: [application("app", [idx])] })]));
    const uploads = inventory.applications[0].indices[0].uploadedDocuments;
    expect(uploads).toMatchObject({ scanned: 2, staleCount: 1, freshCount: 1 });
    expect(uploads?.staleExamples).toEqual([{ documentId: "old.pdf", updatedAt: "2025-01-01T00:00:00.000Z" }]);
  });
});

describe("collectInventory roles", () => {
  const role = roleArn(ACCOUNT, "QBusinessWebRole");
  const appArn = (label: string) => `arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${id36(label)}`;

  it("reads a role shared by four web experiences in three applications once, and simulates once per application", async () => {
    const apps = [
      application("app-a", [index("idx-a", [])], [webExperience("web-a1", role), webExperience("web-a2", role)]),
      application("app-b", [index("idx-b", [])], [webExperience("web-b", role)]),
      application("app-c", [index("idx-c", [])], [webExperience("web-c", role)]),
    ];
    const iam = { roles: [webRole("QBusinessWebRole", allowGetDocumentContent([`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/*`]))] };
    const { inventory, aws } = await collect(fleet([account(ACCOUNT, { [REGION]: apps }, { iam })]));
    expect(byOperation(aws, "iam:GetRole")).toBe(1);
    expect(byOperation(aws, "iam:ListRolePolicies")).toBe(1);
    expect(byOperation(aws, "iam:GetRolePolicy")).toBe(1);
    expect(byOperation(aws, "iam:SimulatePrincipalPolicy")).toBe(3);
    expect(Object.keys(inventory.roles)).toEqual([role]);
    expect(inventory.roles[role].inlinePolicies[0].name).toBe("QBusinessWebPolicy");
    expect(inventory.roles[role].trustPolicy).toEqual(iam.roles[0].assumeRolePolicyDocument);
  });

  it("simulates GetDocumentContent on the application and each index, and records the decisions", async () => {
    const app = application("app", [index("idx-1", []), index("idx-2", [])], [webExperience("web", role)]);
    // Allows the application ARN only: the index ARNs are implicitly denied.
    const iam = { roles: [webRole("QBusinessWebRole", allowGetDocumentContent([appArn("app")]))] };
    const { inventory } = await collect(fleet([account(ACCOUNT, { [REGION]: [app] }, { iam })]));
    const access = inventory.applications[0].webExperiences[0].access!;
    expect(access.method).toBe("simulate");
    expect(access.resources.map((r) => [r.resourceArn, r.decision])).toEqual([
      [appArn("app"), "allowed"],
      [`${appArn("app")}/index/${id36("idx-1")}`, "implicitDeny"],
      [`${appArn("app")}/index/${id36("idx-2")}`, "implicitDeny"],
    ]);
    expect(access.resources[0].matchedStatements[0]).toMatchObject({
      policy: "QBusinessWebPolicy",
      policyType: "inline",
      sid: "QBusinessGetDocumentContentPermission",
    });
  });

  it("falls back to a local reading, saying so, when SimulatePrincipalPolicy is denied", async () => {
    const app = application("app", [index("idx", [])], [webExperience("web", role)]);
    const iam = { roles: [webRole("QBusinessWebRole", allowGetDocumentContent([appArn("app"), `${appArn("app")}/index/*`]))] };
    const { inventory } = await collect(
      fleet([account(ACCOUNT, { [REGION]: [app] }, { iam, denied: [{ service: "iam", operation: "SimulatePrincipalPolicy" }] })]),
    );
    const access = inventory.applications[0].webExperiences[0].access!;
    expect(access.method).toBe("local");
    expect(access.simulateError?.code).toMatch(/^AccessDenied/);
    expect(access.resources.map((r) => r.decision)).toEqual(["allowed", "allowed"]);
  });

  it("a conditional allow read locally is unknown, never allowed", async () => {
    const app = application("app", [index("idx", [])], [webExperience("web", role)]);
    const statements = allowGetDocumentContent([appArn("app"), `${appArn("app")}/index/*`], { StringEquals: { "aws:SourceVpc": "vpc-1" } });
    const iam = { roles: [webRole("QBusinessWebRole", statements)] };
    const { inventory } = await collect(
      fleet([account(ACCOUNT, { [REGION]: [app] }, { iam, denied: [{ service: "iam", operation: "SimulatePrincipalPolicy" }] })]),
    );
    const access = inventory.applications[0].webExperiences[0].access!;
    expect(access.method).toBe("local");
    expect(access.resources.every((r) => r.decision === "unknown")).toBe(true);
  });

  it("a web experience whose role does not exist has the role marked missing and no access evaluation", async () => {
    const app = application("app", [index("idx", [])], [webExperience("web", roleArn(ACCOUNT, "Gone"))]);
    const fixture = fleet([account(ACCOUNT, { [REGION]: [app] }, { iam: { roles: [webRole("Gone")] } })]);
    // The role was deleted after the web experience was set up (the fixture itself refuses a dangling role).
    const { inventory, aws } = await collect(fixture, undefined, {}, (live) => {
      live.accounts[0].iam!.roles = [];
    });
    expect(inventory.roles[roleArn(ACCOUNT, "Gone")]).toMatchObject({ exists: false, roleName: "Gone" });
    expect(inventory.roles[roleArn(ACCOUNT, "Gone")].error).toBeUndefined();
    expect(inventory.applications[0].webExperiences[0].access).toBeUndefined();
    expect(byOperation(aws, "iam:SimulatePrincipalPolicy")).toBe(0);
  });

  it("a role in another account than the application is not read under a namesake's name", async () => {
    const app = application("app", [index("idx", [])], [webExperience("web", role)]);
    const fixture = fleet([account(ACCOUNT, { [REGION]: [app] }, { iam: { roles: [webRole("QBusinessWebRole")] } })]);
    const foreign = roleArn(OTHER, "QBusinessWebRole");
    const { inventory, aws } = await collect(fixture, undefined, {}, (live) => {
      live.accounts[0].regions[REGION].applications[0].webExperiences[0].roleArn = foreign;
    });
    expect(inventory.roles[foreign]).toMatchObject({ exists: false, accountId: OTHER, error: { code: "CrossAccountRole" } });
    expect(byOperation(aws, "iam:GetRole")).toBe(0);
  });

  it("reads attached managed policies and the permissions boundary, each policy once", async () => {
    const policyArn = `arn:aws:iam::${ACCOUNT}:policy/Shared`;
    const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/Boundary`;
    const managed = allowGetDocumentContent([`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/*`]);
    const apps = [
      application("app-a", [index("idx-a", [])], [webExperience("web-a", roleArn(ACCOUNT, "RoleA"))]),
      application("app-b", [index("idx-b", [])], [webExperience("web-b", roleArn(ACCOUNT, "RoleB"))]),
    ];
    const iam = {
      roles: [
        webRole("RoleA", [], { attachedPolicyArns: [policyArn], permissionsBoundaryArn: boundaryArn }),
        webRole("RoleB", [], { attachedPolicyArns: [policyArn] }),
      ],
      managedPolicies: [
        { arn: policyArn, policyName: "Shared", document: { Version: "2012-10-17", Statement: managed } },
        {
          arn: boundaryArn,
          policyName: "Boundary",
          document: { Version: "2012-10-17", Statement: [{ Effect: "Allow" as const, Action: "s3:*", Resource: "*" }] },
        },
      ],
    };
    const { inventory, aws } = await collect(fleet([account(ACCOUNT, { [REGION]: apps }, { iam })]));
    const a = inventory.roles[roleArn(ACCOUNT, "RoleA")];
    expect(a.attachedPolicies).toEqual([{ arn: policyArn, name: "Shared", document: { Version: "2012-10-17", Statement: managed } }]);
    expect(a.permissionsBoundary?.document?.Statement).toEqual([{ Effect: "Allow", Action: "s3:*", Resource: "*" }]);
    expect(byOperation(aws, "iam:GetPolicy")).toBe(2);
    expect(byOperation(aws, "iam:GetPolicyVersion")).toBe(2);
    // The boundary does not allow GetDocumentContent: simulation says so
    const accessA = inventory.applications.find((x) => x.displayName === "app-a")!.webExperiences[0].access!;
    expect(accessA.resources[0].decision).toBe("implicitDeny");
    expect(accessA.resources[0].allowedByPermissionsBoundary).toBe(false);
  });
});

describe("collectInventory failures", () => {
  it("a denied region becomes a target error with the AWS code while the readable region is read in full", async () => {
    const fixture = fleet([
      account(
        ACCOUNT,
        { [REGION]: [application("app-east", [index("idx", [dataSource("ds")])])], "eu-west-1": [application("app-eu", [])] },
        { denied: [{ service: "qbusiness", region: "eu-west-1", operation: "*" }] },
      ),
    ]);
    const { inventory } = await collect(fixture);
    expect(inventory.targets).toEqual([
      { accountId: ACCOUNT, region: REGION, status: "ok" },
      {
        accountId: ACCOUNT,
        region: "eu-west-1",
        status: "error",
        error: expect.objectContaining({ code: "AccessDeniedException", operation: "qbusiness:ListApplications" }),
      },
    ]);
    expect(inventory.applications.map((a) => a.displayName)).toEqual(["app-east"]);
    expect(inventory.applications[0].indices[0].dataSources).toHaveLength(1);
  });

  it("an account whose AssumeRole fails becomes a target error and the other accounts are read", async () => {
    const fixture = fleet([account(ACCOUNT, { [REGION]: [application("mine", [])] }), account(OTHER, { [REGION]: [application("theirs", [])] })]);
    const specs: TargetSpec[] = [
      { accountId: ACCOUNT, regions: [REGION], credentials: accountCredentials(ACCOUNT) },
      { accountId: OTHER, regions: [REGION], roleArn: roleArn(OTHER, "NoSuchAuditRole"), credentials: accountCredentials(ACCOUNT) },
    ];
    const { inventory } = await collect(fixture, specs);
    expect(inventory.targets[0].status).toBe("ok");
    expect(inventory.targets[1]).toMatchObject({ accountId: OTHER, status: "error", error: { operation: "sts:AssumeRole" } });
    expect(inventory.targets[1].error?.code).toBeTruthy();
    expect(inventory.applications.map((a) => a.displayName)).toEqual(["mine"]);
  });

  it("a throttled account is read in full thanks to the SDK's retries, and the throttles are counted", async () => {
    const sources = Array.from({ length: 12 }, (_, i) => dataSource(`ds-${i}`, { syncJobs: [syncJob(`j-${i}`, AFTER)] }));
    const fixture = fleet([account(ACCOUNT, { [REGION]: [application("app", [index("idx", sources)])] })], {
      faults: { ratePerSecond: 10, burst: 2 },
    });
    const { inventory, aws } = await collect(fixture);
    expect(inventory.targets[0].status).toBe("ok");
    const ds = inventory.applications[0].indices[0].dataSources;
    expect(ds).toHaveLength(12);
    expect(ds.every((d) => d.syncJobs.length === 1 && !d.error && !d.syncJobsError && !d.documents.error)).toBe(true);
    expect(aws.stats.throttled).toBeGreaterThan(0);
    expect(inventory.stats?.throttled).toBe(aws.stats.throttled);
  }, 30_000);
});

describe("collectInventory errors on inventory nodes", () => {
  it("records each refused read on the node it concerns and goes on with the rest", async () => {
    const role = roleArn(ACCOUNT, "QBusinessWebRole");
    const apps = [application("app", [index("idx", [dataSource("ds", { documents: documents(2, AFTER) })])], [webExperience("web", role)])];
    const denied = ["GetDataSource", "ListDataSourceSyncJobs", "ListDocuments"].map((operation) => ({ service: "qbusiness", operation }));
    const { inventory } = await collect(fleet([account(ACCOUNT, { [REGION]: apps }, { iam: { roles: [webRole("QBusinessWebRole")] }, denied })]));
    expect(inventory.targets[0].status).toBe("ok");
    const ds = inventory.applications[0].indices[0].dataSources[0];
    expect(ds.error).toMatchObject({ code: "AccessDeniedException", operation: "qbusiness:GetDataSource" });
    expect(ds.configuration).toBeUndefined();
    expect(ds.syncJobsError).toMatchObject({ code: "AccessDeniedException", operation: "qbusiness:ListDataSourceSyncJobs" });
    expect(ds.documents.error).toMatchObject({ code: "AccessDeniedException", operation: "qbusiness:ListDocuments" });
    expect(inventory.applications[0].indices[0].uploadedDocuments?.error?.code).toBe("AccessDeniedException");
    // the web experience and its role are still read
    expect(inventory.applications[0].webExperiences[0].access?.method).toBe("simulate");
  });

  it("an application whose indices cannot be listed carries the error, its web experiences are still read", async () => {
    const role = roleArn(ACCOUNT, "QBusinessWebRole");
    const apps = [application("app", [index("idx", [dataSource("ds")])], [webExperience("web", role)])];
    const { inventory } = await collect(
      fleet([
        account(ACCOUNT, { [REGION]: apps }, { iam: { roles: [webRole("QBusinessWebRole")] }, denied: [{ service: "qbusiness", operation: "ListIndices" }] }),
      ]),
    );
    const app = inventory.applications[0];
    expect(app.error).toMatchObject({ code: "AccessDeniedException", operation: "qbusiness:ListIndices" });
    expect(app.indices).toEqual([]);
    expect(app.webExperiences[0].roleArn).toBe(role);
  });

  it("a role that can be neither read nor simulated has an access evaluation that says it could not evaluate", async () => {
    const role = roleArn(ACCOUNT, "QBusinessWebRole");
    const apps = [application("app", [index("idx", [])], [webExperience("web", role)])];
    const denied = [
      { service: "iam", operation: "GetRole" },
      { service: "iam", operation: "SimulatePrincipalPolicy" },
    ];
    const { inventory } = await collect(fleet([account(ACCOUNT, { [REGION]: apps }, { iam: { roles: [webRole("QBusinessWebRole")] }, denied })]));
    expect(inventory.roles[role]).toMatchObject({ exists: false, error: { operation: "iam:GetRole" } });
    const access = inventory.applications[0].webExperiences[0].access!;
    expect(access).toMatchObject({ method: "local", resources: [], error: { operation: "iam:GetRole" } });
    expect(access.simulateError?.operation).toBe("iam:SimulatePrincipalPolicy");
  });

  it("an endpoint nobody answers makes every target unreadable with the network error, without throwing", async () => {
    const stats = new AwsCallStats();
    const targets = await prepareTargets([{ accountId: ACCOUNT, regions: [REGION], credentials: accountCredentials(ACCOUNT) }], {
      endpoint: "http://127.0.0.1:9",
      maxAttempts: 1,
      stats,
    });
    const inventory = await collectInventory(targets, { stats });
    expect(inventory.targets[0]).toMatchObject({ status: "error", error: { operation: "qbusiness:ListApplications" } });
    // Node's network error code (ECONNREFUSED, or the HTTP/2 stream's), not a bare "Error"
    expect(inventory.targets[0].error?.code).toMatch(/^E[A-Z0-9_]+$/);
  });
});

describe("collectInventory request budget", () => {
  it("makes exactly the requests the API forces across a fleet of 2 accounts × 2 regions, none twice", async () => {
    const accounts = [ACCOUNT, OTHER].map((acc, a) => {
      const apps = (region: string) =>
        Array.from({ length: 3 }, (_, p) => {
          const tag = `${a}${region.slice(0, 2)}${p}`;
          const indices = Array.from({ length: 2 }, (_, i) =>
            index(
              `idx-${tag}-${i}`,
              Array.from({ length: 3 }, (_, d) => dataSource(`ds-${tag}-${i}-${d}`, { syncJobs: [syncJob(`job-${tag}-${i}-${d}`, AFTER)] })),
            ),
          );
          return application(`app-${tag}`, indices, [webExperience(`web-${tag}`, roleArn(acc, "WebRole"))]);
        });
      const roles = [webRole("WebRole", allowGetDocumentContent(["*"]))];
      if (acc === OTHER) {
        roles.push(auditRole(ACCOUNT));
      }
      return account(acc, { [REGION]: apps("us"), "eu-west-1": apps("eu") }, { iam: { roles } });
    });
    const { inventory, aws } = await collect(fleet(accounts));
    expect(inventory.targets.every((t) => t.status === "ok")).toBe(true);
    expect(inventory.applications).toHaveLength(12);
    expect(aws.stats.byOperation).toEqual({
      "sts:AssumeRole": 1,
      "qbusiness:ListApplications": 4,
      "qbusiness:GetApplication": 12,
      "qbusiness:ListIndices": 12,
      "qbusiness:ListWebExperiences": 12,
      "qbusiness:GetWebExperience": 12,
      "qbusiness:ListDataSources": 24,
      "qbusiness:GetDataSource": 72,
      "qbusiness:ListDataSourceSyncJobs": 72,
      // each data source, plus the uploads of each index
      "qbusiness:ListDocuments": 72 + 24,
      // one role per account, read once
      "iam:GetRole": 2,
      "iam:ListRolePolicies": 2,
      "iam:GetRolePolicy": 2,
      "iam:ListAttachedRolePolicies": 2,
      // once per (role, application)
      "iam:SimulatePrincipalPolicy": 12,
    });
  });
});

describe("collectInventory concurrency", () => {
  const busyFleet = () =>
    fleet(
      [
        account(ACCOUNT, {
          [REGION]: [
            application("app-east", [
              index(
                "idx-e",
                Array.from({ length: 15 }, (_, i) => dataSource(`e-${i}`, { documents: documents(3, AFTER) })),
              ),
            ]),
          ],
          "eu-west-1": [
            application("app-eu", [
              index(
                "idx-w",
                Array.from({ length: 15 }, (_, i) => dataSource(`w-${i}`, { documents: documents(3, AFTER) })),
              ),
            ]),
          ],
        }),
      ],
      { faults: { latencyMs: 5 } },
    );

  it("keeps requests in flight within the overall limit", async () => {
    const stats = new AwsCallStats();
    aws = await startLocalAws({ fixture: busyFleet(), port: 0 });
    const targets = await prepareTargets(targetsForFixture(aws.fleet), { endpoint: aws.endpoint, stats });
    const inventory = await collectInventory(targets, { stats, concurrency: 3, concurrencyPerTarget: 8 });
    expect(inventory.applications.flatMap((a) => a.indices[0].dataSources)).toHaveLength(30);
    expect(stats.peakInFlight).toBeLessThanOrEqual(3);
    expect(stats.peakInFlight).toBeGreaterThan(1);
  });

  it("keeps requests in flight within the per-target limit for each account and region", async () => {
    const stats = new AwsCallStats();
    aws = await startLocalAws({ fixture: busyFleet(), port: 0 });
    const targets = await prepareTargets(targetsForFixture(aws.fleet), { endpoint: aws.endpoint, stats });
    await collectInventory(targets, { stats, concurrency: 32, concurrencyPerTarget: 2 });
    // two targets (regions) of two requests each
    expect(stats.peakInFlight).toBeLessThanOrEqual(4);
    expect(stats.peakInFlight).toBeGreaterThan(2);
  });
});

describe("concurrency limiter", () => {
  it("never runs more tasks at once than its limit", async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
