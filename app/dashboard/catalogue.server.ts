/**
 * The checks' metadata as the dashboard shows it, read from the registry
 * (app/audit/checks): the catalogue, titles, what a failure means to users
 * and how to fix it are written once, beside each check.
 */
import { allChecks, howToFixFor } from "~/audit/checks";
import type { CheckMetadata } from "~/audit/types";

const byId = new Map<string, CheckMetadata>(allChecks.map((c) => [c.metadata.id, c.metadata]));

export function checkCatalogue(): CheckMetadata[] {
  return allChecks.map((c) => c.metadata);
}

export function checkMetadata(checkId: string): CheckMetadata | undefined {
  return byId.get(checkId);
}

/** How to fix one stored finding (its evidence picks connector-specific words, e.g. for S3V2); null for an unknown check. */
export function fixAdvice(checkId: string, evidenceJson: string): string | null {
  const metadata = byId.get(checkId);
  if (!metadata) return null;
  let evidence: Record<string, unknown> | undefined;
  try {
    evidence = JSON.parse(evidenceJson) as Record<string, unknown>;
  } catch {
    evidence = undefined;
  }
  return howToFixFor(metadata, evidence);
}

/** The check's title, or its id when the registry does not know it (an audit stored by an older build). */
export function checkTitle(checkId: string): string {
  return byId.get(checkId)?.title ?? checkId;
}
