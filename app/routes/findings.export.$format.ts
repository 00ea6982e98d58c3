import type { LoaderFunctionArgs } from "@remix-run/node";
import { formatCsv } from "~/audit/format";
import type { AuditReport } from "~/audit/types";
import { requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { latestReportJson } from "~/dashboard/findings.server";

/**
 * GET /findings/export/json | csv: the latest audit as a download. JSON is the
 * report contract (audit-report.md) byte for byte as stored; CSV is the CLI's.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const format = params.format;
  if (format !== "json" && format !== "csv") {
    throw new Response(`Unknown export format "${format}": use /findings/export/json or /findings/export/csv.`, { status: 404 });
  }
  const latest = await latestReportJson(await dashboardDb());
  if (!latest) throw new Response("No audit is stored yet, so there is nothing to export. Run a scan first.", { status: 404 });
  const stamp = latest.scannedAt.replace(/[:.]/g, "-");
  const body = format === "json" ? latest.json : formatCsv(JSON.parse(latest.json) as AuditReport);
  return new Response(body, {
    headers: {
      "content-type": format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="qbiz-readiness-audit-${latest.auditId}-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
