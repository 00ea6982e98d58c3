/**
 * Glue between the bulk-fix pages (routes/fix.bulk*.tsx) and the engine
 * (./bulk.ts): reading the forms (zod; bad input → 400 with the reason,
 * nothing changed), the dashboard's fix context, and what the batch page
 * shows (the aggregated plan, the items, whether a process runs it now).
 */
import { z } from "zod";
import type { SignedInUser } from "~/auth/user.server";
import { actorOf, dashboardFixContext } from "~/dashboard/fixes.server";
import { findingQuery } from "~/dashboard/findings.server";
import { parseFindingFilters } from "~/dashboard/filters";
import { lockHolder } from "~/db/fix-locks";
import { applyBulkBatch, BulkInputError, createBulkBatch, defaultCaps, getBulkBatch, listBulkBatches } from "./bulk";
import { countBulkStates, groupBulkItems } from "./bulk-summary";
import { holderAlive } from "./locks";

const ids = z.array(z.coerce.number().int().positive("a finding id is a positive whole number"));

const planSchema = z
  .object({
    intent: z.literal("plan"),
    choice: z.enum(["full-sync", "patch-role-policy", "each"], { errorMap: () => ({ message: "choose the fix: full-sync, patch-role-policy or each" }) }),
    scope: z.enum(["selected", "filter"]),
    findingIds: ids.max(5_000, "at most 5,000 findings can be ticked; choose all that match the filter instead"),
    filter: z.string().max(2_000).default(""),
    perAccount: z.coerce.number().int().min(1, "per account: at least 1").max(20, "per account: at most 20").optional(),
    overall: z.coerce.number().int().min(1, "overall: at least 1").max(100, "overall: at most 100").optional(),
    restoreMode: z.enum(["on", "off"]).default("on"),
  })
  .refine((f) => f.scope === "filter" || f.findingIds.length > 0, "no finding was ticked: tick the findings to fix, or choose all that match the filter");

function formObject(form: FormData): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) object[key] = key === "findingIds" ? form.getAll(key) : form.get(key);
  object.findingIds ??= [];
  for (const key of ["perAccount", "overall"]) if (object[key] === "") delete object[key];
  return object;
}

function parseForm<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, form: FormData): T {
  const parsed = schema.safeParse(formObject(form));
  if (!parsed.success) {
    throw new Response(`The form could not be read: ${parsed.error.issues.map((i) => `${i.path.join(".") || "form"}: ${i.message}`).join("; ")}`, {
      status: 400,
    });
  }
  return parsed.data;
}

/** intent=plan from the findings page: plan the selection (read-only on AWS) and store it as a planned batch; returns its id. */
export async function planBatchFromForm(form: FormData, user: SignedInUser): Promise<number> {
  const fields = parseForm(planSchema, form);
  const ctx = await dashboardFixContext();
  const filter = fields.filter.replace(/^\?/, "");
  const selection = fields.scope === "filter" ? { filter, choice: fields.choice } : { findingIds: fields.findingIds, choice: fields.choice };
  try {
    return await createBulkBatch(ctx, {
      actor: actorOf(user),
      selection,
      filter: fields.scope === "filter" ? findingQuery(parseFindingFilters(new URLSearchParams(filter))) : null,
      perAccount: fields.perAccount,
      overall: fields.overall,
      restoreMode: fields.restoreMode === "on",
    });
  } catch (error) {
    if (error instanceof BulkInputError) throw new Response(error.message, { status: 400 });
    throw error;
  }
}

/** The batch page: the batch, its plan aggregated, its items, and whether a live process runs it now. */
export async function getBulkBatchPage(id: number, user: SignedInUser) {
  const ctx = await dashboardFixContext();
  const batch = await getBulkBatch(ctx.db, id);
  if (!batch) throw new Response(`There is no batch #${id}.`, { status: 404 });
  const lease = batch.state === "running" ? await lockHolder(ctx.db, `bulk-batch|${id}`) : undefined;
  const heldNow = lease !== undefined && Date.parse(lease.expiresAt) > Date.now() && holderAlive(lease.holder);
  return {
    batch,
    groups: groupBulkItems(batch.items),
    counts: countBulkStates(batch.items),
    canApply: user.role === "operator",
    /** Running but no live process holds it (the server stopped): it resumes when the dashboard starts again. */
    orphaned: batch.state === "running" && !heldNow,
  };
}

const applySchema = z.object({ intent: z.literal("apply"), batchHash: z.string().trim().min(1, "the batch's hash is missing: reload the page") });

/** intent=apply: start the planned batch the operator confirmed (it runs in this server's background). */
export async function applyBatchFromForm(id: number, form: FormData, user: SignedInUser) {
  const fields = parseForm(applySchema, form);
  const { outcome, message } = await applyBulkBatch(await dashboardFixContext(), id, { actor: actorOf(user), confirmBatchHash: fields.batchHash });
  return { outcome, message };
}

/** The batches page: the latest batches, newest first, and the default caps. */
export async function getBulkIndexPage() {
  const ctx = await dashboardFixContext();
  return { batches: await listBulkBatches(ctx.db, 50), caps: defaultCaps() };
}
