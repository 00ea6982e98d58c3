/**
 * The accepted-exceptions page's data and changes: the dashboard's rules (and
 * the file's, read-only) with what each matched in the latest audit, and
 * create / edit / remove from its forms (operators; each change in the
 * activity log). Rules apply from the next audit (ADR 0012).
 */
import { allChecks } from "~/audit/checks";
import { getAuditReport, latestAuditId } from "~/audit/history";
import { createSuppression, editSuppression, listDatabaseRules, removeSuppression } from "~/audit/suppression-rules";
import { firstIssue, loadSuppressionsFile, suppressionInputSchema, suppressionsFilePath } from "~/audit/suppressions-file";
import { isExpired, SUPPRESSION_MATCH_FIELDS, type SuppressionRule, type SuppressionRuleOutcome } from "~/audit/suppressions";
import type { SignedInUser } from "~/auth/user.server";
import { runtimeNow } from "~/runtime.server";
import { dashboardDb } from "./db.server";
import { scanStatus } from "./scans.server";

export interface ShownRule extends SuppressionRule {
  rowId?: number;
  updatedAt?: string;
  updatedBy?: string;
  /** Expired now (it stops applying at the next audit, or already did). */
  expiredNow: boolean;
  /** What it did in the latest audit; null when that audit did not have it (made since, or no audit yet). */
  latest: SuppressionRuleOutcome | null;
}

/** The fields a form may prefill, e.g. from a finding's "Accept" link. */
const PREFILL_FIELDS = ["checkId", ...SUPPRESSION_MATCH_FIELDS, "reason", "expires"] as const;

function fileRules(): { file: string | null; rules: SuppressionRule[]; error: string | null } {
  const file = suppressionsFilePath() ?? null;
  if (!file) return { file, rules: [], error: null };
  try {
    return { file, rules: loadSuppressionsFile(file), error: null };
  } catch (error) {
    return { file, rules: [], error: error instanceof Error ? error.message : String(error) };
  }
}

export async function getSuppressionsPage(params: URLSearchParams, user: SignedInUser) {
  const db = await dashboardDb();
  const auditId = await latestAuditId(db);
  const report = auditId !== undefined ? await getAuditReport(db, auditId) : undefined;
  const outcomes = new Map((report?.suppressions?.rules ?? []).map((r) => [r.id, r]));
  const now = runtimeNow();
  const show = (rule: SuppressionRule & { rowId?: number }): ShownRule => ({
    ...rule,
    expiredNow: isExpired(rule, now),
    latest: outcomes.get(rule.id) ?? null,
  });
  const file = fileRules();
  const prefill = Object.fromEntries(PREFILL_FIELDS.flatMap((f) => (params.get(f) ? [[f, params.get(f)!]] : [])));
  const editing = Number(params.get("edit")) || null;
  return {
    rules: (await listDatabaseRules(db)).map(show),
    file: { path: file.file, error: file.error, rules: file.rules.map(show) },
    latestAudit: report ? { id: auditId!, scannedAt: report.scannedAt } : null,
    checks: allChecks.map((c) => ({ id: c.metadata.id, title: c.metadata.title })),
    prefill,
    editing,
    canEdit: user.role === "operator",
    scan: scanStatus(),
  };
}

/** The form's fields as the schema takes them: blanks are "not given" (match anything). */
function formFields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of PREFILL_FIELDS) {
    const value = form.get(field);
    if (typeof value === "string" && value.trim() !== "") out[field] = value.trim();
  }
  return out;
}

export type SuppressionActionResult = { ok: true; message: string; activityId: number } | { ok: false; error: string };

/** POST intent=create | edit | remove (the route has checked operator and CSRF). Bad input changes nothing. */
export async function changeSuppressionFromForm(form: FormData, user: SignedInUser): Promise<SuppressionActionResult> {
  const db = await dashboardDb();
  const who = { actor: `user:${user.username}`, at: runtimeNow() };
  const intent = form.get("intent");
  const id = Number(form.get("id"));
  if (intent === "remove") {
    const removed = await removeSuppression(db, id, who);
    return removed ? { ok: true, message: `Exception #${id} removed.`, activityId: removed.activityId } : { ok: false, error: `There is no exception #${id}.` };
  }
  if (intent !== "create" && intent !== "edit") return { ok: false, error: `Unknown action "${String(intent)}".` };
  const parsed = suppressionInputSchema.omit({ by: true }).safeParse(formFields(form));
  if (!parsed.success) return { ok: false, error: `Nothing was saved: ${firstIssue(parsed.error)}` };
  if (intent === "create") {
    const made = await createSuppression(db, parsed.data, who);
    return { ok: true, message: `Exception #${made.id} saved. It applies from the next audit.`, activityId: made.activityId };
  }
  const edited = await editSuppression(db, id, parsed.data, who);
  return edited
    ? { ok: true, message: `Exception #${id} changed. The change applies from the next audit.`, activityId: edited.activityId }
    : { ok: false, error: `There is no exception #${id}.` };
}
