/**
 * npm run audit -- [--fixture FILE] [--targets FILE] [--regions a,b]
 *   [--format table|json|csv|ocsf|asff] [--security-hub] [--fail-on critical|high|medium|none] [--out FILE]
 *   [--db PATH | --database-url postgres://…] [--concurrency N] [--document-cap N] [--cutoff ISO-TIME] [--workers]
 *
 * Exit 0: no failing finding at or above --fail-on (default critical);
 * 1: at least one; 2: the audit could not run (bad arguments, bad fixture,
 * bad targets file, no credentials). See docs/audit-report.md.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeDbTarget, isPostgresUrl, resolveDbPath } from "../app/db/database";
import { formatCsv, formatTable } from "../app/audit/format";
import { aggregationFromEnv } from "../app/export/after-audit";
import { formatAsff } from "../app/export/asff";
import { plural } from "../app/util/plural";
import { productVersion } from "../app/util/product-version";
import { formatOcsf } from "../app/export/ocsf";
import { describeSecurityHubResult } from "../app/export/security-hub";
import { fileSuppressionRules } from "../app/audit/pipeline";
import { runAudit, type RunAuditOptions } from "../app/audit/run";
import { AuditSetupError, loadTargetsFile } from "../app/audit/targets";
import { rankIn, SEVERITIES, type AuditReport } from "../app/audit/types";
import { DEFAULT_CUTOFF } from "../app/aws/vocabulary";
import { FixtureError } from "../app/local-aws/index";

/** The product's version, for the OCSF metadata. */
const PRODUCT_VERSION = productVersion(import.meta.url);

/** The default cutoff as people write it (2025-07-03T00:00:00Z). */
const CUTOFF_Z = DEFAULT_CUTOFF.replace(".000Z", "Z");

const USAGE = `Usage: npm run audit -- [--fixture FILE] [--targets FILE] [--regions a,b]
  [--format table|json|csv|ocsf|asff] [--fail-on critical|high|medium|none] [--out FILE]
  [--db PATH | --database-url postgres://...] [--concurrency N] [--document-cap N] [--cutoff ISO-TIME]
  [--organization [--role-name NAME] [--external-id ID] [--ou ou-a,ou-b] [--exclude-accounts 111,222] [--fix-role-name NAME]]
  [--suppressions FILE] [--full] [--security-hub] [--workers]
  --format ocsf: OCSF 1.6.0 Detection Findings (class 2004); asff: AWS Security Finding Format.
  --security-hub: send the findings to Security Hub (BatchImportFindings) in each finding's account and region,
    or in QBR_SECURITY_HUB_ACCOUNT / QBR_SECURITY_HUB_REGION; scheduled audits send when QBR_SECURITY_HUB=true.
  --full: read every sync job and document, reusing no evidence stored by earlier audits (by default an audit reuses it
    where it still holds, and every QBR_FULL_SCAN_EVERY-th audit, default 7, is a full one).
  --suppressions: accepted exceptions as configuration (default QBR_SUPPRESSIONS_FILE); the database's rules apply too.
  --workers: put the targets in the scan queue on PostgreSQL and wait while \`npm run worker\` processes read them
    (default QBR_SCAN_WORKERS=true); this process assembles and saves the audit. Needs --database-url / QBR_DATABASE_URL.
  --database-url: store the audit in PostgreSQL (default QBR_DATABASE_URL) instead of the SQLite file --db / QBR_DB.
  --cutoff: the instant a full sync must follow (default ${CUTOFF_Z}).
  --organization: every active account of the AWS Organization (run it with the management account's or a delegated
    administrator's credentials), each read through arn:aws:iam::{account}:role/{--role-name, default QbizReadinessAudit}.`;

const FORMATS = ["table", "json", "csv", "ocsf", "asff"] as const;

/** --database-url (PostgreSQL), else --db (a SQLite file), else QBR_DATABASE_URL / QBR_DB / the default file. */
function databaseTarget(args: { db?: string; "database-url"?: string }): string {
  const url = args["database-url"];
  if (url !== undefined && !isPostgresUrl(url)) throw new UsageError(`--database-url must be a postgres:// or postgresql:// URL`);
  if (url !== undefined && args.db !== undefined) throw new UsageError("--db and --database-url name two databases: give one");
  return resolveDbPath(url ?? args.db);
}
const FAIL_ON = [...SEVERITIES, "none"] as const;

/** A bad invocation: exit 2 with the message and the usage. */
class UsageError extends Error {}

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${option} must be a positive integer, got "${value}"`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], option: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${option} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

/** True when a finding at or above the threshold fails. */
export function failsGate(report: AuditReport, failOn: (typeof FAIL_ON)[number]): boolean {
  if (failOn === "none") return false;
  // SEVERITIES is most severe first: "at or above" the threshold is at or before it in the list.
  const threshold = rankIn(SEVERITIES, failOn);
  // An accepted exception (suppressed) does not trip the gate: that is what accepting it means.
  return report.findings.some((f) => f.status === "fail" && !f.suppressed && rankIn(SEVERITIES, f.severity) <= threshold);
}

function render(report: AuditReport, format: (typeof FORMATS)[number]): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "csv") return formatCsv(report);
  if (format === "ocsf") return formatOcsf(report, { productVersion: PRODUCT_VERSION });
  if (format === "asff") return formatAsff(report);
  return formatTable(report);
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        fixture: { type: "string" },
        targets: { type: "string" },
        regions: { type: "string" },
        format: { type: "string" },
        "fail-on": { type: "string" },
        out: { type: "string" },
        db: { type: "string" },
        "database-url": { type: "string" },
        concurrency: { type: "string" },
        "document-cap": { type: "string" },
        cutoff: { type: "string" },
        organization: { type: "boolean" },
        "role-name": { type: "string" },
        "external-id": { type: "string" },
        ou: { type: "string" },
        "exclude-accounts": { type: "string" },
        "fix-role-name": { type: "string" },
        suppressions: { type: "string" },
        "security-hub": { type: "boolean" },
        full: { type: "boolean" },
        workers: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const format = oneOf(args.format, FORMATS, "format", "table");
  const failOn = oneOf(args["fail-on"], FAIL_ON, "fail-on", "critical");
  const concurrency = positiveInt(args.concurrency, "concurrency");
  const documentCap = positiveInt(args["document-cap"], "document-cap");
  const regions = args.regions
    ?.split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (args.regions !== undefined && !regions?.length) throw new UsageError("--regions needs at least one region");
  const cutoff = args.cutoff === undefined ? undefined : new Date(args.cutoff);
  if (cutoff && Number.isNaN(cutoff.getTime())) throw new UsageError(`--cutoff must be an ISO-8601 time such as ${CUTOFF_Z}, got "${args.cutoff}"`);
  const targetsFile = args.targets ?? process.env.QBR_TARGETS_FILE;
  const organization = organizationOptions(args);
  if (organization && args.targets) {
    throw new UsageError("--organization and --targets are two ways to name the targets: give one");
  }
  const targets = targetsFile && !organization ? loadTargetsFile(targetsFile) : undefined;
  fileSuppressionRules(args.suppressions); // a bad file stops here, before any AWS call

  const database = databaseTarget(args);
  // Issue 16.3 (workers helper): the queue lives in PostgreSQL; SQLite audits run in this process.
  if (args.workers && !isPostgresUrl(database)) {
    throw new UsageError(
      `--workers needs PostgreSQL (--database-url or QBR_DATABASE_URL); ${describeDbTarget(database)} is a SQLite file, audited in this process`,
    );
  }
  const progress = progressLine();
  const { report, auditId, scan, securityHub } = await runAudit({
    fixture: args.fixture,
    targets,
    regions,
    db: database,
    concurrency,
    documentCap,
    cutoff,
    onProgress: progress.update,
    organization,
    suppressionsFile: args.suppressions,
    full: args.full,
    ...(args.workers ? { workers: true } : {}),
    securityHub: args["security-hub"] ? aggregationFromEnv() : undefined,
  });
  progress.done();
  if (scan && !scan.full) process.stderr.write(`${incrementalNote(report)}\n`);
  for (const line of suppressionNotes(report)) process.stderr.write(`${line}\n`);
  if (securityHub) for (const line of describeSecurityHubResult(securityHub)) process.stderr.write(`${line}\n`);

  const output = render(report, format);
  if (args.out) {
    fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
    fs.writeFileSync(args.out, output);
    process.stderr.write(`Report written to ${args.out}\n`);
  } else {
    process.stdout.write(output);
  }
  if (auditId !== undefined) process.stderr.write(`Saved as audit #${auditId} in ${describeDbTarget(database)}\n`);
  return failsGate(report, failOn) ? 1 : 0;
}

/** What people must know about the accepted exceptions: how many applied, which expired, which matched nothing. */
export function suppressionNotes(report: AuditReport): string[] {
  const s = report.suppressions;
  if (!s) return [];
  const byId = new Map(s.rules.map((r) => [r.id, r]));
  const name = (id: string) => `${id} (${byId.get(id)?.checkId ?? "?"})`;
  return [
    `Accepted exceptions: ${plural(s.suppressedFindings, "finding")} suppressed by ${plural(s.rules.length, "rule")}`,
    ...s.expired.map((id) => {
      const again = byId.get(id)?.matchedIfActive;
      const counted = again ? ` (${plural(again, "finding")} ${again === 1 ? "counts" : "count"} again)` : "";
      return `  expired: ${name(id)} expired ${byId.get(id)?.expires ?? ""} and no longer applies${counted}`;
    }),
    ...s.unmatched.map((id) => `  unmatched: ${name(id)} matched no finding of this audit (a stale rule?)`),
  ];
}

/** "a, b,,c" -> ["a", "b", "c"]; undefined when the option was not given. */
function commaList(value: string | undefined): string[] | undefined {
  return value
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** --organization and the options that only apply with it. */
function organizationOptions(args: Record<string, string | boolean | undefined>): RunAuditOptions["organization"] {
  const only = ["role-name", "external-id", "ou", "exclude-accounts", "fix-role-name"].filter((name) => args[name] !== undefined);
  if (!args.organization) {
    if (only.length > 0) throw new UsageError(`--${only[0]} only applies with --organization`);
    return undefined;
  }
  return {
    roleName: args["role-name"] as string | undefined,
    externalId: args["external-id"] as string | undefined,
    ous: commaList(args.ou as string | undefined),
    excludeAccounts: commaList(args["exclude-accounts"] as string | undefined),
    fixRoleName: args["fix-role-name"] as string | undefined,
  };
}

/** Targets done, API calls and throttles on stderr: rewritten in place on a terminal, one final line otherwise. */
function progressLine() {
  const tty = process.stderr.isTTY;
  let last = { targetsDone: 0, targetsTotal: 0, apiCalls: 0, throttled: 0 };
  let lastDrawn = 0;
  const text = () => `Audited ${last.targetsDone}/${last.targetsTotal} targets · ${last.apiCalls} API calls · ${last.throttled} throttled`;
  return {
    update(p: typeof last) {
      last = p;
      const now = Date.now();
      if (tty && (now - lastDrawn > 200 || p.targetsDone === p.targetsTotal)) {
        lastDrawn = now;
        process.stderr.write(`\r${text()}\x1b[K`);
      }
    },
    done() {
      process.stderr.write(tty ? "\n" : `${text()}\n`);
    },
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) process.stderr.write(`audit: ${message}\n${USAGE}\n`);
    else if (error instanceof FixtureError || error instanceof AuditSetupError) process.stderr.write(`audit: ${message}\n`);
    else process.stderr.write(`audit: the audit could not run: ${message}\n`);
    process.exitCode = 2;
  },
);

/** One line for an incremental audit: how many verdicts rest on evidence an earlier audit read (ADR 0010). */
function incrementalNote(report: { findings: { evidence: Record<string, unknown> }[] }): string {
  const reused = report.findings.filter((f) => f.evidence.reusedFrom !== undefined).length;
  return `Incremental audit: ${plural(reused, "finding")} ${reused === 1 ? "reuses" : "reuse"} evidence stored by an earlier audit where it still holds (--full reads everything).`;
}
