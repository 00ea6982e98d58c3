/**
 * The words an admin reads the same way on every page (issue 11 item 8):
 * sync modes, severities, identity types, plurals, the cutoff, the severity
 * filter's choices, the activity log's names and search, the trend's markers.
 */
import { describe, expect, it } from "vitest";
import { checkMetadata } from "~/audit/checks";
import { DEFAULT_CUTOFF, SYNC_MODES } from "~/aws/vocabulary";
import { activityMentions, resourceInWords } from "~/dashboard/activity-words";
import { trendMarkers } from "~/dashboard/trend-markers";
import { cutoffInWords, findingSeverity, formatTime, identityTypeLabel, plural, severitiesInUse, syncModeLabel } from "~/dashboard/words";
import type { ActivityEntry, ResourceRef } from "~/fixes/types";

describe("syncModeLabel", () => {
  it("says what each mode is before its name, so FULL_CRAWL never reads as full", () => {
    expect(syncModeLabel("FULL_CRAWL")).toBe("incremental (FULL_CRAWL)");
    expect(syncModeLabel("FORCED_FULL_CRAWL")).toBe("full (FORCED_FULL_CRAWL)");
    expect(SYNC_MODES.map(syncModeLabel)).toEqual(["incremental (FULL_CRAWL)", "full (FORCED_FULL_CRAWL)"]);
  });

  it("shows an unknown mode as it is, and no mode as such", () => {
    expect(syncModeLabel("SOMETHING_NEW")).toBe("SOMETHING_NEW (not a mode this product knows)");
    expect(syncModeLabel(null)).toBe("no sync mode set");
    expect(syncModeLabel(undefined)).toBe("no sync mode set");
  });
});

describe("findingSeverity", () => {
  it("rates a failure with its check's severity", () => {
    expect(findingSeverity("critical", "fail")).toEqual({ label: "Critical", rated: true });
    expect(findingSeverity("medium", "fail")).toEqual({ label: "Medium", rated: true });
  });

  it("never labels a warning, an unknown or a pass Critical", () => {
    for (const status of ["warn", "unknown", "pass"] as const) {
      const shown = findingSeverity("critical", status);
      expect(shown.rated).toBe(false);
      expect(shown.label).toBe("not rated");
    }
    expect(findingSeverity("critical", "warn").why).toBe("a warning; the check is critical when it fails");
  });
});

describe("severitiesInUse", () => {
  it("offers only the severities the registered checks have: no 'low' while no check is low", () => {
    const used = new Set(checkMetadata.map((c) => c.severity));
    const offered = severitiesInUse(checkMetadata);
    expect(new Set(offered)).toEqual(used);
    expect(offered.includes("low")).toBe(used.has("low"));
  });

  it("orders them most severe first", () => {
    expect(severitiesInUse([{ severity: "low" }, { severity: "critical" }, { severity: "medium" }, { severity: "critical" }])).toEqual([
      "critical",
      "medium",
      "low",
    ]);
  });
});

describe("identityTypeLabel", () => {
  it("puts the raw value beside the words", () => {
    expect(identityTypeLabel("AWS_IAM_IDC")).toBe("IAM Identity Center (AWS_IAM_IDC)");
    expect(identityTypeLabel("AWS_IAM_IDP_SAML")).toBe("IAM federation (SAML) (AWS_IAM_IDP_SAML)");
    expect(identityTypeLabel("AWS_IAM_IDP_OIDC")).toBe("IAM federation (OIDC) (AWS_IAM_IDP_OIDC)");
    expect(identityTypeLabel("AWS_QUICKSIGHT_IDP")).toBe("Amazon QuickSight (AWS_QUICKSIGHT_IDP)");
    expect(identityTypeLabel("ANONYMOUS")).toBe("Anonymous access (ANONYMOUS)");
  });

  it("shows a value AWS adds later as it is, and a missing one as unknown", () => {
    expect(identityTypeLabel("AWS_SOMETHING_NEW")).toBe("AWS_SOMETHING_NEW");
    expect(identityTypeLabel(null)).toBe("unknown");
  });
});

describe("plural", () => {
  it("writes the noun in the right number instead of '(s)'", () => {
    expect(plural(0, "finding")).toBe("0 findings");
    expect(plural(1, "finding")).toBe("1 finding");
    expect(plural(2, "finding")).toBe("2 findings");
    expect(plural(1, "entry")).toBe("1 entry");
    expect(plural(3, "entry")).toBe("3 entries");
    expect(plural(2, "full sync")).toBe("2 full syncs");
    expect(plural(2, "day")).toBe("2 days");
    expect(plural(4, "fix or rollback", "fixes and rollbacks")).toBe("4 fixes and rollbacks");
  });
});

describe("cutoffInWords", () => {
  it("explains AWS's 'after 07/02/2025' as the instant the product reads", () => {
    expect(cutoffInWords(DEFAULT_CUTOFF)).toBe("after 07/02/2025 (from 2025-07-03 00:00 UTC)");
  });

  it("shows a cutoff not at midnight UTC as its instant", () => {
    expect(cutoffInWords("2025-08-01T12:30:00.000Z")).toBe("since 2025-08-01 12:30 UTC");
  });
});

describe("formatTime", () => {
  it("gives every time one format, with its zone", () => {
    expect(formatTime("2026-12-01T18:05:09.123Z")).toBe("2026-12-01 18:05 UTC");
    expect(formatTime("2026-12-01T20:05:00+02:00")).toBe("2026-12-01 18:05 UTC");
    expect(formatTime(null)).toBe("never");
  });
});

const HR_APP = { accountId: "111122223333", region: "us-east-1", applicationId: "dba944ec-6bc0-4ae9-a0b3-b898a2572643" };
const NAMES = { [`${HR_APP.accountId}/${HR_APP.region}/${HR_APP.applicationId}`]: "hr-benefits-assistant" };
const DATA_SOURCE: ResourceRef = { type: "data-source", ...HR_APP, indexId: "idx-1", dataSourceId: "36138ad1", name: "hr-docs" };
const ROLE: ResourceRef = { type: "role", accountId: "111122223333", roleArn: "arn:aws:iam::111122223333:role/HrWebRole", name: "HrWebRole" };

function entry(id: number, action: ActivityEntry["action"], status: ActivityEntry["status"], startedAt: string, resources: ResourceRef[]) {
  return { id, action, status, startedAt, resources, plan: { applications: [HR_APP] } as unknown as ActivityEntry["plan"] };
}

describe("the activity log's words", () => {
  it("names resources by name, applications by the latest audit's name", () => {
    expect(resourceInWords(DATA_SOURCE, NAMES)).toBe("data source hr-docs");
    expect(resourceInWords(ROLE, NAMES)).toBe("role HrWebRole");
    expect(resourceInWords({ type: "application", ...HR_APP }, NAMES)).toBe("application hr-benefits-assistant");
    expect(resourceInWords({ type: "application", ...HR_APP }, {})).toBe(`application ${HR_APP.applicationId}`);
  });

  it("finds an entry by its application's name (any case), ids and ARNs, and nothing else", () => {
    const e = entry(1, "full-sync", "succeeded", "2026-12-01T10:00:00Z", [DATA_SOURCE]);
    expect(activityMentions(e, "HR-Benefits", NAMES)).toBe(true);
    expect(activityMentions(e, "hr-docs", NAMES)).toBe(true);
    expect(activityMentions(e, "36138ad1", NAMES)).toBe(true);
    expect(activityMentions(entry(2, "patch-role-policy", "succeeded", "2026-12-01T10:00:00Z", [ROLE]), "role/HrWebRole", NAMES)).toBe(true);
    expect(activityMentions(e, "it-helpdesk", NAMES)).toBe(false);
    // Without the names, the application's name is not found.
    expect(activityMentions(e, "hr-benefits", {})).toBe(false);
  });
});

describe("trendMarkers", () => {
  it("marks the fixes and rollbacks that changed something since the oldest audit drawn, oldest first", () => {
    const entries = [
      entry(4, "rollback", "succeeded", "2026-12-01T12:00:00Z", [ROLE]),
      entry(3, "patch-role-policy", "refused", "2026-12-01T11:30:00Z", [ROLE]),
      entry(2, "patch-role-policy", "rolled-back", "2026-12-01T11:00:00Z", [ROLE]),
      entry(1, "full-sync", "succeeded", "2026-11-30T09:00:00Z", [DATA_SOURCE]),
    ];
    expect(trendMarkers(entries, "2026-12-01T08:00:00Z")).toEqual([
      { activityId: 2, at: "2026-12-01T11:00:00Z", kind: "fix", label: "#2 role patch of HrWebRole" },
      { activityId: 4, at: "2026-12-01T12:00:00Z", kind: "rollback", label: "#4 rollback of HrWebRole" },
    ]);
    expect(trendMarkers(entries, undefined).map((m) => m.activityId)).toEqual([1, 2, 4]);
  });
});
