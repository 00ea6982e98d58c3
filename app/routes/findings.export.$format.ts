import type { LoaderFunctionArgs } from "@remix-run/node";
import { latestAuditId } from "~/audit/history";
import { requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { exportFindings } from "~/dashboard/findings-export.server";
import { exportScope, parseFindingFilters } from "~/dashboard/filters";
import { securityExport, type SecurityExportFormat } from "~/export/dashboard-export.server";

/** GET /findings/export/ocsf | asff: every finding of the latest audit as OCSF Detection Findings or ASFF (issue 14). */
async function securityDownload(format: SecurityExportFormat): Promise<Response> {
  const db = await dashboardDb();
  const auditId = await latestAuditId(db);
  const exported = auditId === undefined ? null : await securityExport(db, auditId, format);
  if (!exported) throw new Response("No audit is stored yet, so there is nothing to export. Run a scan first.", { status: 404 });
  return new Response(exported.body, {
    headers: { "content-type": exported.contentType, "content-disposition": `attachment; filename="${exported.filename}"`, "cache-control": "no-store" },
  });
}

/**
 * GET /findings/export/json | csv of the latest audit, streamed. With the
 * findings page's filters (or scope=filtered): exactly the findings they
 * select, in the page's order. With all=1 or no parameters: everything (JSON
 * is then the report contract, audit-report.md, byte for byte as stored).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const format = params.format;
  if (format === "ocsf" || format === "asff") return securityDownload(format);
  if (format !== "json" && format !== "csv") {
    throw new Response(`Unknown export format "${format}": use /findings/export/json or /findings/export/csv.`, { status: 404 });
  }
  const db = await dashboardDb();
  const auditId = await latestAuditId(db);
  const search = new URL(request.url).searchParams;
  const filters = exportScope(search) === "filtered" ? parseFindingFilters(search) : null;
  const exported = auditId === undefined ? null : await exportFindings({ db, auditId, format, filters });
  if (!exported) throw new Response("No audit is stored yet, so there is nothing to export. Run a scan first.", { status: 404 });
  return new Response(exported.body, {
    headers: {
      "content-type": exported.contentType,
      "content-disposition": `attachment; filename="${exported.filename}"`,
      "cache-control": "no-store",
    },
  });
}
