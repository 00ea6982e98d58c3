/**
 * The one audit pipeline: collect → checks → report → store. The CLI and the
 * dashboard's scans run it through runAudit (run.ts), which first resolves
 * and prepares the targets; the re-audit after a fix (app/fixes/reaudit.ts)
 * runs its steps on the affected applications and merges them into the latest
 * audit before the report and store steps.
 */
import { limitPageCache, openDatabase, type Db } from "../db/database";
import { ownFullSyncExecutionIds } from "../fixes/tracked-syncs";
import { collectInventory, collectTargets, type CollectOptions } from "./collect";
import { prepareLifecycle } from "../db/finding-lifecycle";
import { saveAudit } from "./history";
import { fullScanEveryFromEnv, prepareScan, storeEvidence, type ScanMode } from "./incremental";
import { DEFAULT_CUTOFF } from "../aws/vocabulary";
import { buildReport, compareFindings, runChecks } from "./report";
import { auditedOf, settleApplication, type AuditedApplication, type AuditedInventory } from "./settled";
import { listDatabaseRules } from "./suppression-rules";
import { loadSuppressionsFile, suppressionsFilePath } from "./suppressions-file";
import type { SuppressionRule } from "./suppressions";
import type { PreparedTarget } from "./targets";
import type { ApplicationInventory, AuditReport, Finding, Inventory } from "./types";

export interface AuditResult {
  report: AuditReport;
  /** What was read: targets, statistics, and each application's header and stored inventory (made again on demand). */
  inventory: AuditedInventory;
  /** Set when the audit was saved to a database. */
  auditId?: number;
  /** Whether the audit read everything or reused stored evidence where it held (ADR 0010). */
  scan?: ScanMode;
}

type ApplicationKey = Pick<ApplicationInventory, "accountId" | "region" | "applicationId">;

export interface CollectAndCheckOptions extends CollectOptions {
  /** Members set on the inventory before the checks run (e.g. how the targets were found). */
  inventoryExtras?: Partial<Inventory>;
  /** Keep only these applications (and the roles their web experiences use) before the checks: a re-audit's. */
  only?: ApplicationKey[];
}

const keyOf = (a: ApplicationKey) => `${a.accountId}/${a.region}/${a.applicationId}`;

/** The inventory narrowed to some applications and the roles they use. */
function narrowed(inventory: Inventory, only: ApplicationKey[]): Inventory {
  const wanted = new Set(only.map(keyOf));
  const applications = inventory.applications.filter((a) => wanted.has(keyOf(a)));
  const roles: Inventory["roles"] = {};
  for (const app of applications) {
    for (const web of app.webExperiences) if (web.roleArn && inventory.roles[web.roleArn]) roles[web.roleArn] = inventory.roles[web.roleArn];
  }
  return { ...inventory, applications, roles };
}

/** Collect and check: the inventory of the prepared targets and every check's findings on it (the inventory's cutoff). */
export async function collectAndCheck(prepared: PreparedTarget[], options: CollectAndCheckOptions): Promise<{ inventory: Inventory; findings: Finding[] }> {
  const { inventoryExtras, only, ...collectOptions } = options;
  let inventory = await collectInventory(prepared, collectOptions);
  if (inventoryExtras) Object.assign(inventory, inventoryExtras);
  if (only) inventory = narrowed(inventory, only);
  return { inventory, findings: runChecks(inventory) };
}

export interface ReportOptions {
  /** The suppressions file's rules, already validated; default: read QBR_SUPPRESSIONS_FILE (if set) now. */
  fileSuppressions?: SuppressionRule[];
}

/** The file's rules: the explicit file, else QBR_SUPPRESSIONS_FILE; a bad file throws AuditSetupError. */
export function fileSuppressionRules(file?: string): SuppressionRule[] {
  const path = suppressionsFilePath(file);
  return path ? loadSuppressionsFile(path) : [];
}

/** Report and store: the report of an inventory and its findings (the database's and the file's accepted exceptions applied), saved as a new audit when a database is given. */
export async function reportAndStore(inventory: Inventory, findings: Finding[], db: Db, options?: ReportOptions): Promise<AuditResult & { auditId: number }>;
export async function reportAndStore(inventory: Inventory, findings: Finding[], db?: Db, options?: ReportOptions): Promise<AuditResult>;
export async function reportAndStore(inventory: Inventory, findings: Finding[], db?: Db, options: ReportOptions = {}): Promise<AuditResult> {
  const fromFile = options.fileSuppressions ?? fileSuppressionRules();
  const suppressions = [...(db ? await listDatabaseRules(db) : []), ...fromFile];
  return reportAndSave(auditedOf(inventory), findings, db, suppressions);
}

/** Build the report (accepted exceptions applied) and, given a database, save it with each finding's lifecycle. */
async function reportAndSave(audited: AuditedInventory, findings: Finding[], db: Db | undefined, suppressions: SuppressionRule[]): Promise<AuditResult> {
  const built = buildReport({ ...audited, applications: audited.applications.map((a) => a.header) }, findings, { suppressions });
  if (!db) return { report: built, inventory: audited };
  // Each finding's first seen, last seen and fixed at (issue 14.5): in the stored report, kept per finding after it.
  const lifecycle = await prepareLifecycle(db, built);
  const auditId = await saveAudit(db, lifecycle.report, audited);
  await lifecycle.commit(auditId);
  return { report: lifecycle.report, inventory: audited, auditId };
}

/** SQLite page cache of a database the pipeline opens itself (it writes one audit and reads little). */
const OWN_PAGE_CACHE_KB = 2048;

/** Use an open database, or open (and close afterwards) the one at a path, for one step. */
async function withDatabase<T>(db: Db | string | undefined, use: (db: Db | undefined) => T | Promise<T>): Promise<T> {
  if (typeof db !== "string") return use(db);
  const opened = await openDatabase(db);
  try {
    await limitPageCache(opened, OWN_PAGE_CACHE_KB);
    return await use(opened);
  } finally {
    await opened.close();
  }
}

export interface AuditPipelineOptions extends CollectAndCheckOptions {
  /** Keep the audit in this database (an open one, or a path opened for each step, not held during collection). */
  db?: Db | string;
  /** Accepted exceptions from this file (else QBR_SUPPRESSIONS_FILE), read and validated before anything is collected. */
  suppressionsFile?: string;
  /** Read everything, reusing no stored evidence (--full, the dashboard's full scan). ADR 0010. */
  full?: boolean;
  /** Every N-th audit is a full one (default QBR_FULL_SCAN_EVERY, else 7). */
  fullScanEvery?: number;
}

/** The whole pipeline over prepared targets. */
export async function auditPreparedTargets(prepared: PreparedTarget[], options: AuditPipelineOptions): Promise<AuditResult> {
  const { db, suppressionsFile, full, fullScanEvery, ...rest } = options;
  // A bad suppressions file stops the audit before it reads AWS or stores anything.
  const fileSuppressions = fileSuppressionRules(suppressionsFile);
  const every = fullScanEvery ?? fullScanEveryFromEnv();
  // The product's own full syncs (fix activity) are certain evidence: read them from the audit's database.
  const { own, scan } = await withDatabase(db, async (open) => ({
    own: rest.ownFullSyncExecutionIds ?? (open ? await ownFullSyncExecutionIds(open) : undefined),
    scan: await prepareScan(open, { full, every, cutoff: new Date(rest.cutoff ?? DEFAULT_CUTOFF) }),
  }));
  const collectOptions = { ...rest, ownFullSyncExecutionIds: own, storedEvidence: scan.storedEvidence };
  const { audited, findings, evidence } = await collectSettled(prepared, collectOptions);
  return withDatabase(db, async (open) => {
    const suppressions = [...(open ? await listDatabaseRules(open) : []), ...fileSuppressions];
    const result = await reportAndSave(audited, findings, open, suppressions);
    if (open && result.auditId !== undefined)
      await storeEvidence(open, { auditId: result.auditId, scannedAt: audited.scannedAt, evidence: evidence(), mode: scan.mode });
    return { ...result, scan: scan.mode };
  });
}

/**
 * Collect with each application settled as it is read (checked, its evidence
 * worked out, all of it packed: ./settled.ts), then the targets' own checks:
 * the findings in report order, as collectAndCheck gives them.
 */
async function collectSettled(prepared: PreparedTarget[], options: Omit<CollectAndCheckOptions, "only">) {
  const { inventoryExtras, ...collectOptions } = options;
  const cutoff = new Date(collectOptions.cutoff ?? DEFAULT_CUTOFF);
  // The checks do not read the scan time, which is known only once everything is read.
  const scope = { scannedAt: (collectOptions.now?.() ?? new Date()).toISOString(), cutoff };
  const { applications: settled, ...rest } = await collectTargets(prepared, collectOptions, (app, roles) => settleApplication(app, roles, scope));
  const targetFindings = runChecks({ ...rest, applications: [], roles: {} });
  const findings = [...targetFindings, ...settled.flatMap((a) => a.findings())].sort(compareFindings);
  const applications: AuditedApplication[] = settled.map(({ header, stored, storedText }) => ({ header, stored, storedText }));
  return { audited: { ...rest, ...inventoryExtras, applications }, findings, evidence: () => settled.map((a) => a.evidence()) };
}
