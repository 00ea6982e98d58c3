/**
 * Health for load balancers and container orchestrators: no sign-in, no
 * secrets, no AWS calls. 200 when this replica can use its database, 503
 * (with the reason) when it cannot, so a load balancer stops sending it work.
 * The first line is "ok" or "unavailable"; the next say what was checked:
 * the database, then the scan workers' queue (issue 16.3; a queue that
 * cannot be read makes it 503 only when scans go to the workers).
 */
import { dashboardDb } from "~/dashboard/db.server";
import { databaseHealth, type DatabaseHealth } from "~/db/health";
import { scanQueueHealth } from "~/workers/health";
import { scanWorkersFromEnv } from "~/workers/queue";

export async function loader() {
  let database: DatabaseHealth;
  try {
    database = await databaseHealth(await dashboardDb());
  } catch (error) {
    database = { ok: false, engine: "unknown", detail: (error as Error).message };
  }
  const queue = database.ok ? await scanQueueHealth(database.engine) : { ok: false, detail: "not checked (no database)" };
  const ok = database.ok && (queue.ok || !scanWorkersFromEnv());
  const lines = [ok ? "ok" : "unavailable", `database: ${database.engine} ${database.detail}`, `queue: ${queue.detail}`];
  return new Response(`${lines.join("\n")}\n`, {
    status: ok ? 200 : 503,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
