/**
 * The benchmark's fleets (issue 6 sizes) and the fault set of the resilience
 * runs, applied to a generated fixture. Pure: the bench's child processes and
 * the tests build the same fleets from the same specs.
 */
import { targetsForFixture, type TargetSpec } from "../audit/targets";
import type { Fixture, FixtureFaults } from "../local-aws/fixture-types";
import { generateFleet, type GenerateFleetOptions } from "../local-aws/generate-fleet";

export interface FleetLimits {
  latencyMs: number;
  ratePerSecond: number;
  burst: number;
}

export interface BenchFleetSpec {
  name: string;
  fleet: Omit<GenerateFleetOptions, "faults">;
  limits: FleetLimits;
}

/** 2 accounts × 2 regions × 10 applications × 5 data sources, 20 sync jobs and 200 documents each; 20 ms, 20/s, burst 40. */
export const MEDIUM_FLEET: BenchFleetSpec = {
  name: "medium",
  fleet: { accounts: 2, regions: 2, apps: 10, dataSources: 5, syncJobs: 20, documents: 200, seed: 6 },
  limits: { latencyMs: 20, ratePerSecond: 20, burst: 40 },
};

/** 3 accounts × 4 regions × 25 applications × 8 data sources, 30 sync jobs and 500 documents each; 25 ms, 25/s, burst 50. */
export const LARGE_FLEET: BenchFleetSpec = {
  name: "large",
  fleet: { accounts: 3, regions: 4, apps: 25, dataSources: 8, syncJobs: 30, documents: 500, seed: 6 },
  limits: { latencyMs: 25, ratePerSecond: 25, burst: 50 },
};

/** 12 accounts × 4 regions × 25 applications × 8 data sources, 30 sync jobs and 100 documents each; the large fleet's limits (issue 15). */
export const XL_FLEET: BenchFleetSpec = {
  name: "xl",
  fleet: { accounts: 12, regions: 4, apps: 25, dataSources: 8, syncJobs: 30, documents: 100, seed: 6 },
  limits: LARGE_FLEET.limits,
};

/** Three accounts so that one can lose its AssumeRole and another a region, and a third stays whole. */
export const RESILIENCE_FLEET: BenchFleetSpec = {
  name: "resilience",
  fleet: { accounts: 3, regions: 2, apps: 6, dataSources: 4, syncJobs: 20, documents: 200, seed: 11 },
  limits: { latencyMs: 5, ratePerSecond: 5, burst: 5 },
};

/**
 * Faults of a resilience run: a share of calls answered InternalServerException,
 * the rate limit, one denied (account, region) and one account whose AssumeRole fails.
 */
export interface ResilienceFaults {
  errorRate: number;
  ratePerSecond: number;
  burst: number;
  latencyMs: number;
  /** Q Business refuses every call of this account in this region (AccessDeniedException). */
  deniedRegion: { accountId: string; region: string };
  /** This account's audit role is gone, so AssumeRole into it is refused (AccessDenied). */
  brokenAssumeRoleAccount: string;
  seed: number;
}

/** The fault set on a fleet: the first account loses its last region, the second its audit role. */
export function resilienceFaultsFor(fixture: Fixture, limits: Partial<FleetLimits> = {}): ResilienceFaults {
  const [first, second] = fixture.accounts;
  if (!first || !second) throw new Error("a resilience run needs at least two accounts");
  const regions = Object.keys(first.regions);
  return {
    errorRate: 0.05,
    ratePerSecond: limits.ratePerSecond ?? 5,
    burst: limits.burst ?? 5,
    latencyMs: limits.latencyMs ?? 0,
    deniedRegion: { accountId: first.accountId, region: regions[regions.length - 1] },
    brokenAssumeRoleAccount: second.accountId,
    seed: 42,
  };
}

export interface PreparedFleet {
  fixture: Fixture;
  /** The targets as `npm run audit -- --fixture` would read them, computed before any fault was applied. */
  targets: TargetSpec[];
  /** Applications per "account|region" in the fixture: what the report must account for. */
  applicationsByTarget: Record<string, number>;
}

/** Number of applications of every (account, region) of a fixture. */
export function countApplications(fixture: Fixture): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const account of fixture.accounts) {
    for (const [region, r] of Object.entries(account.regions)) counts[`${account.accountId}|${region}`] = r.applications.length;
  }
  return counts;
}

/**
 * Generate a bench fleet with its limits as the fixture's faults, and (for a
 * resilience run) break it: deny a region and remove an account's audit role.
 * The targets are those of the intact fleet, so the audit still tries them.
 */
export function prepareFleet(spec: BenchFleetSpec, resilience?: ResilienceFaults | "default"): PreparedFleet {
  const fixture = generateFleet({ ...spec.fleet });
  const targets = targetsForFixture(fixture);
  const applicationsByTarget = countApplications(fixture);
  const faults: FixtureFaults = { latencyMs: spec.limits.latencyMs, ratePerSecond: spec.limits.ratePerSecond, burst: spec.limits.burst };
  if (resilience) {
    const r = resilience === "default" ? resilienceFaultsFor(fixture, spec.limits) : resilience;
    applyResilienceFaults(fixture, r);
  } else {
    fixture.faults = faults;
  }
  return { fixture, targets, applicationsByTarget };
}

/** Apply a resilience fault set to a fixture in place. */
export function applyResilienceFaults(fixture: Fixture, r: ResilienceFaults): void {
  fixture.faults = { latencyMs: r.latencyMs, ratePerSecond: r.ratePerSecond, burst: r.burst, errorRate: r.errorRate, seed: r.seed };
  const denied = fixture.accounts.find((a) => a.accountId === r.deniedRegion.accountId);
  if (!denied) throw new Error(`no account ${r.deniedRegion.accountId} in the fleet`);
  denied.denied = [...(denied.denied ?? []), { service: "qbusiness", region: r.deniedRegion.region, operation: "*" }];
  const broken = fixture.accounts.find((a) => a.accountId === r.brokenAssumeRoleAccount);
  if (!broken?.iam) throw new Error(`no account ${r.brokenAssumeRoleAccount} with IAM in the fleet`);
  const before = broken.iam.roles.length;
  broken.iam.roles = broken.iam.roles.filter((role) => role.roleName !== "QbizReadinessAudit");
  if (broken.iam.roles.length === before) throw new Error(`account ${r.brokenAssumeRoleAccount} has no QbizReadinessAudit role to remove`);
}

/** Fleet size in words for tables: "2 accounts × 2 regions × 10 apps × 5 sources, 20 jobs, 200 docs". */
export function describeFleet(spec: BenchFleetSpec): string {
  const f = spec.fleet;
  return `${f.accounts} accounts × ${f.regions} regions × ${f.apps} apps × ${f.dataSources} sources, ${f.syncJobs} jobs, ${f.documents} docs`;
}
