/**
 * The fastest an audit could possibly be under the local AWS's limits, from
 * the calls it actually needed: every account+region+operation bucket refills
 * at `rate` per second after an initial `burst`, buckets drain in parallel, and
 * some requests cannot start before an earlier answer arrives (the next page
 * needs the previous page's token, a data source's documents need its id).
 *
 *   lowerBound = max over buckets of max(0, calls - burst) / rate
 *              + longest chain of dependent round trips × latency
 *
 * Only calls the bucket accepted count (a throttled attempt takes no token):
 * that is the work the audit could not avoid.
 */
import type { ApplicationInventory, DataSourceInventory, DocumentScan, Inventory, RoleInventory } from "../audit/types";
import { asAudited, type AuditedInventory } from "../audit/settled";

export interface BucketCalls {
  /** HTTP attempts, retries included. */
  calls: number;
  /** Of those, answered with a throttling error (they took no token). */
  throttled: number;
}

export interface LimitSettings {
  ratePerSecond: number;
  burst: number;
  latencyMs: number;
}

export interface LowerBound {
  /** The bucket that needs the longest, "account|region|service:Operation". */
  busiestBucket: string | null;
  /** Accepted calls in that bucket. */
  busiestBucketCalls: number;
  /** max over buckets of (calls - burst) / rate, in ms. */
  bucketMs: number;
  /** Round trips in the longest chain of requests that wait on each other. */
  chainRoundTrips: number;
  chainMs: number;
  lowerBoundMs: number;
}

/** Time one bucket needs for `accepted` calls: the burst is free, the rest come at `rate`. */
export function bucketDrainMs(accepted: number, limits: Pick<LimitSettings, "ratePerSecond" | "burst">): number {
  if (!(limits.ratePerSecond > 0)) return 0;
  return (Math.max(0, accepted - limits.burst) / limits.ratePerSecond) * 1000;
}

/** The lower bound of a run from its per-bucket calls and its inventory's dependent chains. */
export function lowerBound(byBucket: Record<string, BucketCalls>, inventory: Inventory | AuditedInventory, limits: LimitSettings): LowerBound {
  let busiestBucket: string | null = null;
  let busiestBucketCalls = 0;
  let bucketMs = 0;
  for (const [bucket, { calls, throttled }] of Object.entries(byBucket)) {
    const accepted = calls - throttled;
    const ms = bucketDrainMs(accepted, limits);
    if (busiestBucket === null || ms > bucketMs || (ms === bucketMs && accepted > busiestBucketCalls)) {
      bucketMs = ms;
      busiestBucket = bucket;
      busiestBucketCalls = accepted;
    }
  }
  const chainRoundTrips = longestChain(inventory);
  const chainMs = chainRoundTrips * limits.latencyMs;
  return { busiestBucket, busiestBucketCalls, bucketMs, chainRoundTrips, chainMs, lowerBoundMs: bucketMs + chainMs };
}

/** Pages of a nextToken list of `items` at `pageSize` per page (an empty list is still one request). */
export function pagesOf(items: number, pageSize: number): number {
  return Math.max(1, Math.ceil(items / pageSize));
}

/** Document pages read in a row (none when an earlier audit's scan was reused, after the one request that decided so). */
const documentPages = (scan: DocumentScan | undefined) => (scan?.reusedFrom ? 1 : pagesOf(scan?.scanned ?? 0, 100));

/**
 * Sync-job requests one data source needs in a row: the pages the collector
 * read (it says how many), else every page of the jobs since the cutoff.
 */
function syncJobRoundTrips(ds: DataSourceInventory, cutoffMs: number): number {
  if (ds.syncJobsRead) return ds.syncJobsRead.pages;
  const sinceCutoff = ds.syncJobs.filter((j) => j.startTime && Date.parse(j.startTime) >= cutoffMs).length;
  return pagesOf(sinceCutoff, 10) + (sinceCutoff === 0 ? 1 : 0);
}

/** Role reads in a row: GetRole, then the longest of its policy reads. */
function roleRoundTrips(role: RoleInventory | undefined): number {
  if (!role?.exists) return 1;
  const inline = role.inlinePolicies.length > 0 ? 2 : 1; // ListRolePolicies → GetRolePolicy
  const attached = role.attachedPolicies.length > 0 ? 3 : 1; // ListAttachedRolePolicies → GetPolicy → GetPolicyVersion
  const boundary = role.permissionsBoundary ? 2 : 0; // GetPolicy → GetPolicyVersion
  return 1 + Math.max(inline, attached, boundary);
}

/**
 * The longest chain of requests that each need the previous answer, over
 * every application: ListApplications pages, then either ListIndices →
 * ListDataSources pages → (sync-job pages | document pages) of one source,
 * or ListWebExperiences → GetWebExperience → the role's reads → SimulatePrincipalPolicy.
 */
export function longestChain(inventory: Inventory | AuditedInventory): number {
  const cutoffMs = Date.parse(inventory.cutoff);
  // An audit's applications are read back one at a time (never all held: ADR 0017).
  const { applications } = asAudited(inventory);
  const appsPerTarget = new Map<string, number>();
  for (const { header } of applications) {
    const key = `${header.accountId}|${header.region}`;
    appsPerTarget.set(key, (appsPerTarget.get(key) ?? 0) + 1);
  }
  let longest = inventory.targets.some((t) => t.status === "ok") ? 1 : 0;
  for (const { header, stored } of applications) {
    const listApplications = pagesOf(appsPerTarget.get(`${header.accountId}|${header.region}`) ?? 0, 100);
    const app = stored();
    longest = Math.max(longest, listApplications + applicationChain(app, app.roles, cutoffMs));
  }
  return longest;
}

function applicationChain(app: ApplicationInventory, roles: Record<string, RoleInventory>, cutoffMs: number): number {
  let indexChain = 0;
  for (const index of app.indices) {
    let source = documentPages(index.uploadedDocuments);
    const listDataSources = pagesOf(index.dataSources.length, 10);
    for (const ds of index.dataSources) {
      source = Math.max(source, listDataSources + Math.max(documentPages(ds.documents), syncJobRoundTrips(ds, cutoffMs), 1));
    }
    indexChain = Math.max(indexChain, source);
  }
  let webChain = 0;
  for (const web of app.webExperiences) {
    const role = web.roleArn ? roles[web.roleArn] : undefined;
    webChain = Math.max(webChain, 1 + (web.roleArn ? roleRoundTrips(role) + (web.access ? 1 : 0) : 0));
  }
  // ListIndices and ListWebExperiences each start the application's two chains.
  return 1 + Math.max(indexChain, webChain);
}
