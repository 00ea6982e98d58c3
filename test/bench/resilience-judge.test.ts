/**
 * The bench's judgement of a resilience run catches each way an audit could
 * lose its way: a changed verdict, a dropped application, a silent unreadable target.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport, Finding } from "../../app/audit/types";
import { judgeResilience } from "../../app/bench/resilience";

const A = "111122223333";

function finding(checkId: string, status: Finding["status"], region: string, extra: Partial<Finding["resource"]> = {}, message = "m"): Finding {
  return {
    checkId,
    status,
    severity: "high",
    resource: { type: "application", accountId: A, region, applicationId: "app-1", ...extra },
    message,
    evidence: {},
    remediation: null,
  } as unknown as Finding;
}

function report(parts: Partial<AuditReport>): AuditReport {
  return {
    reportVersion: 1,
    scannedAt: "2026-11-26T12:00:00.000Z",
    cutoff: "2025-07-03T00:00:00.000Z",
    targets: [
      { accountId: A, region: "us-east-1", status: "ok" },
      { accountId: A, region: "eu-west-1", status: "ok" },
    ],
    summary: { applications: { total: 0, ready: 0, notReady: 0, unsupported: 0, unknown: 0 }, findings: { fail: 0, warn: 0, unknown: 0, pass: 0 } },
    applications: [
      { accountId: A, region: "us-east-1", applicationId: "app-1", displayName: "one", readiness: "ready" },
      { accountId: A, region: "eu-west-1", applicationId: "app-1", displayName: "two", readiness: "not-ready" },
    ],
    findings: [finding("application-identity-unsupported", "pass", "us-east-1"), finding("application-identity-unsupported", "fail", "eu-west-1")],
    ...parts,
  } as unknown as AuditReport;
}

const counts = { [`${A}|us-east-1`]: 1, [`${A}|eu-west-1`]: 1 };
const baseline = report({});
const euUnreadable = report({
  targets: [
    { accountId: A, region: "us-east-1", status: "ok" },
    { accountId: A, region: "eu-west-1", status: "error", error: { code: "AccessDeniedException", message: "no" } },
  ],
  applications: [baseline.applications[0]],
  findings: [
    baseline.findings[0],
    finding("scan-target-unreadable", "fail", "eu-west-1", { type: "target", applicationId: undefined }, "Could not read: AccessDeniedException: no"),
  ],
});

describe("judgeResilience", () => {
  it("accepts a run whose unreadable target is reported with its error and whose other verdicts held", () => {
    const verdict = judgeResilience(baseline, euUnreadable, counts, [{ accountId: A, region: "eu-west-1" }]);
    expect(verdict.problems).toEqual([]);
    expect(verdict.applicationsInUnreadableTargets).toBe(1);
  });

  it("flags an application whose readiness changed under faults", () => {
    const changed = report({ applications: [{ ...baseline.applications[0], readiness: "unknown" }, baseline.applications[1]] });
    expect(judgeResilience(baseline, changed, counts).problems.join("\n")).toMatch(/app-1: unknown under faults, ready without/);
  });

  it("flags an application missing from the report of a readable target", () => {
    const dropped = report({ applications: [baseline.applications[0]] });
    expect(judgeResilience(baseline, dropped, counts).problems.join("\n")).toMatch(/applications dropped: fixture 2, report 1 \+ 0/);
  });

  it("flags an unreadable target without a scan-target-unreadable finding naming its error", () => {
    const silent = { ...euUnreadable, findings: [baseline.findings[0]] };
    expect(judgeResilience(baseline, silent, counts).problems.join("\n")).toMatch(/no failing scan-target-unreadable/);
  });

  it("flags a target expected unreadable that was read", () => {
    expect(judgeResilience(baseline, baseline, counts, [{ accountId: A, region: "eu-west-1" }]).problems.join("\n")).toMatch(/should be unreadable/);
  });
});
