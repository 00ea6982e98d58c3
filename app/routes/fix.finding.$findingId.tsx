import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { fixPathOfFinding } from "~/dashboard/fixes.server";

/**
 * GET /fix/finding/:findingId: the fix page of the action that fixes this
 * finding, with its resource in the address (links from findings stay short).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const id = Number(params.findingId);
  if (!Number.isInteger(id) || id <= 0) throw new Response(`"${params.findingId}" is not a finding number.`, { status: 404 });
  throw redirect(await fixPathOfFinding(await dashboardDb(), id));
}
