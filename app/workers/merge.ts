/**
 * The workers' target outcomes as one inventory, as a single process would
 * have collected it: targets and their applications in the scan's order, the
 * roles read (one entry per ARN, whichever target read it), the request
 * counts added up. Pure.
 */
import type { Inventory } from "../audit/types";
import type { TargetOutcome } from "./target";

type Stats = NonNullable<Inventory["stats"]>;

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Calls, throttles and errors summed; peakInFlight is the largest of one target's (targets ran on several machines). */
export function sumStats(all: Stats[]): Stats {
  const total: Stats = { apiCalls: 0, throttled: 0, byOperation: {}, byBucket: {}, peakInFlight: 0, serverErrors: 0 };
  for (const s of all) {
    total.apiCalls += s.apiCalls;
    total.throttled += s.throttled;
    addCounts(total.byOperation, s.byOperation);
    for (const [bucket, b] of Object.entries(s.byBucket ?? {})) {
      const into = (total.byBucket![bucket] ??= { calls: 0, throttled: 0 });
      into.calls += b.calls;
      into.throttled += b.throttled;
    }
    total.peakInFlight = Math.max(total.peakInFlight ?? 0, s.peakInFlight ?? 0);
    total.serverErrors! += s.serverErrors ?? 0;
  }
  return total;
}

/** One inventory from one outcome per target (duplicates of an index are a bug upstream: refused). */
export function mergeOutcomes(outcomes: TargetOutcome[], o: { scannedAt: string; cutoff: string }): Inventory {
  const ordered = [...outcomes].sort((a, b) => a.index - b.index);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.index === ordered[i - 1]!.index) throw new Error(`target ${ordered[i]!.index} was reported twice`);
  }
  const roles: Inventory["roles"] = {};
  for (const outcome of ordered) for (const [arn, role] of Object.entries(outcome.roles)) roles[arn] ??= role;
  return {
    scannedAt: o.scannedAt,
    cutoff: o.cutoff,
    targets: ordered.map((r) => r.target),
    applications: ordered.flatMap((r) => r.applications),
    roles,
    stats: sumStats(ordered.map((r) => r.stats)),
  };
}
