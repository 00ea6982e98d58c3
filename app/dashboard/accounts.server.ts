/**
 * The accounts page: every target (account × region) of the latest audit
 * with its name and OU path, how it was read (directly, or which role), the
 * read's status and, when it failed, its error in words with what to deploy
 * (the scan-target-unreadable finding's message), and its applications
 * counted by readiness; then the organization's skipped accounts.
 */
import { getAuditReport, latestAuditId } from "~/audit/history";
import type { Readiness, SkippedAccount } from "~/audit/types";
import type { Db } from "~/db/database";
import { auditStamp } from "./findings.server";
import type { AuditStamp } from "./types";

export { skipReasonInWords } from "./accounts-words";

export interface AccountTargetRow {
  accountId: string;
  accountName: string | null;
  ouPath: string | null;
  region: string;
  /** "directly" or the role ARN it was read through. */
  readVia: string;
  usesExternalId: boolean;
  status: "ok" | "error";
  /** The read's error in words, with what to deploy when a role is missing (null when read). */
  problem: string | null;
  applications: Record<Readiness, number> & { total: number };
}

export interface AccountsPage {
  audit: AuditStamp | null;
  organization: { organizationId: string; managementAccountId: string; ous?: string[] } | null;
  targets: AccountTargetRow[];
  skipped: SkippedAccount[];
}

export async function getAccountsPage(db: Db): Promise<AccountsPage> {
  const auditId = await latestAuditId(db);
  const report = auditId === undefined ? undefined : await getAuditReport(db, auditId);
  if (auditId === undefined || !report) return { audit: null, organization: null, targets: [], skipped: [] };
  const key = (accountId: string, region: string) => `${accountId}/${region}`;
  const problems = new Map(
    report.findings
      .filter((f) => f.checkId === "scan-target-unreadable" && f.status === "fail")
      .map((f) => [key(f.resource.accountId, f.resource.region), f.message]),
  );
  const targets = report.targets.map((t): AccountTargetRow => {
    const apps = report.applications.filter((a) => a.accountId === t.accountId && a.region === t.region);
    const count = (readiness: Readiness) => apps.filter((a) => a.readiness === readiness).length;
    return {
      accountId: t.accountId,
      accountName: t.accountName ?? null,
      ouPath: t.ouPath ?? null,
      region: t.region,
      readVia: t.roleArn ?? "directly",
      usesExternalId: t.usesExternalId === true,
      status: t.status,
      problem: t.status === "ok" ? null : (problems.get(key(t.accountId, t.region)) ?? `${t.error?.code ?? "Error"}: ${t.error?.message ?? "not read"}`),
      applications: {
        total: apps.length,
        ready: count("ready"),
        "not-ready": count("not-ready"),
        unsupported: count("unsupported"),
        unknown: count("unknown"),
      },
    };
  });
  targets.sort((a, b) => (a.ouPath ?? "").localeCompare(b.ouPath ?? "") || a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  const org = report.organization;
  return {
    audit: await auditStamp(db, auditId),
    organization: org ? { organizationId: org.organizationId, managementAccountId: org.managementAccountId, ...(org.ous ? { ous: org.ous } : {}) } : null,
    targets,
    skipped: org?.skipped ?? [],
  };
}
