/**
 * The dashboard's computed pages (overview, findings, application page),
 * cached per stored audit: their data changes only when an audit (or a
 * re-audit) is stored, which gives the latest audit a new id. So a request
 * asks the database one indexed question (the latest audit id) and, for an
 * audit and filters seen before, reuses the computed page instead of
 * re-running the loaders' queries: under 200 concurrent connections the
 * queries were what kept p99 at 12 s (issue 10, item 8).
 *
 * Keys are the page, the audit id and the normalised filters; each database
 * handle has its own bounded LRU (CACHE_ENTRIES). The cached value is the
 * promise, so concurrent misses for one key compute once. A scan that stores
 * an audit and a fix that records activity clear the cache too (freeing the
 * old audit's entries at once; a fix's re-audit is a new id anyway).
 * An audit stored by another process (the CLI) is seen through the id.
 */
import { latestAuditId } from "~/audit/history";
import type { Db } from "~/db/database";
import { singleton } from "~/util/singleton.server";
import { getApplicationPage, type ApplicationKey } from "./application.server";
import { getFindingsPage, type FindingsPage } from "./findings.server";
import { getOverview, type Overview } from "./overview.server";
import type { ApplicationFilters, ApplicationPage, FindingFilters } from "./types";

/** Entries kept per database: enough for the filter combinations people click through. */
export const CACHE_ENTRIES = 64;

/** A Map in least-recently-used order (Map keeps insertion order), bounded to `limit` entries. */
export class BoundedLru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Most recently used goes last.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Per database handle (tests open several files in one process); a process singleton, shared with the Remix build. */
const holder = () => singleton("dashboard-page-cache", () => ({ byDb: new WeakMap<Db, BoundedLru<Promise<unknown>>>() }));

function cacheOf(db: Db): BoundedLru<Promise<unknown>> {
  const { byDb } = holder();
  let cache = byDb.get(db);
  if (!cache) {
    cache = new BoundedLru(CACHE_ENTRIES);
    byDb.set(db, cache);
  }
  return cache;
}

/** Filters as a key: members sorted, empty ones dropped, so equal filter sets share an entry. */
export function filtersKey(filters: object): string {
  const entries = Object.entries(filters as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

export interface CachedPage<T> {
  db: Db;
  /** Which page ("overview", "findings", "application"): pages never share entries. */
  page: string;
  /** The page's parameters (filters, application key). */
  params: object;
  /** Computes the page for the latest audit (undefined: no audit stored); called once per key. */
  compute: (auditId: number | undefined) => Promise<T>;
}

/** The page for the latest stored audit and `params`, computed once per audit id and parameters. */
export async function cachedPage<T>({ db, page, params, compute }: CachedPage<T>): Promise<T> {
  const auditId = await latestAuditId(db);
  const key = `${page}|${auditId ?? "none"}|${filtersKey(params)}`;
  const cache = cacheOf(db);
  const hit = cache.get(key) as Promise<T> | undefined;
  if (hit) return hit;
  const computed = compute(auditId);
  cache.set(key, computed);
  // A failed computation is not remembered: the next request tries again.
  computed.catch(() => cache.delete(key));
  return computed;
}

/** Forget every cached page of `db` (or of every database): called when an audit is stored or a fix records activity. */
export function invalidateDashboardCache(db?: Db): void {
  if (db) holder().byDb.get(db)?.clear();
  else holder().byDb = new WeakMap();
}

/** The overview of the latest audit with `filters`, cached (see the top of this file). */
export function cachedOverview(db: Db, filters: ApplicationFilters): Promise<Overview> {
  return cachedPage({ db, page: "overview", params: filters, compute: () => getOverview(db, filters) });
}

/** The findings page of the latest audit with `filters`, cached. */
export function cachedFindingsPage(db: Db, filters: FindingFilters): Promise<FindingsPage> {
  return cachedPage({ db, page: "findings", params: filters, compute: () => getFindingsPage(db, filters) });
}

/** One application's page in the latest audit, cached (null: no such application, also remembered until the next audit). */
export function cachedApplicationPage(db: Db, key: ApplicationKey): Promise<ApplicationPage | null> {
  return cachedPage({
    db,
    page: "application",
    params: key,
    compute: (auditId) => (auditId === undefined ? Promise.resolve(null) : getApplicationPage(db, key, auditId)),
  });
}
