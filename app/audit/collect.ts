/**
 * Reads the inventory the checks need, through the unmodified AWS SDK:
 * applications, indices, data sources (with their sync jobs and a streamed
 * count of their documents), uploaded files, web experiences, and the IAM
 * roles those use, with how each role answers GetDocumentContent.
 *
 * Never writes. Every failure lands on the node it concerns (a target that
 * cannot be listed, a data source whose jobs cannot be read, ...): nothing is
 * dropped silently, and one bad target does not stop the audit.
 *
 * By what it reads: collect/qbusiness.ts (the Q Business traversal),
 * collect/roles.ts (the web experience roles, through app/aws/iam-role-reader.ts),
 * collect/role-access.ts (simulation or local evaluation, app/aws/role-access.ts),
 * collect/limits.ts (concurrency slots and pacing).
 */
import { awsErrorInfo, RatePacing, type AwsCallStats } from "../aws/clients";
import { IamRoleReader } from "../aws/iam-role-reader";
import { DEFAULT_CUTOFF } from "../aws/vocabulary";
import type { CollectScope, DataSourceKey, TargetContext } from "./collect/context";
import type { StoredEvidence } from "./collect/reuse";
import {
  createPriorityLimiter,
  DATA_SOURCES_PER_GLOBAL_SLOT,
  DATA_SOURCES_PER_SLOT,
  DEFAULT_CONCURRENCY,
  DEFAULT_CONCURRENCY_PER_TARGET,
  pacedCall,
  sharedDataSourceSlots,
  type PriorityLimiter,
} from "./collect/limits";
import { collectApplications, type KeepApplication } from "./collect/qbusiness";
import type { PreparedTarget } from "./targets";
import type { Inventory, RoleInventory, TargetResult } from "./types";

export { decodePolicyDocument } from "../aws/iam-role-reader";
export { GET_DOCUMENT_CONTENT } from "../aws/vocabulary";
export { DEFAULT_CONCURRENCY, DEFAULT_CONCURRENCY_PER_TARGET } from "./collect/limits";
export type { DataSourceKey } from "./collect/context";
export type { KeepApplication } from "./collect/qbusiness";

export const DEFAULT_DOCUMENT_CAP = 10_000;

export interface CollectProgress {
  targetsDone: number;
  targetsTotal: number;
  /** Applications whose inventory is read, of those the targets listed so far (a target's count joins once it is listed). */
  applicationsRead: number;
  applicationsFound: number;
  apiCalls: number;
  throttled: number;
}

export interface CollectOptions {
  /** Default 2025-07-03T00:00:00Z. */
  cutoff?: string | Date;
  /** Most documents read per data source (and per index's uploads); beyond it counts are "at least". Default 10,000. */
  documentCap?: number;
  /** Requests in flight per target (account × region). Default 16. */
  concurrencyPerTarget?: number;
  /** Requests in flight overall. Default 64. */
  concurrency?: number;
  /** The counter the targets' clients were built with (for inventory.stats and progress). */
  stats?: AwsCallStats;
  /** Sync jobs the product itself started in full mode (its activity log). */
  ownFullSyncExecutionIds?: (key: DataSourceKey) => string[] | Promise<string[]>;
  onProgress?: (progress: CollectProgress) => void;
  /** The audit's "now" (default: the real clock). */
  now?: () => Date;
  /** Evidence earlier audits stored per data source: where it still holds, the job history and document scan are skipped (ADR 0010). */
  storedEvidence?: (key: DataSourceKey) => StoredEvidence | undefined;
}

/**
 * What `keep` threw (a check, the packing: the product's own code, not AWS):
 * the collection fails with it instead of reporting the target as unlistable.
 */
class KeepFailed {
  constructor(readonly error: unknown) {}
}

/** `keep`, with what it throws marked as its own (collectTarget lets it through). */
function guarded<K>(keep: KeepApplication<K>): KeepApplication<K> {
  return (app, roles) => {
    try {
      return keep(app, roles);
    } catch (error) {
      throw new KeepFailed(error);
    }
  };
}

/** One audit's collection: shared limits and the memos that keep any request from being made twice. */
class Collector {
  private readonly scope: CollectScope;
  private readonly global: PriorityLimiter;
  private readonly perTarget: number;
  private readonly pacing: RatePacing;
  /** Data sources in progress across all targets (DATA_SOURCES_PER_GLOBAL_SLOT). */
  private readonly dataSources: PriorityLimiter;

  constructor(private readonly options: CollectOptions) {
    this.scope = {
      cutoff: new Date(options.cutoff ?? DEFAULT_CUTOFF),
      documentCap: options.documentCap ?? DEFAULT_DOCUMENT_CAP,
      ownFullSyncExecutionIds: options.ownFullSyncExecutionIds,
      roles: new IamRoleReader(),
      access: new Map(),
      now: options.now ?? (() => new Date()),
      storedEvidence: options.storedEvidence,
    };
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.global = createPriorityLimiter(concurrency);
    this.dataSources = createPriorityLimiter(concurrency * DATA_SOURCES_PER_GLOBAL_SLOT);
    this.perTarget = options.concurrencyPerTarget ?? DEFAULT_CONCURRENCY_PER_TARGET;
    this.pacing = new RatePacing(options.stats);
  }

  /** Every role read so far, by ARN. */
  rolesRead(): Promise<Record<string, RoleInventory>> {
    return this.scope.roles.rolesRead();
  }

  async collect<K>(targets: PreparedTarget[], keep: KeepApplication<K>): Promise<CollectedTargets<K>> {
    const stats = this.options.stats;
    let done = 0;
    const apps = { found: 0, read: 0 };
    const report = () =>
      this.options.onProgress?.({
        targetsDone: done,
        targetsTotal: targets.length,
        applicationsRead: apps.read,
        applicationsFound: apps.found,
        apiCalls: stats?.calls ?? 0,
        throttled: stats?.throttled ?? 0,
      });
    // Each application read is reported as it ends: a target of many applications is done only with its last.
    this.scope.progress = {
      listed: (n) => {
        apps.found += n;
        report();
      },
      read: () => {
        apps.read++;
        report();
      },
    };
    report();
    const own = guarded(keep);
    // A single large target can take minutes: keep the call counts moving between target completions.
    const ticker = this.options.onProgress ? setInterval(report, 1000) : undefined;
    ticker?.unref();
    const results = await Promise.all(
      targets.map(async (t) => {
        const result = await this.collectTarget(t, own);
        done++;
        report();
        return result;
      }),
    ).finally(() => clearInterval(ticker));
    return {
      scannedAt: (this.options.now?.() ?? new Date()).toISOString(),
      cutoff: this.scope.cutoff.toISOString(),
      targets: results.map((r) => r.target),
      applications: results.flatMap((r) => r.applications),
      ...(stats ? { stats: stats.snapshot() } : {}),
    };
  }

  private async collectTarget<K>(prepared: PreparedTarget, keep: KeepApplication<K>): Promise<{ target: TargetResult; applications: K[] }> {
    const { accountId, region } = prepared.target;
    const about = targetDescription(prepared);
    if (prepared.error || !prepared.clients) {
      return {
        target: { ...about, status: "error", error: prepared.error ?? { code: "NoClients", message: "no credentials for this target" } },
        applications: [],
      };
    }
    const perTarget = createPriorityLimiter(this.perTarget);
    const ctx: TargetContext = {
      accountId,
      region,
      clients: prepared.clients,
      call: pacedCall({ accountId, region, pacing: this.pacing, perTarget, global: this.global }),
      dataSourceSlot: sharedDataSourceSlots(createPriorityLimiter(this.perTarget * DATA_SOURCES_PER_SLOT), this.dataSources),
      scope: this.scope,
    };
    try {
      return { target: { ...about, status: "ok" }, applications: await collectApplications(ctx, keep) };
    } catch (error) {
      if (error instanceof KeepFailed) throw error.error;
      return { target: { ...about, status: "error", error: awsErrorInfo(error, "qbusiness:ListApplications") }, applications: [] };
    }
  }
}

/** What a target result says about the target besides its status: where, and (organization audits) which account, how read. */
function targetDescription({ target }: PreparedTarget): Omit<TargetResult, "status" | "error"> {
  return {
    accountId: target.accountId,
    region: target.region,
    ...(target.accountName !== undefined ? { accountName: target.accountName } : {}),
    ...(target.ouPath !== undefined ? { ouPath: target.ouPath } : {}),
    ...(target.roleArn !== undefined ? { roleArn: target.roleArn } : {}),
    ...(target.externalId !== undefined ? { usesExternalId: true } : {}),
  };
}

/**
 * Read the inventory of every target. Targets that cannot be read come back
 * with status "error" and the AWS error; the rest are read in full.
 */
export async function collectInventory(targets: PreparedTarget[], options: CollectOptions = {}): Promise<Inventory> {
  const collector = new Collector(options);
  const { applications, stats, ...collected } = await collector.collect(targets, (app) => app);
  return { ...collected, applications, roles: await collector.rolesRead(), ...(stats ? { stats } : {}) };
}

/** What a collection returns when each application is handed over as it is read (collectTargets). */
export interface CollectedTargets<K> extends Omit<Inventory, "applications" | "roles"> {
  /** What `keep` made of each application, in inventory order (target by target, each target's applications as listed). */
  applications: K[];
}

/**
 * Read every target as collectInventory does, but hand each application to
 * `keep` as soon as it is read in full (with the roles its web experiences
 * use) and hold only what `keep` returns: the audit's pipeline checks and
 * packs each application there, so the fleet's inventory is never held at
 * once (ADR 0017, "Applications handed over"). What `keep` throws is the
 * product's own failure, not the target's: the collection rejects with it.
 */
export function collectTargets<K>(targets: PreparedTarget[], options: CollectOptions, keep: KeepApplication<K>): Promise<CollectedTargets<K>> {
  return new Collector(options).collect(targets, keep);
}
