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

/** Findings whose resource lies under the application (same account, region and application id). */
export function findingsOfApplication(app: Pick<ApplicationInventory, "accountId" | "region" | "applicationId">, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.resource.applicationId === app.applicationId && f.resource.accountId === app.accountId && f.resource.region === app.region);
}

/** `findings` are the application's own (see findingsOfApplication). */
export function applicationReadiness(app: ApplicationInventory, findings: Finding[]): Readiness {
  if (findings.some((f) => f.checkId === IDENTITY_CHECK && f.status === "fail")) return "unsupported";
  if (findings.some((f) => f.status === "fail" && f.suppressed === undefined)) return "not-ready";
  if (app.error || findings.some((f) => f.status === "unknown")) return "unknown";
  return "ready";
}
