/**
 * Resilience (issue 6): a small generated fleet audited through the real SDK
 * against the local AWS, once without faults and once with 5% of calls
 * answered InternalServerException, a 5/s rate limit per account+region+operation,
 * one region denied and one account whose AssumeRole fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { findingKey } from "../../app/audit/history";
import { runAudit, type AuditRun } from "../../app/audit/run";
import { applyResilienceFaults, countApplications, resilienceFaultsFor, type ResilienceFaults } from "../../app/bench/fleets";
import { judgeResilience } from "../../app/bench/resilience";
import { targetsForFixture, type TargetSpec } from "../../app/audit/targets";
import { startLocalAws, type LocalAwsStats } from "../../app/local-aws/index";
import type { Fixture } from "../../app/local-aws/fixture-types";
import { generateFleet } from "../../app/local-aws/generate-fleet";

const FLEET = { accounts: 3, regions: 2, apps: 2, dataSources: 2, syncJobs: 6, documents: 30, seed: 23 };

async function audit(fixture: Fixture, targets: TargetSpec[]): Promise<{ run: AuditRun; emulator: LocalAwsStats }> {
  const aws = await startLocalAws({ fixture, port: 0 });
  try {
    const run = await runAudit({ targets, endpoint: aws.endpoint });
    return { run, emulator: { ...aws.stats } };
  } finally {
    await aws.close();
  }
}

describe("an audit under faults", () => {
  let faults: ResilienceFaults;
  let applicationsByTarget: Record<string, number>;
  let baseline: AuditRun;
  let faulted: AuditRun;
  let faultedEmulator: LocalAwsStats;

  beforeAll(async () => {
    const intact = generateFleet(FLEET);
    // The targets of the intact fleet: the audit still tries the account whose role is gone.
    const targets = targetsForFixture(intact);
    applicationsByTarget = countApplications(intact);
    faults = resilienceFaultsFor(intact, { ratePerSecond: 5, burst: 5, latencyMs: 0 });
    const broken = structuredClone(intact);
    applyResilienceFaults(broken, faults);
    ({ run: baseline } = await audit(intact, targets));
    ({ run: faulted, emulator: faultedEmulator } = await audit(broken, targets));
  }, 60_000);

  it("really met throttling and server errors, and retried through them", () => {
    expect(faulted.inventory.stats?.throttled).toBeGreaterThan(0);
    expect(faultedEmulator.throttled).toBeGreaterThan(0);
    expect(faulted.inventory.stats?.serverErrors).toBeGreaterThan(0);
    // Every attempt the emulator answered was counted by the audit's clients, retries included.
    expect(faulted.inventory.stats?.apiCalls).toBe(faultedEmulator.calls);
  });

  it("keeps the fault-free readiness of every application of a readable target", () => {
    const before = new Map(baseline.report.applications.map((a) => [`${a.accountId}|${a.region}|${a.applicationId}`, a.readiness]));
    expect(faulted.report.applications.length).toBeGreaterThan(0);
    for (const app of faulted.report.applications) {
      expect({ app: app.applicationId, readiness: app.readiness }).toEqual({
        app: app.applicationId,
        readiness: before.get(`${app.accountId}|${app.region}|${app.applicationId}`),
      });
    }
  });

  it("keeps the fault-free status of every finding in a readable target", () => {
    const readable = new Set(faulted.report.targets.filter((t) => t.status === "ok").map((t) => `${t.accountId}|${t.region}`));
    const inReadable = (run: AuditRun) =>
      new Map(
        run.report.findings
          .filter((f) => f.resource.type !== "target" && readable.has(`${f.resource.accountId}|${f.resource.region}`))
          .map((f) => [findingKey(f), f.status]),
      );
    expect(inReadable(faulted)).toEqual(inReadable(baseline));
  });

  it("reports the denied region as unreadable with the AccessDeniedException it got", () => {
    const { accountId, region } = faults.deniedRegion;
    const finding = faulted.report.findings.find(
      (f) => f.checkId === "scan-target-unreadable" && f.resource.accountId === accountId && f.resource.region === region,
    );
    expect(finding?.status).toBe("fail");
    expect(finding?.message).toContain("AccessDeniedException");
  });

  it("reports every region of the account whose AssumeRole fails as unreadable, naming AccessDenied", () => {
    const regions = Object.keys(applicationsByTarget).filter((k) => k.startsWith(`${faults.brokenAssumeRoleAccount}|`));
    expect(regions.length).toBe(FLEET.regions);
    for (const key of regions) {
      const [accountId, region] = key.split("|");
      const finding = faulted.report.findings.find(
        (f) => f.checkId === "scan-target-unreadable" && f.resource.accountId === accountId && f.resource.region === region,
      );
      expect(finding?.status).toBe("fail");
      expect(finding?.message).toMatch(/AccessDenied\b/);
    }
  });

  it("drops no application: the fixture's count is the report's plus those of unreadable targets", () => {
    const unreadable = faulted.report.targets.filter((t) => t.status === "error");
    const hidden = unreadable.reduce((n, t) => n + applicationsByTarget[`${t.accountId}|${t.region}`], 0);
    const total = Object.values(applicationsByTarget).reduce((a, b) => a + b, 0);
    expect(unreadable).toHaveLength(1 + FLEET.regions);
    expect(faulted.report.applications.length + hidden).toBe(total);
    expect(faulted.report.targets).toHaveLength(Object.keys(applicationsByTarget).length);
  });

  it("passes the bench's own judgement of the run", () => {
    const verdict = judgeResilience(baseline.report, faulted.report, applicationsByTarget, [faults.deniedRegion]);
    expect(verdict.problems).toEqual([]);
    expect(verdict.findingsCompared).toBeGreaterThan(0);
  });
});
