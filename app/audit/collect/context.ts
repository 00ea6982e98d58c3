/** What the collector's readers share: one audit's scope, and one target's clients and limits. */
import type { AwsClients } from "../../aws/clients";
import type { IamRoleReader } from "../../aws/iam-role-reader";
import type { IamAction } from "../../aws/vocabulary";
import type { RoleAccessEvaluation } from "../types";
import type { PacedCall, PriorityLimiter } from "./limits";
import type { StoredEvidence } from "./reuse";

export interface DataSourceKey {
  accountId: string;
  region: string;
  applicationId: string;
  indexId: string;
  dataSourceId: string;
}

/** One audit's settings and the memos that keep any request from being made twice. */
export interface CollectScope {
  cutoff: Date;
  /** Most documents read per data source (and per index's uploads). */
  documentCap: number;
  ownFullSyncExecutionIds?: (key: DataSourceKey) => string[] | Promise<string[]>;
  /** Roles and managed policies, read once per audit. */
  roles: IamRoleReader;
  /** Role access, evaluated once per (role, application). */
  access: Map<string, Promise<RoleAccessEvaluation>>;
  /** The audit's clock (the emulator's for a fixture fleet). */
  now: () => Date;
  /** What earlier audits established per data source; absent in a full audit (ADR 0010). */
  storedEvidence?: (key: DataSourceKey) => StoredEvidence | undefined;
  /** Told as each target lists its applications and as each application is read (live progress). */
  progress?: ApplicationProgress;
}

export interface ApplicationProgress {
  listed(count: number): void;
  read(): void;
}

export interface TargetContext {
  accountId: string;
  region: string;
  clients: AwsClients;
  call: PacedCall;
  /**
   * Data sources read at once in this target. Bounded so that a big target's
   * thousands of requests are not all created (and held in memory, waiting)
   * up front; enough of them stay in progress to keep every bucket busy.
   */
  dataSourceSlot: PriorityLimiter;
  scope: CollectScope;
}

export const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);

/** Every page of a nextToken-paged list, each page one limited request. */
export async function pages<P extends { nextToken?: string }, T>(
  ctx: TargetContext,
  operation: IamAction,
  fetch: (nextToken: string | undefined) => Promise<P>,
  items: (page: P) => T[],
): Promise<T[]> {
  const all: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.call(operation, () => fetch(nextToken));
    all.push(...items(page));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}
