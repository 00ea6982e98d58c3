/**
 * One audit's lifecycle step, pure (app/db/finding-lifecycle.ts
 * advanceLifecycle): what counts as fixed and what says nothing. A finding
 * no longer reported on a resource the audit still reports on is
 * "not-reported"; one of a target the audit could not read, of an
 * application it could not read whole, or reported "unknown" stays open.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport, Finding, FindingStatus } from "~/audit/types";
import { advanceLifecycle, type LifecycleRow } from "~/db/finding-lifecycle";

const T0 = "2026-12-01T00:00:00.000Z";
const T1 = "2026-12-02T00:00:00.000Z";

function finding(checkId: string, status: FindingStatus, over: Partial<Finding["resource"]> = {}): Finding {
  return {
    checkId,
    status,
    severity: "critical",
    message: checkId,
    evidence: {},
    remediation: { action: null },
    resource: {
      type: "data-source",
      accountId: "111100000001",
      region: "us-east-1",
      applicationId: "app-1",
      indexId: "ix-1",
      dataSourceId: "ds-1",
      webExperienceId: null,
      roleArn: null,
      name: "ds",
      ...over,
    },
  };
}

function report(scannedAt: string, findings: Finding[], over: Partial<AuditReport> = {}): AuditReport {
  return {
    reportVersion: 1,
    scannedAt,
    cutoff: "2025-07-03T00:00:00.000Z",
    targets: [{ accountId: "111100000001", region: "us-east-1", status: "ok" }],
    summary: { applications: { total: 1, ready: 0, notReady: 1, unsupported: 0, unknown: 0 }, findings: { fail: 0, warn: 0, unknown: 0, pass: 0 } },
    applications: [{ accountId: "111100000001", region: "us-east-1", applicationId: "app-1", displayName: "a", identityType: null, readiness: "not-ready" }],
    findings,
    ...over,
  };
}

/** The rows after the first audit (its ids stand for "this audit", 0). */
function after(first: AuditReport): Map<string, LifecycleRow> {
  return new Map(advanceLifecycle(first, new Map()).changed.map((r) => [r.finding_key, r]));
}

describe("advanceLifecycle", () => {
  const stale = finding("datasource-full-sync-missing", "fail");
  const other = finding("datasource-documents-stale", "pass");
  const known = after(report(T0, [stale, other]));

  it("a finding no longer reported while its resource still is: fixed, not-reported", () => {
    const step = advanceLifecycle(report(T1, [other]), known);
    expect(step.vanished.map((f) => [f.checkId, f.lifecycle])).toEqual([
      ["datasource-full-sync-missing", { firstSeen: T0, lastSeen: T0, fixedAt: T1, fixedReason: "not-reported" }],
    ]);
  });

  it("its resource reported by no finding: resource-gone", () => {
    const step = advanceLifecycle(report(T1, []), known);
    expect(step.vanished.map((f) => f.lifecycle?.fixedReason)).toEqual(["resource-gone"]);
  });

  it("a target the audit could not read, or an application it could not read whole, says nothing: still open", () => {
    const unreadable = report(T1, [], { targets: [{ accountId: "111100000001", region: "us-east-1", status: "error" }] });
    expect(advanceLifecycle(unreadable, known)).toMatchObject({ vanished: [], changed: [] });
    const partial = report(T1, [], {
      applications: [
        {
          accountId: "111100000001",
          region: "us-east-1",
          applicationId: "app-1",
          displayName: "a",
          identityType: null,
          readiness: "unknown",
          error: { code: "Throttling", message: "x" },
        },
      ],
    });
    expect(advanceLifecycle(partial, known)).toMatchObject({ vanished: [], changed: [] });
  });

  it("unknown says nothing: still open, last seen when it last failed", () => {
    const step = advanceLifecycle(report(T1, [{ ...stale, status: "unknown" }, other]), known);
    expect(step.changed).toEqual([]);
    expect(step.findings[0]!.lifecycle).toEqual({ firstSeen: T0, lastSeen: T0 });
  });

  it("warn then fail is one spell; pass fixes it; failing again reopens it", () => {
    const warned = after(report(T0, [{ ...stale, status: "warn" }]));
    const failing = advanceLifecycle(report(T1, [stale]), warned);
    expect(failing.findings[0]!.lifecycle).toEqual({ firstSeen: T0 });
    const rows = new Map(failing.changed.map((r) => [r.finding_key, r]));
    const fixed = advanceLifecycle(report("2026-12-03T00:00:00.000Z", [{ ...stale, status: "pass" }]), rows);
    expect(fixed.findings[0]!.lifecycle).toEqual({ firstSeen: T0, lastSeen: T1, fixedAt: "2026-12-03T00:00:00.000Z", fixedReason: "passed" });
    const again = advanceLifecycle(report("2026-12-04T00:00:00.000Z", [stale]), new Map(fixed.changed.map((r) => [r.finding_key, r])));
    expect(again.findings[0]!.lifecycle).toEqual({ firstSeen: "2026-12-04T00:00:00.000Z", reopened: 1, firstSeenEver: T0 });
  });
});
