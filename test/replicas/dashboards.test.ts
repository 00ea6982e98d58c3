/**
 * The built dashboard (`tsx scripts/serve.ts`, as deployed) on PostgreSQL:
 * two replicas started at once on one new database migrate it once, both
 * report the database on /healthz, the empty database gets one initial audit
 * (not one per replica), and a replica whose database is gone answers 503.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudits } from "~/audit/history";
import { MIGRATIONS, openDatabase, type Db } from "~/db/database";
import { sql } from "kysely";
import { buildOnce, startDashboard, type RunningDashboard } from "../browser/harness";
import { createPostgresDatabase, type TestDatabase } from "../helpers/postgres";

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
      .on("error", reject);
  });
}

describe("two dashboard replicas on one PostgreSQL", () => {
  let target: TestDatabase;
  let db: Db;
  let replicas: RunningDashboard[] = [];
  beforeAll(async () => {
    await buildOnce();
    target = await createPostgresDatabase();
    const env = { QBR_DATABASE_URL: target.url, QBR_SESSION_SECRET: "the-same-secret-on-every-replica" };
    replicas = await Promise.all([startDashboard(env), startDashboard(env)]);
    db = await openDatabase(target.url);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await db?.close();
    await target?.drop();
  });

  it("migrate the new database once and both report it healthy on /healthz", async () => {
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db.kysely);
    expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATIONS]);
    for (const replica of replicas) {
      const health = await get(`${replica.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.body).toMatch(
        /^ok\ndatabase: postgres ok \(\d+ ms\)\nqueue: pg-boss ok \(0 targets waiting, 0 in progress\); scans run in this process \(QBR_SCAN_WORKERS unset\)\n$/,
      );
    }
  });

  it("run one initial audit of the empty database between them", async () => {
    const deadline = Date.now() + 60_000;
    while ((await listAudits(db)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // Both replicas started on an empty database; give the second every chance to run its own.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await listAudits(db)).length).toBe(1);
  }, 90_000);

  it("a replica whose database is gone answers /healthz with 503 and the reason", async () => {
    await target.drop();
    const health = await get(`${replicas[0]!.url}/healthz`);
    expect(health.status).toBe(503);
    expect(health.body).toMatch(/^unavailable\ndatabase: postgres /);
    expect(health.body).not.toMatch(/password/i);
  });
});
