/**
 * The world of an incremental re-audit test (ADR 0010): a local AWS on a
 * fresh copy of the test's fleet and a new SQLite file for every test, audits
 * into that file over HTTP that count the calls each one made, and the
 * verdicts as a user reads them (to compare an incremental audit with a full one).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import { runAudit, type RunAuditOptions } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import type { AuditReport, Finding } from "../../app/audit/types";
import type { Fixture } from "../../app/local-aws/fixture-types";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { id36 } from "./fleet-builder";

export interface IncrementalWorld {
  /** The local AWS of the current test (set by beforeEach). */
  t: TestAws;
  /** The current test's database file. */
  db: string;
  /** An audit of the world into `db`; `calls(op)` is how many requests of `op` it made. */
  audit(options?: Partial<RunAuditOptions>): Promise<Awaited<ReturnType<typeof runAudit>> & { calls(op: string): number }>;
}

/** Registers the hooks that make the world for each test of the file. */
export function incrementalWorld(fleet: () => Fixture, tmpPrefix: string): IncrementalWorld {
  let dir = "";
  const world: IncrementalWorld = {
    t: undefined as unknown as TestAws,
    db: "",
    async audit(options = {}) {
      world.t.aws.clearRequests();
      const before = { ...world.t.aws.stats.byOperation };
      const run = await runAudit({ targets: targetsForFixture(world.t.aws.fleet), endpoint: world.t.aws.endpoint, db: world.db, maxAttempts: 1, ...options });
      const after = { ...world.t.aws.stats.byOperation };
      return { ...run, calls: (op: string) => (after[op] ?? 0) - (before[op] ?? 0) };
    },
  };
  beforeEach(async () => {
    world.t = await startTestAws(fleet());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    world.db = path.join(dir, "audits.sqlite");
  });
  afterEach(async () => {
    await world.t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return world;
}

/** Every finding's status and message, by check and resource: what a user sees. */
export function verdicts(report: AuditReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of report.findings)
    out[`${f.checkId} ${f.resource.type} ${f.resource.dataSourceId ?? f.resource.webExperienceId ?? f.resource.applicationId ?? ""}`] =
      `${f.status}: ${f.message}`;
  return out;
}

/** The finding of `checkId` about the data source of `label` (fleet-builder ids); throws when there is none. */
export function dataSourceFinding(report: AuditReport, checkId: string, label: string): Finding {
  const f = report.findings.find((x) => x.checkId === checkId && x.resource.dataSourceId === id36(label));
  if (!f) throw new Error(`no ${checkId} finding for ${label}`);
  return f;
}

/** Audit the world incrementally, then in full, and expect the same verdicts; returns both. */
export async function incrementalThenFull(world: IncrementalWorld) {
  const incremental = await world.audit();
  const full = await world.audit({ full: true });
  expect(incremental.scan).toEqual({ full: false, reason: "incremental" });
  expect(verdicts(incremental.report)).toEqual(verdicts(full.report));
  return { incremental, full };
}
