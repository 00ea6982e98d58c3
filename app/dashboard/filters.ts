/**
 * Reading the dashboard's filters from GET query parameters (so filters work
 * without JavaScript and every filtered view has a URL). Pure: shared by
 * loaders and components. Unknown values are dropped, never trusted into SQL.
 */
import { FINDING_STATUSES, READINESS_VALUES as READINESS_LIST, SEVERITIES, type FindingStatus, type Readiness, type Severity } from "~/audit/types";
import type { ApplicationFilters, ApplicationSort, FindingFilters } from "./types";

export const READINESS_VALUES: readonly Readiness[] = READINESS_LIST;
export const SEVERITY_VALUES: readonly Severity[] = SEVERITIES;
export const STATUS_VALUES: readonly FindingStatus[] = FINDING_STATUSES;
const SORTS: readonly ApplicationSort[] = ["name", "account", "region", "readiness", "failing"];

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
  };
}

export function parseFindingFilters(params: URLSearchParams): FindingFilters {
  return {
    check: text(params, "check"),
    severity: oneOf(params.get("severity"), SEVERITY_VALUES),
    status: params.get("status") === "all" ? "all" : oneOf(params.get("status"), STATUS_VALUES),
    account: text(params, "account"),
    region: text(params, "region"),
  };
}

/** The query string of a filter set, leaving out empty members (for links and sort headers). */
export function toSearch(values: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const search = params.toString();
  return search ? `?${search}` : "";
}
