/**
 * One scan target read by a worker (ADR 0016): the same preparation
 * (credentials, AssumeRole) and collection a single-process audit runs for
 * that target, with the scan's scope, and the evidence and own full syncs
 * read from the shared database. The outcome is plain JSON: it travels as the
 * pg-boss job's output and the enqueuer assembles the audit from it.
 */
import { AwsCallStats, destroyAwsClients } from "../aws/clients";
import { collectInventory } from "../audit/collect";
import { evidenceLookup } from "../audit/incremental";
import { prepareTargets, type TargetSpec } from "../audit/targets";
import type { ApplicationInventory, Inventory, TargetResult } from "../audit/types";
import type { Db } from "../db/database";
import { evidenceForCutoff } from "../db/evidence";
import { ownFullSyncExecutionIds } from "../fixes/tracked-syncs";
import type { TargetJob } from "./queue";

/** What a worker hands back for one target. */
export interface TargetOutcome {
  index: number;
  target: TargetResult;
  applications: ApplicationInventory[];
  roles: Inventory["roles"];
  stats: NonNullable<Inventory["stats"]>;
  /** Who read it and when (diagnostics; the per-account cap's test reads them). */
  worker: string;
  startedAt: string;
  finishedAt: string;
}

/** Read one target as the scan's scope says. Throws only when the worker cannot work (database gone). */
export async function auditTarget(db: Db, job: TargetJob, worker: string): Promise<TargetOutcome> {
  const startedAt = new Date().toISOString();
  const { target, scope } = job;
  const stats = new AwsCallStats();
  const spec: TargetSpec = {
    accountId: target.accountId,
    regions: [target.region],
    ...(target.roleArn ? { roleArn: target.roleArn } : {}),
    ...(target.externalId ? { externalId: target.externalId } : {}),
    ...(target.accountName !== undefined ? { accountName: target.accountName } : {}),
    ...(target.ouPath !== undefined ? { ouPath: target.ouPath } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
  };
  const own = await ownFullSyncExecutionIds(db);
  // The fleet's rows for the cutoff are read; only this target's are kept for the lookup.
  const mine = (r: { accountId: string; region: string }) => r.accountId === target.accountId && r.region === target.region;
  const storedEvidence = scope.full ? undefined : evidenceLookup((await evidenceForCutoff(db, scope.cutoff)).filter(mine));
  const prepared = await prepareTargets([spec], { endpoint: scope.endpoint, maxAttempts: scope.maxAttempts, stats });
  try {
    const inventory = await collectInventory(prepared, {
      cutoff: scope.cutoff,
      documentCap: scope.documentCap,
      concurrencyPerTarget: scope.concurrencyPerTarget,
      stats,
      ownFullSyncExecutionIds: own,
      storedEvidence,
      now: () => new Date(Date.now() + scope.clockOffsetMs),
    });
    return {
      index: job.index,
      target: inventory.targets[0]!,
      applications: inventory.applications,
      roles: inventory.roles,
      stats: inventory.stats ?? stats.snapshot(),
      worker,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  } finally {
    for (const p of prepared) if (p.clients) destroyAwsClients(p.clients);
  }
}
