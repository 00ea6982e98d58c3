/**
 * Reading the dashboard's filters from GET query parameters (so filters work
 * without JavaScript and every filtered view has a URL). Pure: shared by
 * loaders and components. Unknown values are dropped, never trusted into SQL.
 */
import { FINDING_STATUSES, READINESS_VALUES as READINESS_LIST, SEVERITIES, type FindingStatus, type Readiness, type Severity } from "~/audit/types";
import { parsePage } from "./paging";
import type { ApplicationFilters, ApplicationSort, FindingFilters, FindingSort } from "./types";

export const READINESS_VALUES: readonly Readiness[] = READINESS_LIST;
export const SEVERITY_VALUES: readonly Severity[] = SEVERITIES;
export const STATUS_VALUES: readonly FindingStatus[] = FINDING_STATUSES;
const SORTS: readonly ApplicationSort[] = ["name", "account", "region", "readiness", "failing"];
export const FINDING_SORT_VALUES: readonly FindingSort[] = ["status", "severity", "check", "application", "account", "first-seen", "last-seen"];

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** A free-text parameter: trimmed, empty means "no filter". */
function text(params: URLSearchParams, name: string): string | null {
  const value = params.get(name)?.trim();
  return value ? value.slice(0, 200) : null;
}

export function parseApplicationFilters(params: URLSearchParams): ApplicationFilters {
  return {
    account: text(params, "account"),
    region: text(params, "region"),
    readiness: oneOf(params.get("readiness"), READINESS_VALUES),
    check: text(params, "check"),
    q: text(params, "q"),
    sort: oneOf(params.get("sort"), SORTS) ?? "readiness",
    dir: params.get("dir") === "desc" ? "desc" : "asc",
    page: parsePage(params.get("page")),
  };
}

/** The query string of an applications view (sort headers, pager): page 1 left out. */
export function applicationsSearch(filters: ApplicationFilters, changes: Partial<ApplicationFilters> = {}): string {
  const f = { ...filters, ...changes };
  return toSearch({ ...f, page: f.page > 1 ? String(f.page) : null });
}

export function parseFindingFilters(params: URLSearchParams): FindingFilters {
  return {
    check: text(params, "check"),
    severity: oneOf(params.get("severity"), SEVERITY_VALUES),
    status: params.get("status") === "all" ? "all" : oneOf(params.get("status"), STATUS_VALUES),
    account: text(params, "account"),
    region: text(params, "region"),
    application: text(params, "application"),
    q: text(params, "q"),
    sort: oneOf(params.get("sort"), FINDING_SORT_VALUES) ?? "status",
    dir: params.get("dir") === "desc" ? "desc" : "asc",
    page: parsePage(params.get("page")),
    ...suppressedFilter(params.get("suppressed")),
  };
}

/** ?suppressed=show | only; anything else hides the accepted exceptions (the default view: what needs work). */
function suppressedFilter(value: string | null): Pick<FindingFilters, "suppressed"> {
  return value === "show" || value === "only" ? { suppressed: value } : {};
}

/**
 * The query string of a findings view (for links, pagers and exports): the
 * defaults (status order ascending, page 1) left out so equal views share one URL.
 */
export function findingsSearch(filters: FindingFilters, changes: Partial<FindingFilters> = {}): string {
  const f = { ...filters, ...changes };
  return toSearch({
    check: f.check,
    severity: f.severity,
    status: f.status,
    account: f.account,
    region: f.region,
    application: f.application,
    q: f.q,
    sort: f.sort === "status" ? null : f.sort,
    dir: f.dir === "asc" ? null : f.dir,
    page: f.page > 1 ? String(f.page) : null,
    suppressed: f.suppressed ?? null,
  });
}

/** The query string of a filter set, leaving out empty members (for links and sort headers). */
export function toSearch(values: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const search = params.toString();
  return search ? `?${search}` : "";
}

/** The parameters that make a findings export "exactly what is filtered". */
const EXPORT_FILTER_PARAMS = ["check", "severity", "status", "account", "region", "application", "q", "sort", "dir", "suppressed"];

/**
 * What an export carries: all=1, or no parameter at all (the export links
 * before paging), is everything; scope=filtered or any filter is the filtered view.
 */
export function exportScope(params: URLSearchParams): "all" | "filtered" {
  if (params.get("all") === "1") return "all";
  if (params.get("scope") === "filtered") return "filtered";
  return EXPORT_FILTER_PARAMS.some((name) => params.has(name)) ? "filtered" : "all";
}

/** The export links of a findings view: its filters (no page) with scope=filtered, and everything. */
export function exportLinks(filters: FindingFilters, format: "csv" | "json"): { filtered: string; all: string } {
  const search = findingsSearch(filters, { page: 1 });
  return {
    filtered: `/findings/export/${format}${search ? `${search}&` : "?"}scope=filtered`,
    all: `/findings/export/${format}?all=1`,
  };
}
