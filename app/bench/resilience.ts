/**
 * Judging a resilience run: the audit of a faulted fleet against the audit of
 * the same fleet without faults. Shared by the bench and the tests.
 */
import { findingKey } from "../audit/history";
import type { AuditReport, Finding } from "../audit/types";

export interface ResilienceVerdict {
  /** Empty when the run held: everything below agrees. */
  problems: string[];
  /** Applications in the fixture, and where each went in the faulted report. */
  fixtureApplications: number;
  reportedApplications: number;
  /** Applications of targets the report marks unreadable (counted from the fixture). */
  applicationsInUnreadableTargets: number;
  unreadableTargets: { accountId: string; region: string; code: string }[];
  /** Findings of readable targets compared with the fault-free audit. */
  findingsCompared: number;
  applicationsCompared: number;
}

const targetKey = (t: { accountId: string; region: string }) => `${t.accountId}|${t.region}`;
const appKey = (a: { accountId: string; region: string; applicationId: string }) => `${a.accountId}|${a.region}|${a.applicationId}`;

/**
 * Check the issue's resilience promises on one faulted audit:
 * - every application of a readable target has the readiness, and every
 *   finding the status, of the fault-free audit;
 * - every unreadable target has a failing scan-target-unreadable finding
 *   naming the AWS error;
 * - no application is silently dropped: fixture = reported + in unreadable targets.
 */
export function judgeResilience(
  baseline: AuditReport,
  faulted: AuditReport,
  applicationsByTarget: Record<string, number>,
  expectedUnreadable: { accountId: string; region: string }[] = [],
): ResilienceVerdict {
  const problems: string[] = [];
  const unreadable = faulted.targets.filter((t) => t.status === "error");
  const unreadableKeys = new Set(unreadable.map(targetKey));

  for (const t of expectedUnreadable) {
    if (!unreadableKeys.has(targetKey(t))) problems.push(`target ${targetKey(t)} should be unreadable but was read`);
  }
  for (const t of faulted.targets) {
    if (t.status === "ok" && !baseline.targets.some((b) => targetKey(b) === targetKey(t) && b.status === "ok")) {
      problems.push(`target ${targetKey(t)} read under faults but not without`);
    }
  }

  const unreadableFindings = new Map(
    faulted.findings.filter((f) => f.checkId === "scan-target-unreadable" && f.status === "fail").map((f) => [targetKey(f.resource), f]),
  );
  for (const t of unreadable) {
    const finding = unreadableFindings.get(targetKey(t));
    const code = t.error?.code;
    if (!finding) problems.push(`unreadable target ${targetKey(t)} has no failing scan-target-unreadable finding`);
    else if (!code || !finding.message.includes(code))
      problems.push(`scan-target-unreadable for ${targetKey(t)} does not name the AWS error ${code ?? "(none recorded)"}`);
  }

  // Readable targets: the same verdicts as without faults.
  const baselineApps = new Map(baseline.applications.map((a) => [appKey(a), a]));
  let applicationsCompared = 0;
  for (const app of faulted.applications) {
    const before = baselineApps.get(appKey(app));
    applicationsCompared++;
    if (!before) problems.push(`application ${appKey(app)} appears only under faults`);
    else if (before.readiness !== app.readiness) {
      problems.push(`application ${appKey(app)}: ${app.readiness} under faults, ${before.readiness} without${app.error ? ` (${app.error.code})` : ""}`);
    }
  }
  const readable = (f: Finding) => f.resource.type !== "target" && !unreadableKeys.has(targetKey(f.resource));
  const statusOf = (findings: Finding[]) => new Map(findings.filter(readable).map((f) => [findingKey(f), f.status]));
  const before = statusOf(baseline.findings);
  const after = statusOf(faulted.findings);
  let findingsCompared = 0;
  for (const [key, status] of before) {
    // Findings of targets the faulted run could not read are accounted for by scan-target-unreadable.
    const target = key.split("|").slice(2, 4).join("|");
    if (unreadableKeys.has(target)) continue;
    findingsCompared++;
    const now = after.get(key);
    if (now === undefined) problems.push(`finding ${key} missing under faults`);
    else if (now !== status) problems.push(`finding ${key}: ${now} under faults, ${status} without`);
  }
  for (const key of after.keys()) if (!before.has(key)) problems.push(`finding ${key} appears only under faults`);

  const fixtureApplications = Object.values(applicationsByTarget).reduce((a, b) => a + b, 0);
  const applicationsInUnreadableTargets = unreadable.reduce((n, t) => n + (applicationsByTarget[targetKey(t)] ?? 0), 0);
  const reportedApplications = faulted.applications.length;
  if (reportedApplications + applicationsInUnreadableTargets !== fixtureApplications) {
    problems.push(
      `applications dropped: fixture ${fixtureApplications}, report ${reportedApplications} + ${applicationsInUnreadableTargets} in unreadable targets`,
    );
  }
  const fixtureTargets = Object.keys(applicationsByTarget).length;
  if (faulted.targets.length !== fixtureTargets) problems.push(`targets: fixture ${fixtureTargets}, report ${faulted.targets.length}`);

  return {
    problems,
    fixtureApplications,
    reportedApplications,
    applicationsInUnreadableTargets,
    unreadableTargets: unreadable.map((t) => ({ accountId: t.accountId, region: t.region, code: t.error?.code ?? "" })),
    findingsCompared,
    applicationsCompared,
  };
}
