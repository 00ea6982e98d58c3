/**
 * What every export of a finding says the same way: its stable id (the same
 * finding in every audit, so Security Hub updates it instead of adding one),
 * the AWS resource it is about (ARN and CloudFormation-style type), and links
 * into the dashboard. Pure: no AWS, no Node.
 */
import { findingKey } from "../audit/history";
import type { AuditReport, Finding } from "../audit/types";

export const PRODUCT_NAME = "qbiz-readiness";

/** The id an export gives a finding: the product, then check and resource (findingKey), never the audit. */
export function stableFindingId(finding: Finding): string {
  return `${PRODUCT_NAME}/${findingKey(finding).replace(/\|/g, "/").replace(/\/+$/g, "")}`;
}

export interface ExportedResource {
  /** ARN, or "AWS::::Account:{id}" for an account-level finding (as Security Hub names accounts). */
  id: string;
  /** AWS::QBusiness::DataSource, AWS::IAM::Role, ... ("Other" where CloudFormation has no type). */
  type: string;
  name: string | null;
  region: string;
  accountId: string;
}

function applicationArn(f: Finding): string {
  const r = f.resource;
  return `arn:aws:qbusiness:${r.region}:${r.accountId}:application/${r.applicationId}`;
}

/** The finding's resource as AWS names it. */
export function exportedResource(finding: Finding): ExportedResource {
  const r = finding.resource;
  const base = { name: r.name, region: r.region, accountId: r.accountId };
  if (r.type === "role" && r.roleArn) return { ...base, id: r.roleArn, type: "AwsIamRole" };
  if (r.type === "target" || !r.applicationId) return { ...base, id: `AWS::::Account:${r.accountId}`, type: "AwsAccount" };
  const app = applicationArn(finding);
  if (r.type === "web-experience" && r.webExperienceId)
    return { ...base, id: `${app}/web-experience/${r.webExperienceId}`, type: "AWS::QBusiness::WebExperience" };
  if ((r.type === "data-source" || r.type === "uploaded-documents") && r.indexId) {
    const index = `${app}/index/${r.indexId}`;
    return r.dataSourceId
      ? { ...base, id: `${index}/data-source/${r.dataSourceId}`, type: "AWS::QBusiness::DataSource" }
      : { ...base, id: index, type: "AWS::QBusiness::Index" };
  }
  return { ...base, id: app, type: "AWS::QBusiness::Application" };
}

/** The dashboard's address for links (QBR_DASHBOARD_URL), without a trailing slash; undefined when not configured. */
export function dashboardBaseUrl(
  env: NodeJS.ProcessEnv | Record<string, string | undefined> = typeof process !== "undefined" ? process.env : {},
): string | undefined {
  const url = env["QBR_DASHBOARD_URL"]?.trim();
  return url ? url.replace(/\/+$/, "") : undefined;
}

/** The dashboard page of the finding's application (or the findings page for account-level ones). */
export function findingDashboardPath(finding: Finding): string {
  const r = finding.resource;
  if (!r.applicationId) return `/findings?${new URLSearchParams({ account: r.accountId, region: r.region, check: finding.checkId })}`;
  return `/applications/${encodeURIComponent(r.accountId)}/${encodeURIComponent(r.region)}/${encodeURIComponent(r.applicationId)}`;
}

/**
 * Whether the audit read where a finding lives: a target it read (status
 * ok), outside any application it could not read whole. A finding it does
 * not report there is gone; elsewhere, nothing is known (it stays as it was).
 */
export function auditedScope(report: Pick<AuditReport, "targets" | "applications">): (f: Pick<Finding, "resource">) => boolean {
  const targets = new Set(report.targets.filter((t) => t.status === "ok").map((t) => `${t.accountId}|${t.region}`));
  const partial = new Set(report.applications.filter((a) => a.error).map((a) => `${a.accountId}|${a.region}|${a.applicationId}`));
  return ({ resource: r }) => targets.has(`${r.accountId}|${r.region}`) && !(r.applicationId && partial.has(`${r.accountId}|${r.region}|${r.applicationId}`));
}

/** A finding of report.vanished: open before, no longer reported (fixedReason other than passed). */
export const isVanished = (f: Finding) => Boolean(f.lifecycle?.fixedReason && f.lifecycle.fixedReason !== "passed");
