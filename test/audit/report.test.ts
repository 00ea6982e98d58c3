import { describe, expect, it } from "vitest";
import { buildReport, runChecks } from "../../app/audit/report";
import { csvField, formatCsv, formatTable } from "../../app/audit/format";
import { allChecks, checkById } from "../../app/audit/checks";
import type { Inventory } from "../../app/audit/types";
import { access, application, dataSource, index, inventory, job, webExperience } from "./checks/builders";
import { parseCsv } from "../helpers/csv";

const READY_ID = "a0000000-0000-4000-8000-0000000000aa";
const NOT_READY_ID = "a0000000-0000-4000-8000-0000000000bb";
const ANON_ID = "a0000000-0000-4000-8000-0000000000cc";
const QS_ID = "a0000000-0000-4000-8000-0000000000dd";

function arnOf(id: string) {
  return `arn:aws:qbusiness:us-east-1:111122223333:application/${id}`;
}

/** Four applications, one per readiness, plus an unreadable region. */
function fleet(): Inventory {
  const healthySource = dataSource({ syncJobs: [job({ executionId: "full", startTime: "2025-07-10T00:00:00.000Z" })] });
  const app = (applicationId: string, displayName: string, identityType: string, ds = healthySource) => {
    const applicationArn = arnOf(applicationId);
    const indexArn = `${applicationArn}/index/${index().indexId}`;
    const allowed = access("allowed");
    allowed.resources[0].resourceArn = applicationArn;
    allowed.resources[1].resourceArn = indexArn;
    return application({
      applicationId,
      applicationArn,
      displayName,
      identityType,
      indices: [index({ indexArn, dataSources: [ds] })],
      webExperiences: identityType === "AWS_IAM_IDC" ? [webExperience({ access: allowed })] : [],
    });
  };
  const inv = inventory(
    [
      app(READY_ID, "ready-app", "AWS_IAM_IDC"),
      app(NOT_READY_ID, 'stale, "old" app', "AWS_IAM_IDC", dataSource({ configuration: { type: "S3", syncMode: "FULL_CRAWL" } })),
      app(ANON_ID, "anon-app", "ANONYMOUS"),
      app(QS_ID, "qs-app", "AWS_QUICKSIGHT_IDP"),
    ],
    {
      targets: [
        { accountId: "111122223333", region: "us-east-1", status: "ok" },
        { accountId: "111122223333", region: "eu-west-1", status: "error", error: { code: "AccessDeniedException", message: "denied" } },
      ],
    },
  );
  // The trust check reads the role's trust policy, which names one application: let the role trust all of this account's.
  inv.roles[Object.keys(inv.roles)[0]].trustPolicy = {
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "application.qbusiness.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:SetContext"],
        Condition: { ArnLike: { "aws:SourceArn": "arn:aws:qbusiness:us-east-1:111122223333:application/*" } },
      },
    ],
  };
  return inv;
}

describe("buildReport", () => {
  const inv = fleet();
  const report = buildReport(inv, runChecks(inv));
  const readinessOf = (id: string) => report.applications.find((a) => a.applicationId === id)?.readiness;

  it("gives each application its readiness: ready, not-ready, unsupported (anonymous) and unknown (QuickSight)", () => {
    expect(readinessOf(READY_ID)).toBe("ready");
    expect(readinessOf(NOT_READY_ID)).toBe("not-ready");
    expect(readinessOf(ANON_ID)).toBe("unsupported");
    expect(readinessOf(QS_ID)).toBe("unknown");
  });

  it("counts applications by readiness and findings by status, matching the findings listed", () => {
    expect(report.summary.applications).toEqual({ total: 4, ready: 1, notReady: 1, unsupported: 1, unknown: 1 });
    const count = (status: string) => report.findings.filter((f) => f.status === status).length;
    expect(report.summary.findings).toEqual({ fail: count("fail"), warn: count("warn"), unknown: count("unknown"), pass: count("pass") });
    // The incremental source fails, the anonymous app fails, the unreadable region fails.
    expect(report.summary.findings.fail).toBe(3);
  });

  it("carries the contract's top-level members", () => {
    expect(report).toMatchObject({ reportVersion: 1, scannedAt: inv.scannedAt, cutoff: "2025-07-03T00:00:00.000Z", targets: inv.targets });
  });

  it("takes severity and remediation action from the check's metadata", () => {
    for (const f of report.findings) {
      const metadata = checkById(f.checkId)!.metadata;
      expect(f.severity).toBe(metadata.severity);
      if (f.remediation.action !== null) expect(f.remediation.action).toBe(metadata.remediation);
    }
  });

  it("makes a warn finding not block ready", () => {
    const warned = fleet();
    warned.applications[0].indices[0].dataSources[0].syncJobs.unshift(job({ executionId: "broken", startTime: "2025-08-01T00:00:00.000Z", status: "FAILED" }));
    const r = buildReport(warned, runChecks(warned));
    expect(r.findings.some((f) => f.checkId === "datasource-sync-failing" && f.status === "warn" && f.resource.applicationId === READY_ID)).toBe(true);
    expect(r.applications.find((a) => a.applicationId === READY_ID)?.readiness).toBe("ready");
  });

  it("makes an application whose listing failed unknown, not ready", () => {
    const partial = fleet();
    partial.applications[0].indices = [];
    partial.applications[0].error = { code: "ThrottlingException", message: "Rate exceeded", operation: "qbusiness:ListIndices" };
    const r = buildReport(partial, runChecks(partial));
    expect(r.applications.find((a) => a.applicationId === READY_ID)).toMatchObject({ readiness: "unknown", error: { code: "ThrottlingException" } });
    expect(formatTable(r)).toContain("ready-app was read only in part: ThrottlingException on qbusiness:ListIndices: Rate exceeded");
  });

  it("makes an application unknown when only GetApplication failed, and says why", () => {
    const partial = fleet();
    partial.applications[0].error = { code: "AccessDeniedException", message: "no", operation: "qbusiness:GetApplication" };
    const r = buildReport(partial, runChecks(partial));
    expect(r.applications.find((a) => a.applicationId === READY_ID)).toMatchObject({ readiness: "unknown", error: { operation: "qbusiness:GetApplication" } });
  });

  it("applies a configurable cutoff", () => {
    const later = runChecks(fleet(), { cutoff: "2025-09-01T00:00:00Z" });
    const sync = later.find((f) => f.checkId === "datasource-full-sync-missing" && f.resource.applicationId === READY_ID);
    expect(sync?.status).toBe("fail");
    expect(sync?.message).toContain("after 08/31/2025");
  });
});

describe("check registry", () => {
  it("has one module per catalogue id, each with complete metadata", () => {
    expect(allChecks.map((c) => c.metadata.id).sort()).toEqual(
      [
        "application-identity-unsupported",
        "datasource-full-sync-missing",
        "datasource-documents-stale",
        "uploaded-documents-stale",
        "datasource-sync-failing",
        "webexperience-role-missing",
        "webexperience-role-getdocumentcontent",
        "webexperience-role-explicit-deny",
        "webexperience-role-trust",
        "scan-target-unreadable",
      ].sort(),
    );
    for (const { metadata } of allChecks) {
      expect(metadata.title && metadata.meaning && metadata.whyItMatters && metadata.howToFix).toBeTruthy();
      expect(metadata.permissions.length).toBeGreaterThan(0);
    }
    expect(checkById("no-such-check")).toBeUndefined();
  });
});

describe("formatCsv", () => {
  it("quotes fields with commas, quotes and line breaks per RFC 4180", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(null)).toBe("");
  });

  it("writes a header and one CRLF-terminated row per finding, round-tripping quoted names", () => {
    const inv = fleet();
    const report = buildReport(inv, runChecks(inv));
    const csv = formatCsv(report);
    const lines = parseCsv(csv);
    expect(lines[0].slice(0, 4)).toEqual(["checkId", "status", "severity", "resourceType"]);
    expect(lines.length).toBe(report.findings.length + 1);
    expect(csv.endsWith("\r\n")).toBe(true);
    const nameColumn = lines[0].indexOf("applicationName");
    expect(lines.some((row) => row[nameColumn] === 'stale, "old" app')).toBe(true);
    const evidenceColumn = lines[0].indexOf("evidence");
    expect(() => lines.slice(1).forEach((row) => JSON.parse(row[evidenceColumn]))).not.toThrow();
  });
});

describe("formatTable", () => {
  const inv = fleet();
  const report = buildReport(inv, runChecks(inv));
  const text = formatTable(report);

  it("lists each application with its readiness", () => {
    expect(text).toMatch(/ready\s+111122223333\s+us-east-1\s+ready-app/);
    expect(text).toMatch(/not-ready\s+111122223333\s+us-east-1\s+stale, "old" app/);
    expect(text).toMatch(/unsupported\s+111122223333\s+us-east-1\s+anon-app/);
  });

  it("shows failing findings with their message and fix, and the unreadable target", () => {
    expect(text).toContain("FAIL  critical  datasource-full-sync-missing");
    expect(text).toContain("No full sync after 07/02/2025");
    expect(text).toContain(`Fix: ${checkById("datasource-full-sync-missing")!.metadata.howToFix}`);
    expect(text).toContain("Automatic fix: full-sync");
    expect(text).toContain("111122223333/eu-west-1: AccessDeniedException: denied");
  });

  it("says when the check's usual automatic fix cannot help (permissions boundary)", () => {
    const blocked = fleet();
    const evaluation = blocked.applications[0].webExperiences[0].access!;
    evaluation.resources.forEach((r) => Object.assign(r, { decision: "implicitDeny", allowedByPermissionsBoundary: false }));
    const table = formatTable(buildReport(blocked, runChecks(blocked)));
    expect(table).toContain("The permissions boundary blocks qbusiness:GetDocumentContent");
    expect(table).toContain("Automatic fix: none (patch-role-policy cannot help here)");
  });

  it("leaves passing findings out of the attention list", () => {
    expect(text).not.toContain("PASS  ");
  });
});
