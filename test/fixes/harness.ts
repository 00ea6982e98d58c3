/**
 * Fix tests' harness: a local AWS on an ephemeral port, a fresh SQLite file,
 * and a FixContext whose "sleep" moves the emulator clock (a sync finishes
 * without waiting in real time). A "restart" is a new context on the same file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../app/db/database";
import { createFixContext } from "../../app/fixes/context";
import type { FixContext } from "../../app/fixes/types";
import type { Fixture, FixtureDataSource } from "../../app/local-aws/fixture-types";
import { BEFORE, dataSource, documents, syncJob } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";

export interface FixHarness {
  t: TestAws;
  dbPath: string;
  db: Db;
  ctx: FixContext;
  /** A new context (and database connection) on the same file, as after a restart. */
  restart(): Promise<FixContext>;
  close(): Promise<void>;
}

export async function startFixHarness(fixture: Fixture): Promise<FixHarness> {
  const t = await startTestAws(fixture);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-fixes-"));
  const dbPath = path.join(dir, "fixes.sqlite");
  const dbs: Db[] = [];
  const contexts: FixContext[] = [];
  const make = async () => {
    const db = await openDatabase(dbPath);
    dbs.push(db);
    const ctx = createFixContext({
      db,
      localAws: t.aws,
      maxAttempts: 1,
      sleep: async (ms) => t.aws.clock.advance(ms),
    });
    contexts.push(ctx);
    return ctx;
  };
  const ctx = await make();
  let closed = false;
  return {
    t,
    dbPath,
    db: ctx.db,
    ctx,
    restart: make,
    async close() {
      // Idempotent: afterEach closes the last harness even when a later test made none.
      if (closed) return;
      closed = true;
      for (const c of contexts) await c.close();
      for (const db of dbs) await db.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Audit the harness's fleet into its database (the fixes read which applications use a role from the latest audit). */
export async function auditInto(h: FixHarness): Promise<void> {
  const { runAudit } = await import("../../app/audit/run");
  const { targetsForFixture } = await import("../../app/audit/targets");
  await runAudit({ targets: targetsForFixture(h.t.aws.fleet), endpoint: h.t.aws.endpoint, db: h.db, maxAttempts: 1 });
}

/** A stale S3 data source a bulk full sync fixes: only incremental syncs before the cutoff, documents from before it; a sync takes 1 s. */
export function staleSource(label: string): FixtureDataSource {
  return dataSource(label, {
    configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
    syncJobs: [syncJob(`${label}-old`, "2025-04-01T10:00:00Z")],
    documents: documents(2, BEFORE, label),
    syncDurationSeconds: 1,
  });
}
