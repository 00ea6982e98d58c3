import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { scanStatus, startScan } from "~/dashboard/scans.server";

/** GET /scan: the background scan's progress as JSON (the overview polls it). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return Response.json(scanStatus(), { headers: { "cache-control": "no-store" } });
}

/**
 * POST /scan (operators, with the CSRF field): start a scan. 202 when it
 * started, 409 with the running scan's status when one already runs.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  const result = startScan(user, { full: form.get("full") === "1" });
  return Response.json(result.alreadyRunning ? { ...result, message: "A scan is already running." } : result, { status: result.alreadyRunning ? 409 : 202 });
}
