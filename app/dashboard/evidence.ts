/**
 * A finding's evidence in sentences an admin can read, not raw JSON. The
 * checks write check-specific facts (app/audit/checks); the shapes that recur
 * (sync jobs with their inferred mode, AWS errors, matched policy statements,
 * document counts) are worded here, anything else as "Label: value".
 * Pure: loaders call it, nothing here touches the database.
 */
import { cutoffLabel, describeError } from "~/audit/checks/common";
import type { AwsErrorInfo } from "~/audit/types";
import { formatDay, formatTime, identityTypeLabel, shortId, syncModeLabel } from "./words";

type Json = unknown;
type Obj = Record<string, Json>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function isObject(value: Json): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "lastConfirmedFullSync" → "Last confirmed full sync". */
export function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A sync job in one line: "1a2b3c4d… SUCCEEDED 2025-08-01, mode incremental (why)". */
function jobInWords(job: Obj): string {
  const parts = [shortId(String(job.executionId))];
  if (job.status) parts.push(String(job.status));
  const start = job.startTime ? formatDay(String(job.startTime)) : null;
  let line = `${parts.join(" ")}${start ? ` ${start}` : ""}`;
  if (job.mode) line += `, mode ${String(job.mode)}`;
  if (job.reason) line += ` (${String(job.reason)})`;
  else if (job.basis) line += ` (${String(job.basis)})`;
  const metrics = isObject(job.metrics) ? job.metrics : null;
  if (metrics && metrics.documentsFailed) line += `, ${String(metrics.documentsFailed)} documents failed`;
  if (isObject(job.error) && (job.error.errorMessage || job.error.errorCode)) {
    line += `, error ${[job.error.errorCode, job.error.errorMessage].filter(Boolean).join(": ")}`;
  }
  return line;
}

function statementInWords(s: Obj): string {
  const name = s.sid ? `statement "${String(s.sid)}"` : "a statement";
  const where = s.policy ? ` of ${s.policyType ? `${String(s.policyType)} policy ` : ""}${String(s.policy)}` : "";
  const effect = s.effect ? ` (${String(s.effect)})` : "";
  return `${name}${where}${effect}`;
}

/** A value in words; undefined when it says nothing worth a line. */
export function valueInWords(value: Json): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return ISO_TIME.test(value) ? formatTime(value) : value;
  if (Array.isArray(value)) {
    if (value.length === 0) return "none";
    return value
      .map((item) => valueInWords(item) ?? "")
      .filter(Boolean)
      .join("; ");
  }
  if (isObject(value)) {
    if ("executionId" in value) return jobInWords(value);
    if ("code" in value && "message" in value) return describeError(value as unknown as AwsErrorInfo);
    if ("policy" in value && ("sid" in value || "effect" in value || "policyType" in value)) return statementInWords(value);
    if ("documentId" in value) {
      return `${String(value.documentId)}${value.updatedAt ? ` (updated ${formatDay(String(value.updatedAt))})` : ""}`;
    }
    const inner = Object.entries(value)
      .map(([k, v]) => {
        const words = valueInWords(v);
        return words === undefined ? null : `${labelOf(k).toLowerCase()} ${words}`;
      })
      .filter(Boolean);
    return inner.length ? inner.join(", ") : undefined;
  }
  return String(value);
}

type Line = string | null;
type Describer = (value: Json, evidence: Obj, cutoff: Date) => Line | Line[];

const count = (value: Json) => (typeof value === "number" ? String(value) : "?");
const sameJob = (a: Json, b: Json) => isObject(a) && isObject(b) && a.executionId === b.executionId;

function errorLine(label: string): Describer {
  return (value) => (isObject(value) ? `${label}: ${valueInWords(value)}` : null);
}

/** "GetDocumentContent on <arn>: allowed, by statement "Sid" of inline policy P (Allow)". */
function decisionLine(d: Obj): string {
  const statements = Array.isArray(d.matchedStatements) ? d.matchedStatements.filter(isObject) : [];
  const words: Record<string, string> = {
    allowed: "allowed",
    explicitDeny: "explicitly denied",
    implicitDeny: statements.length ? "not allowed" : "not allowed (no statement allows it)",
    unknown: "undecided",
  };
  let line = `On ${String(d.resourceArn)}: ${words[String(d.decision)] ?? String(d.decision)}`;
  if (statements.length) line += `; matched ${statements.map(statementInWords).join(" and ")}`;
  if (d.allowedByPermissionsBoundary === false) line += "; the permissions boundary does not allow it";
  if (d.reason) line += ` (${String(d.reason)})`;
  return line;
}

/**
 * Words for the evidence members the checks write (app/audit/checks), by
 * member name. `null`: the member adds nothing an admin needs (the page shows
 * the cutoff; raw policies appear with the web experience).
 */
const DESCRIBERS: Record<string, Describer> = {
  identityType: (v) => `Identity type: ${identityTypeLabel(typeof v === "string" ? v : null)}`,
  dataSourceType: (v) => `Connector type: ${v ?? "unknown"}`,
  syncMode: (v) => `Sync mode (configuration.syncMode): ${v === null ? "not set" : syncModeLabel(String(v))}`,
  dataSourceCreatedAt: (v) => (v ? `Data source created: ${formatTime(String(v))}` : null),
  dataSourceUpdatedAt: (v) => (v ? `Data source last changed: ${formatTime(String(v))}` : null),
  firstSyncKnown: () => null,
  cutoff: () => null,
  jobsCounted: () => null,
  jobsConsidered: (v, e, cutoff) => {
    const jobs = Array.isArray(v) ? v.filter(isObject) : [];
    const after = `Jobs after ${cutoffLabel(cutoff)}`;
    if (jobs.length === 0) return `${after}: none succeeded`;
    if (jobs.length === 1) return `${after}: ${jobInWords(jobs[0])}`;
    const more = typeof e.jobsCounted === "number" && e.jobsCounted > jobs.length ? `, the latest ${jobs.length} of ${e.jobsCounted}` : "";
    return [`${after}: ${jobs.length} succeeded${more}:`, ...jobs.map((job) => `– ${jobInWords(job)}`)];
  },
  // The deciding job is among the jobs listed: only whether it proves a full sync is news.
  decidingJob: (v) => `Last confirmed full sync: ${isObject(v) && v.mode === "full" ? jobInWords(v) : "none"}`,
  lastSuccessfulSync: (v) => `Last successful sync: ${isObject(v) ? jobInWords(v) : "none on record"}`,
  latestSync: (v, e) => (isObject(v) && !sameJob(v, e.lastSuccessfulSync) ? `Latest sync: ${jobInWords(v)}` : null),
  decidedBy: (v) =>
    v === "documents"
      ? "Decided by: per-document evidence (every document re-ingested after the cutoff)"
      : v === "sync-job"
        ? "Decided by: the sync jobs"
        : null,
  documents: (v) => {
    if (!isObject(v)) return null;
    if (isObject(v.error)) return `Documents could not be read: ${valueInWords(v.error)}`;
    const atLeast = v.capped ? " (the scan stopped at its cap: counts are “at least”)" : "";
    return `Documents: ${count(v.scanned)} read, ${count(v.fresh)} re-ingested after the cutoff, ${count(v.stale)} not, ${v.failed ?? 0} failed${atLeast}`;
  },
  scanned: (v, e) => `Documents read: ${count(v)}${e.capped ? " (the scan stopped at its cap: counts are “at least”)" : ""}`,
  staleCount: (v, e) => {
    const examples = Array.isArray(e.staleExamples) && e.staleExamples.length ? `, e.g. ${valueInWords(e.staleExamples)}` : "";
    return `Updated before the cutoff: ${count(v)}${examples}`;
  },
  freshCount: (v) => `Updated after the cutoff: ${count(v)}`,
  failedCount: (v) => (typeof v === "number" && v > 0 ? `Failed to index: ${v}` : null),
  capped: () => null,
  countsAreAtLeast: () => null,
  staleExamples: () => null,
  jobsRead: (v) => `Sync jobs read: ${count(v)}`,
  latestFinishedJob: (v) => {
    if (!isObject(v)) return "Latest finished sync: none";
    const m = isObject(v.metrics) ? v.metrics : {};
    const metrics = `${m.documentsAdded ?? 0} added, ${m.documentsModified ?? 0} modified, ${m.documentsDeleted ?? 0} deleted, ${m.documentsFailed ?? 0} failed`;
    return `Latest finished sync: ${jobInWords(v)}; documents ${metrics}${v.dataSourceErrorCode ? `; data source error ${String(v.dataSourceErrorCode)}` : ""}`;
  },
  action: () => null,
  method: (v) =>
    v === "simulate"
      ? "Decided by: IAM policy simulation (iam:SimulatePrincipalPolicy)"
      : v === "local"
        ? "Decided by: reading the role's policies locally (simulation was not allowed)"
        : null,
  simulateError: errorLine("Simulation refused"),
  permissionsBoundaryArn: (v) => `Permissions boundary: ${v ? String(v) : "none"}`,
  decisions: (v) => (Array.isArray(v) ? v.filter(isObject).map(decisionLine) : null),
  denyStatements: (v) => (Array.isArray(v) && v.length ? `Denied by: ${v.filter(isObject).map(statementInWords).join("; ")}` : null),
  permissionsBoundaryBlocks: (v) => (v ? "The permissions boundary blocks it: patching the role's policies cannot help" : null),
  serviceLinked: (v) => (v ? "Service-linked role: IAM refuses changes to it" : null),
  roleArn: (v, e) => `Role: ${v ? String(v) : "none"}${e.roleArnSource === "samlConfiguration" ? " (from the legacy SAML configuration)" : ""}`,
  roleArnSource: () => null,
  roleExists: (v) => (v === false ? "The role does not exist in IAM" : v === true ? "The role exists" : null),
  servicePrincipal: () => null,
  applicationArn: () => null,
  actions: (v) =>
    Array.isArray(v)
      ? v.filter(isObject).map((a) => {
          const readings = Array.isArray(a.statements) ? a.statements.filter(isObject) : [];
          const why = readings.map(
            (r) => `${r.sid ? `"${String(r.sid)}"` : `statement ${Number(r.index) + 1}`} (${String(r.effect)})${r.note ? `: ${String(r.note)}` : ""}`,
          );
          return `${String(a.action)}: ${String(a.verdict).replace("-", " ")}${why.length ? ` (${why.join("; ")})` : " (no statement covers it)"}`;
        })
      : null,
  trustPolicy: (v) => (v === null ? "Trust policy: not readable" : null),
  error: errorLine("AWS error"),
  syncJobsError: errorLine("Sync jobs could not be read"),
  dataSourceError: errorLine("Data source could not be read"),
  status: (v) => (v === "ok" ? "Target read without errors" : `Target status: ${String(v)}`),
};

/**
 * The evidence of a finding as lines of text, one fact per line: members the
 * checks are known to write are worded by DESCRIBERS, any other member as
 * "Label: value" so nothing the check recorded is hidden.
 */
export function describeEvidence(evidence: Obj, cutoff: Date): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    const describe = DESCRIBERS[key];
    if (describe) {
      const out = describe(value, evidence, cutoff);
      for (const line of Array.isArray(out) ? out : [out]) if (line) lines.push(line);
      continue;
    }
    const words = valueInWords(value);
    if (words !== undefined) lines.push(`${labelOf(key)}: ${words}`);
  }
  return lines;
}
