/**
 * The readiness of an application from the findings about it (checks.md):
 * - unsupported: its identity type rules clickable URLs out;
 * - not-ready: a finding under it fails;
 * - unknown: nothing fails, but something is unknown, or the application
 *   itself could not be read completely (an application-level error);
 * - ready: otherwise. `warn` findings are shown but do not block.
 * A finding covered by an accepted exception (`suppressed`) does not make the
 * application not-ready; an accepted identity finding still leaves it
 * unsupported, a fact about the application (ADR 0012).
 */
import type { ApplicationInventory, Finding, Readiness } from "./types";

const IDENTITY_CHECK = "application-identity-unsupported";

/**
 * Each application's findings: those whose resource lies under it (same
 * account, region and application id), grouped in one pass (a fleet's
 * report costs findings, not applications × findings).
 */
export function findingsByApplication(findings: Finding[]): (app: Pick<ApplicationInventory, "accountId" | "region" | "applicationId">) => Finding[] {
  const key = (a: { accountId: string | null; region: string | null; applicationId: string | null }) => `${a.accountId}/${a.region}/${a.applicationId}`;
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.resource.applicationId === null) continue;
    const k = key(f.resource);
    const group = groups.get(k);
    if (group) group.push(f);
    else groups.set(k, [f]);
  }
  return (app) => groups.get(key(app)) ?? [];
}

/** `findings` are the application's own (see findingsByApplication). */
export function applicationReadiness(app: Pick<ApplicationInventory, "error">, findings: Finding[]): Readiness {
  if (findings.some((f) => f.checkId === IDENTITY_CHECK && f.status === "fail")) return "unsupported";
  if (findings.some((f) => f.status === "fail" && f.suppressed === undefined)) return "not-ready";
  if (app.error || findings.some((f) => f.status === "unknown")) return "unknown";
  return "ready";
}
