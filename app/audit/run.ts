/**
 * One audit, end to end: resolve the targets, collect the inventory, run the
 * checks, build the report, and keep it in the history when a database is given.
 */
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { AwsCallStats, destroyAwsClients } from "../aws/clients";
import type { Db } from "../db/database";
import type { LocalAws } from "../local-aws/index";
import { accountCredentials, type Fixture } from "../local-aws/fixture-types";
import type { CollectProgress, DataSourceKey } from "./collect";
import { auditPreparedTargets } from "./pipeline";
import { securityHubFromEnv, type SecurityHubSetting } from "../export/security-hub-setting";
import type { SecurityHubResult } from "../export/security-hub";
import { hasSinks, sinksFromEnv, type NotifySinks } from "../notify/sinks";
import type { NotifyResult } from "../notify/notify";
import type { ScanMode } from "./incremental";
import type { OrganizationScope } from "./organization";
import { scanWorkersFromEnv } from "../workers/setting";
import { defaultTargets, prepareTargets, regionsFromEnv, targetsForFixture, type TargetSpec } from "./targets";
import type { OrganizationSummary } from "./types";
import { DEFAULT_CUTOFF, type AuditReport } from "./types";
import type { AuditedInventory } from "./settled";

export interface RunAuditOptions {
  /** What to audit; default: the caller's account × QBR_REGIONS / AWS_REGION (or the fixture's fleet). */
  targets?: TargetSpec[];
  /** Audit a fleet fixture (path or object) through an in-process local AWS, closed afterwards. */
  fixture?: Fixture | string;
  /** Audit exactly these regions in every target account. */
  regions?: string[];
  /** Keep the audit in this database (an open one, or a path). */
  db?: Db | string;
  cutoff?: string | Date;
  /** Requests in flight overall (default 64). */
  concurrency?: number;
  /** Requests in flight per account × region (default 16). */
  concurrencyPerTarget?: number;
  documentCap?: number;
  onProgress?: (progress: CollectProgress) => void;
  /** A running AWS-compatible endpoint (e.g. a separate local AWS); default: the SDK's own configuration. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity;
  maxAttempts?: number;
  ownFullSyncExecutionIds?: (key: DataSourceKey) => string[] | Promise<string[]>;
  /** The product's clock the audit is dated by (ADR 0008); default: the fixture's local AWS clock, else real time. */
  now?: () => Date;
  /** Discover the targets from AWS Organizations (regions: `regions`, else QBR_REGIONS / AWS_REGION). */
  organization?: Omit<OrganizationScope, "regions">;
  /** Accepted exceptions from this file (else QBR_SUPPRESSIONS_FILE); the database's apply too. */
  suppressionsFile?: string;
  /** Where to tell what changed (default: QBR_NOTIFY_WEBHOOK_URL, QBR_NOTIFY_SNS_TOPIC_ARN); false: never. Needs `db`. */
  notify?: NotifySinks | false;
  /** Send the findings to Security Hub after the audit (default: QBR_SECURITY_HUB); false: never. */
  securityHub?: SecurityHubSetting | false;
  /** Read everything, reusing no evidence stored by earlier audits (ADR 0010). */
  full?: boolean;
  /** Every N-th audit is a full one (default QBR_FULL_SCAN_EVERY, else 7). */
  fullScanEvery?: number;
  /** Read the targets through the scan workers' queue (ADR 0016; PostgreSQL only). Default: QBR_SCAN_WORKERS=true. */
  workers?: boolean;
}

export interface AuditRun {
  report: AuditReport;
  /** What was read: targets, statistics, and each application's header and stored inventory (made again on demand). */
  inventory: AuditedInventory;
  /** Set when the audit was saved to a database. */
  auditId?: number;
  /** Whether it read everything or reused stored evidence (ADR 0010). */
  scan?: ScanMode;
  /** Set when the findings were sent to Security Hub: what was imported, what failed. */
  securityHub?: SecurityHubResult;
  /** Set when sinks are configured: the message sent (none when nothing changed) and each delivery. */
  notification?: NotifyResult;
}

/** The fixture account the audit acts as: the one whose key is in AWS_ACCESS_KEY_ID, else the first. */
function fixtureCaller(fixture: Fixture): string | undefined {
  const key = process.env.AWS_ACCESS_KEY_ID ?? "";
  const match = fixture.accounts.find((a) => accountCredentials(a.accountId).accessKeyId === key);
  return (match ?? fixture.accounts[0])?.accountId;
}

/**
 * Run one audit. Throws only when the audit cannot run at all (bad fixture,
 * no credentials, no region); unreadable targets are findings in the report.
 */
export async function runAudit(options: RunAuditOptions = {}): Promise<AuditRun> {
  let localAws: LocalAws | undefined;
  let endpoint = options.endpoint;
  let specs = options.targets;
  let credentials = options.credentials;
  // What only some audits use (a fixture's local AWS, Organizations, the workers' queue, Security Hub,
  // notifications) is loaded when used: every audit process would otherwise carry it (ADR 0017).
  if (options.fixture !== undefined) {
    const { loadFixtureFile, startLocalAws, validateFixture } = await import("../local-aws/index");
    const fixture = typeof options.fixture === "string" ? loadFixtureFile(options.fixture) : validateFixture(options.fixture);
    localAws = await startLocalAws({ fixture });
    endpoint = localAws.endpoint;
    const caller = fixtureCaller(fixture);
    if (!options.organization) specs ??= targetsForFixture(fixture, caller);
    credentials ??= caller ? accountCredentials(caller) : undefined;
  }

  const stats = new AwsCallStats();
  try {
    const credentialOptions = { credentials, endpoint, maxAttempts: options.maxAttempts, stats };
    let organization: OrganizationSummary | undefined;
    if (options.organization && !specs) {
      const regions = options.regions?.length ? options.regions : regionsFromEnv();
      const { discoverOrganization } = await import("./organization");
      const discovered = await discoverOrganization({ ...credentialOptions, ...options.organization, regions });
      specs = discovered.specs;
      organization = discovered.summary;
    }
    specs ??= await defaultTargets({ ...credentialOptions, regions: options.regions });
    if (options.regions?.length) specs = specs.map((s) => ({ ...s, regions: options.regions! }));
    // Known before the (AssumeRole) preparation: the page says "0 of N targets" from the start, not "of ?".
    const targetsTotal = specs.reduce((n, s) => n + s.regions.length, 0);
    options.onProgress?.({ targetsDone: 0, targetsTotal, applicationsRead: 0, applicationsFound: 0, apiCalls: stats.calls, throttled: stats.throttled });
    // Issue 16.3 (workers helper): with scan workers, `npm run worker` processes read the targets; this process assembles and saves the audit.
    const viaWorkers = options.workers ?? scanWorkersFromEnv();
    const workers = viaWorkers ? await import("../workers/scan") : undefined;
    const prepared = viaWorkers ? [] : await prepareTargets(specs, credentialOptions);
    try {
      const result: AuditRun = workers
        ? await workers.auditWithWorkers({
            specs,
            db: options.db,
            cutoff: options.cutoff,
            documentCap: options.documentCap,
            concurrencyPerTarget: options.concurrencyPerTarget,
            full: options.full,
            fullScanEvery: options.fullScanEvery,
            suppressionsFile: options.suppressionsFile,
            now: options.now ?? (localAws ? () => localAws!.clock.now() : undefined),
            endpoint,
            maxAttempts: options.maxAttempts,
            onProgress: options.onProgress,
            inventoryExtras: organization ? { organization } : undefined,
          })
        : await auditPreparedTargets(prepared, {
            cutoff: options.cutoff ?? DEFAULT_CUTOFF,
            documentCap: options.documentCap,
            concurrency: options.concurrency,
            concurrencyPerTarget: options.concurrencyPerTarget,
            stats,
            onProgress: options.onProgress,
            ownFullSyncExecutionIds: options.ownFullSyncExecutionIds,
            // One clock (ADR 0008): the caller's, else the in-process local AWS's (real time plus any advance).
            now: options.now ?? (localAws ? () => localAws!.clock.now() : undefined),
            db: options.db,
            suppressionsFile: options.suppressionsFile,
            full: options.full,
            fullScanEvery: options.fullScanEvery,
            inventoryExtras: organization ? { organization } : undefined,
          });
      const hub = options.securityHub === false ? undefined : (options.securityHub ?? securityHubFromEnv());
      if (hub && viaWorkers) prepared.push(...(await prepareTargets(specs, credentialOptions)));
      if (hub) {
        const { exportToSecurityHub } = await import("../export/after-audit");
        result.securityHub = await exportToSecurityHub(result.report, { setting: hub, prepared, credentials, endpoint });
      }
      const sinks = options.notify === false ? undefined : (options.notify ?? sinksFromEnv());
      if (options.db !== undefined && result.auditId !== undefined && sinks) {
        result.notification = hasSinks(sinks)
          ? await (await import("../notify/notify")).notifyStoredAudit(options.db, { id: result.auditId, report: result.report }, { sinks })
          : { deliveries: [] };
      }
      return result;
    } finally {
      for (const p of prepared) if (p.clients) destroyAwsClients(p.clients);
    }
  } finally {
    await localAws?.close();
  }
}
