/**
 * What the dashboard counts, defined once (issue 11 item 5), so the overview's
 * note, its cards, the donut and the banner cannot disagree:
 *
 * - an **application** is one the audit read: listed by its target, then
 *   judged. Each is counted once, under its readiness; the cards add up to the
 *   total.
 * - a **target** is one account in one region. One that could not be read
 *   (ListApplications refused, no credentials) listed nothing, so how many
 *   applications it holds is not known: it is counted as an unreadable target,
 *   shown beside the Unknown card, never as a guessed number of applications.
 * - the banner describes where the dashboard reads from (accounts, regions),
 *   not how many applications a fixture holds: that number is the audit's.
 *
 * Pure (no server imports): the overview's loader builds it, components render it.
 */
import type { AuditReport } from "~/audit/types";
import { plural } from "~/util/plural";

export type ApplicationCounts = AuditReport["summary"]["applications"];

export interface UnreadableTarget {
  accountId: string;
  region: string;
  /** The error in words (code and message). */
  error: string;
}

export interface FleetCounts {
  /** Applications the audit read, by readiness; `total` is their sum. */
  applications: ApplicationCounts;
  targets: {
    /** Accounts × regions the audit was asked to read. */
    total: number;
    read: number;
    /** Those it could not read: their applications are unknown and not in `applications`. */
    unreadable: UnreadableTarget[];
  };
}

type StoredTarget = AuditReport["targets"][number];

/** The one place the counts are made: the audit's summary of the applications it read, and its targets. */
export function fleetCounts(applications: ApplicationCounts, targets: StoredTarget[], describe: (t: StoredTarget) => string): FleetCounts {
  const unreadable = targets.filter((t) => t.status === "error").map((t) => ({ accountId: t.accountId, region: t.region, error: describe(t) }));
  const { ready, notReady, unsupported, unknown } = applications;
  return {
    // The total is the cards' sum, so "N applications" and the cards always agree.
    applications: { total: ready + notReady + unsupported + unknown, ready, notReady, unsupported, unknown },
    targets: { total: targets.length, read: targets.length - unreadable.length, unreadable },
  };
}

/** "1 target could not be read, so its applications are unknown and not counted here" (null when every target was read). */
export function unreadableSummary(counts: FleetCounts): string | null {
  const n = counts.targets.unreadable.length;
  if (n === 0) return null;
  return (
    `${plural(n, "target")} of ${counts.targets.total} could not be read: ${n === 1 ? "its" : "their"} applications could not be listed, ` +
    `so how many there are is unknown and they are not in the ${plural(counts.applications.total, "application")} counted below.`
  );
}

/** What the total card says: "10 applications read in 5 of 6 targets". */
export function applicationsReadWords(counts: FleetCounts): string {
  const { read, total } = counts.targets;
  return `read in ${read} of ${plural(total, "target")}`;
}
