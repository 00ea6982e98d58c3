/** The matcher alone: wildcards, absent fields, expiry at the end of the stated day, first rule wins, passes never hidden. */
import { describe, expect, it } from "vitest";
import { applySuppressions, expiryInstant, patternMatches, type SuppressionRule } from "../../app/audit/suppressions";
import type { Finding } from "../../app/audit/types";

function finding(checkId: string, status: Finding["status"], where: Partial<Finding["resource"]> = {}): Finding {
  return {
    checkId,
    status,
    severity: "critical",
    message: "m",
    evidence: {},
    remediation: { action: null },
    resource: {
      type: "data-source",
      accountId: "111100000001",
      region: "us-east-1",
      applicationId: "app-1",
      indexId: "ix",
      dataSourceId: "ds-1",
      webExperienceId: null,
      roleArn: null,
      name: null,
      ...where,
    },
  };
}
const rule = (id: string, r: Partial<SuppressionRule>): SuppressionRule => ({ id, source: "database", checkId: "*", reason: `why ${id}`, by: "alice", ...r });

describe("suppression matching", () => {
  it("* matches any run of characters, the whole value, and a bare * matches a finding without the field", () => {
    expect(patternMatches("1111*", "111100000001")).toBe(true);
    expect(patternMatches("*0001", "111100000001")).toBe(true);
    expect(patternMatches("1111", "111100000001")).toBe(false);
    expect(patternMatches("arn:aws:iam::*:role/Q.Web", "arn:aws:iam::1:role/QxWeb")).toBe(false); // "." is literal
    expect(patternMatches("*", null)).toBe(true);
    expect(patternMatches("ds-*", null)).toBe(false);
  });

  it("a bare date applies through the end of that day (UTC)", () => {
    expect(expiryInstant("2027-06-30").toISOString()).toBe("2027-07-01T00:00:00.000Z");
    const rules = [rule("db:1", { checkId: "datasource-*", expires: "2027-06-30" })];
    const f = [finding("datasource-full-sync-missing", "fail")];
    expect(applySuppressions(f, rules, new Date("2027-06-30T23:59:59Z")).findings[0]!.suppressed?.ruleId).toBe("db:1");
    const after = applySuppressions(f, rules, new Date("2027-07-01T00:00:00Z"));
    expect(after.findings[0]!.suppressed).toBeUndefined();
    expect(after.summary).toMatchObject({ expired: ["db:1"], unmatched: [], suppressedFindings: 0 });
    expect(after.summary.rules[0]).toMatchObject({ expired: true, matchedIfActive: 1 });
  });

  it("the first matching rule wins; passes and unknowns are never suppressed; a rule matching nothing is unmatched", () => {
    const rules = [
      rule("db:1", { checkId: "datasource-full-sync-missing", accountId: "2222*" }),
      rule("db:2", { checkId: "datasource-*", region: "us-east-1", dataSourceId: "ds-*" }),
      rule("file:0", { source: "file", checkId: "datasource-*" }),
    ];
    const findings = [
      finding("datasource-full-sync-missing", "fail"),
      finding("datasource-documents-stale", "warn"),
      finding("datasource-sync-failing", "pass"),
      finding("datasource-sync-failing", "unknown"),
    ];
    const { findings: out, summary } = applySuppressions(findings, rules, new Date("2026-01-01T00:00:00Z"));
    expect(out.map((f) => f.suppressed?.ruleId ?? null)).toEqual(["db:2", "db:2", null, null]);
    expect(summary.unmatched).toEqual(["db:1", "file:0"]);
    expect(summary.suppressedFindings).toBe(2);
  });

  it("re-deciding drops an earlier suppression whose rule is gone", () => {
    const once = applySuppressions([finding("datasource-full-sync-missing", "fail")], [rule("db:1", {})], new Date()).findings;
    expect(once[0]!.suppressed).toBeDefined();
    expect(applySuppressions(once, [], new Date()).findings[0]!.suppressed).toBeUndefined();
  });
});
