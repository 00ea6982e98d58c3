/**
 * A scan sent to the workers when none runs (ADR 0016): after
 * QBR_WORKER_WAIT_SECONDS with no target taken, the audit fails saying what
 * to start, its targets are taken back out of the queue, and nothing is saved.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudits } from "~/audit/history";
import { runAudit } from "~/audit/run";
import { openDatabase, type Db } from "~/db/database";
import { queueHealth, startQueue } from "~/workers/queue";
import { createPostgresDatabase, type TestDatabase } from "../helpers/postgres";

describe("a workers' scan with no worker running", () => {
  let target: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    target = await createPostgresDatabase();
    db = await openDatabase(target.url, { poolSize: 2 });
  });
  afterAll(async () => {
    delete process.env.QBR_WORKER_WAIT_SECONDS;
    await db?.close();
    await target?.drop();
  });

  it("fails after the wait with what to start, leaving no target queued and no audit", async () => {
    process.env.QBR_WORKER_WAIT_SECONDS = "1";
    const targets = [
      { accountId: "111111111111", regions: ["us-east-1", "eu-west-1"], credentials: { accessKeyId: "AKIALOCAL111111111111", secretAccessKey: "x" } },
    ];
    await expect(runAudit({ targets, db: target.url, workers: true, notify: false, securityHub: false })).rejects.toThrow(
      "No scan worker took any of the 2 targets within 1 s: start `npm run worker` on the same database (docs/deploy/workers.md). The targets were taken out of the queue again; nothing was saved.",
    );
    expect(await listAudits(db)).toEqual([]);
    const boss = await startQueue(target.url, { supervise: false, poolSize: 1 });
    try {
      expect(await queueHealth(boss)).toBe("pg-boss ok (0 targets waiting, 0 in progress)");
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
});
