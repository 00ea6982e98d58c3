/**
 * Health for load balancers and container orchestrators: no sign-in, no
 * secrets, no AWS calls. 200 when this replica can use its database, 503
 * (with the reason) when it cannot, so a load balancer stops sending it work.
 * The first line is "ok" or "unavailable"; the next say what was checked.
 */
import { dashboardDb } from "~/dashboard/db.server";
import { databaseHealth, type DatabaseHealth } from "~/db/health";

export async function loader() {
  let database: DatabaseHealth;
  try {
    database = await databaseHealth(await dashboardDb());
  } catch (error) {
    database = { ok: false, engine: "unknown", detail: (error as Error).message };
  }
  const lines = [database.ok ? "ok" : "unavailable", `database: ${database.engine} ${database.detail}`];
  return new Response(`${lines.join("\n")}\n`, {
    status: database.ok ? 200 : 503,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
