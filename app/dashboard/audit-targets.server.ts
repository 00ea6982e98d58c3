/**
 * A stored audit's targets (one per account and region: small), remembered
 * per database and audit id. Reading them is not cheap on a large audit: the
 * targets column sits after the multi-megabyte report in the row, so SQLite
 * walks the report's overflow pages to reach it (≈30 ms on the 300-application
 * audit). A stored audit never changes, so the first read can be kept.
 */
import type { TargetResult } from "~/audit/types";
import { auditTargetsJson } from "~/db/audits";
import type { Db } from "~/db/database";
import { singleton } from "~/util/singleton.server";

/** Audits remembered per database: the latest few are what pages show. */
const KEPT = 16;

const holder = () => singleton("dashboard-audit-targets", () => ({ byDb: new WeakMap<Db, Map<number, Promise<TargetResult[]>>>() }));

export function auditTargetsOf(db: Db, auditId: number): Promise<TargetResult[]> {
  const { byDb } = holder();
  let kept = byDb.get(db);
  if (!kept) byDb.set(db, (kept = new Map()));
  const hit = kept.get(auditId);
  if (hit) return hit;
  const read = auditTargetsJson(db, auditId).then((json) => (json ? (JSON.parse(json) as TargetResult[]) : []));
  kept.set(auditId, read);
  read.catch(() => kept.delete(auditId));
  while (kept.size > KEPT) kept.delete(kept.keys().next().value as number);
  return read;
}
