/**
 * The accepted-exception rules an audit applies: the dashboard's (database)
 * first, then the file's; and the dashboard's create / edit / remove, each
 * written to the activity log with who, when and the rule before and after.
 */
import { insertActivity } from "../db/activity";
import type { Db } from "../db/database";
import * as store from "../db/suppressions";
import type { SuppressionRow } from "../db/suppressions";
import { loadSuppressionsFile, suppressionsFilePath, type SuppressionInput } from "./suppressions-file";
import type { SuppressionRule } from "./suppressions";

export const SUPPRESSION_ACTIONS = ["suppression-create", "suppression-edit", "suppression-remove"] as const;
export type SuppressionAction = (typeof SUPPRESSION_ACTIONS)[number];

/** A stored rule as the matcher takes it; its id is "db:{row id}". */
export function ruleFromRow(row: SuppressionRow): SuppressionRule & { rowId: number; updatedAt?: string; updatedBy?: string } {
  const optional = (key: "accountId" | "region" | "applicationId" | "dataSourceId" | "roleArn", value: string | null) =>
    value !== null ? { [key]: value } : {};
  return {
    id: `db:${row.id}`,
    rowId: row.id,
    source: "database",
    checkId: row.check_id,
    ...optional("accountId", row.account_id),
    ...optional("region", row.region),
    ...optional("applicationId", row.application_id),
    ...optional("dataSourceId", row.data_source_id),
    ...optional("roleArn", row.role_arn),
    reason: row.reason,
    ...(row.expires !== null ? { expires: row.expires } : {}),
    by: row.created_by,
    createdAt: row.created_at,
    ...(row.updated_at !== null ? { updatedAt: row.updated_at } : {}),
    ...(row.updated_by !== null ? { updatedBy: row.updated_by } : {}),
  };
}

export async function listDatabaseRules(db: Db): Promise<ReturnType<typeof ruleFromRow>[]> {
  return (await store.listSuppressionRows(db)).map(ruleFromRow);
}

/**
 * Every rule for an audit: the database's (when there is one) and the file's
 * (`file`, else QBR_SUPPRESSIONS_FILE). A bad file throws AuditSetupError.
 */
export async function suppressionRulesFor(options: { db?: Db; file?: string }): Promise<SuppressionRule[]> {
  const path = suppressionsFilePath(options.file);
  const fromFile = path ? loadSuppressionsFile(path) : [];
  const fromDb = options.db ? await listDatabaseRules(options.db) : [];
  return [...fromDb, ...fromFile];
}

/** The columns of a rule's fields; `by` is the signed-in user, not a form field. */
function columnsOf(input: Omit<SuppressionInput, "by">) {
  return {
    check_id: input.checkId,
    account_id: input.accountId ?? null,
    region: input.region ?? null,
    application_id: input.applicationId ?? null,
    data_source_id: input.dataSourceId ?? null,
    role_arn: input.roleArn ?? null,
    reason: input.reason,
    expires: input.expires ?? null,
  };
}

/** One line for the log: "application-identity-unsupported in 1111*, us-east-1 (until 2027-06-30)". */
export function describeRule(
  rule: Pick<SuppressionRule, "checkId" | "accountId" | "region" | "applicationId" | "dataSourceId" | "roleArn" | "expires">,
): string {
  const where = [rule.accountId, rule.region, rule.applicationId, rule.dataSourceId, rule.roleArn].filter((x) => x !== undefined && x !== "*");
  return `${rule.checkId}${where.length ? ` in ${where.join(", ")}` : " everywhere"}${rule.expires ? ` (until ${rule.expires})` : " (no expiry)"}`;
}

async function logChange(
  db: Db,
  change: { action: SuppressionAction; actor: string; at: Date; summary: string; before?: SuppressionRule; after?: SuppressionRule },
) {
  const at = change.at.toISOString();
  // The log's entries are fix-shaped (a plan as confirmed): a rule change is a plan with nothing to re-audit.
  const plan = {
    action: change.action,
    status: "ready",
    summary: change.summary,
    reasons: [],
    missingPermissions: [],
    applications: [],
    planHash: "",
    plannedAt: at,
    details: { before: change.before ?? null, after: change.after ?? null },
  };
  return insertActivity(db, {
    activity: {
      action: change.action,
      actor: change.actor,
      started_at: at,
      resources: "[]",
      plan: JSON.stringify(plan),
      rollback_data: null,
      rollback_of: null,
    },
    resources: [],
    firstEvent: { at, status: "succeeded", message: change.summary, request_ids: "[]", data: null },
  });
}

export async function createSuppression(
  db: Db,
  input: Omit<SuppressionInput, "by">,
  who: { actor: string; at: Date },
): Promise<{ id: number; activityId: number }> {
  const id = await store.insertSuppressionRow(db, {
    ...columnsOf(input),
    created_by: who.actor,
    created_at: who.at.toISOString(),
    updated_by: null,
    updated_at: null,
  });
  const after = ruleFromRow((await store.suppressionRowById(db, id))!);
  const activityId = await logChange(db, {
    action: "suppression-create",
    actor: who.actor,
    at: who.at,
    summary: `Accepted exception #${id} created: ${describeRule(after)}. Reason: ${input.reason}`,
    after,
  });
  return { id, activityId };
}

/** Returns undefined when there is no rule `id`. */
export async function editSuppression(
  db: Db,
  id: number,
  input: Omit<SuppressionInput, "by">,
  who: { actor: string; at: Date },
): Promise<{ activityId: number } | undefined> {
  const old = await store.suppressionRowById(db, id);
  if (!old) return undefined;
  await store.updateSuppressionRow(db, id, { ...columnsOf(input), updated_by: who.actor, updated_at: who.at.toISOString() });
  const after = ruleFromRow((await store.suppressionRowById(db, id))!);
  const summary = `Accepted exception #${id} changed: ${describeRule(after)}. Reason: ${input.reason}`;
  return { activityId: await logChange(db, { action: "suppression-edit", actor: who.actor, at: who.at, summary, before: ruleFromRow(old), after }) };
}

/** Returns undefined when there is no rule `id`. */
export async function removeSuppression(db: Db, id: number, who: { actor: string; at: Date }): Promise<{ activityId: number } | undefined> {
  const old = await store.suppressionRowById(db, id);
  if (!old || !(await store.deleteSuppressionRow(db, id))) return undefined;
  const before = ruleFromRow(old);
  return {
    activityId: await logChange(db, {
      action: "suppression-remove",
      actor: who.actor,
      at: who.at,
      summary: `Accepted exception #${id} removed: ${describeRule(before)}`,
      before,
    }),
  };
}
