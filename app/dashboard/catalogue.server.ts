/**
 * The checks' metadata as the dashboard shows it, read from the registry
 * (app/audit/checks): the catalogue, titles, what a failure means to users
 * and how to fix it are written once, beside each check.
 */
import { allChecks } from "~/audit/checks";
import type { CheckMetadata } from "~/audit/types";

const byId = new Map<string, CheckMetadata>(allChecks.map((c) => [c.metadata.id, c.metadata]));

export function checkCatalogue(): CheckMetadata[] {
  return allChecks.map((c) => c.metadata);
}

export function checkMetadata(checkId: string): CheckMetadata | undefined {
  return byId.get(checkId);
}

/** The check's title, or its id when the registry does not know it (an audit stored by an older build). */
export function checkTitle(checkId: string): string {
  return byId.get(checkId)?.title ?? checkId;
}
