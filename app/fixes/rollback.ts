/**
 * rollback of a role patch: put the role's inline policy back exactly as it
 * was (the very text IAM held), or delete it if the patch created it.
 * Recorded as its own activity entry, linked to the patch it undoes.
 */
import { DeleteRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { getActivity } from "./activity-log";
import { applySafely, AwsCalls, errorCode, jsonLineDiff, PermissionDenied, sealPlan, stableJson } from "./common";
import type { PolicyDocument } from "../policy/types";
import type { ApplyOptions, ApplyResult, FixContext, RollbackPlan } from "./types";

interface PatchRollbackData {
  roleName: string;
  roleArn: string;
  policyName: string;
  region?: string;
  previousText: string | null;
  appliedDocument: unknown;
}

/** Read-only: what rolling back this activity would do, or why it cannot. */
export async function planRollback(ctx: FixContext, activityId: number): Promise<RollbackPlan> {
  const entry = await getActivity(ctx.db, activityId);
  const data = entry?.rollbackData as PatchRollbackData | undefined;
  const base = {
    action: "rollback" as const,
    resource: { type: "role" as const, accountId: entry?.resources[0]?.accountId ?? "", roleArn: data?.roleArn, name: data?.roleName },
    applications: entry?.plan.applications ?? [],
    missingPermissions: [] as string[],
  };
  const details: RollbackPlan["details"] = {
    activityId,
    roleArn: data?.roleArn ?? "",
    policyName: data?.policyName ?? "",
    operation: data?.previousText === null ? "DeleteRolePolicy" : "PutRolePolicy",
    currentDocument: null,
    restoreDocument: data?.previousText ? (JSON.parse(data.previousText) as PolicyDocument) : null,
    diff: [],
  };
  const refuse = (reason: string) =>
    sealPlan<RollbackPlan>(ctx, { ...base, status: "refused", summary: `Cannot roll back activity ${activityId}: ${reason}`, reasons: [reason], details });

  if (!entry) return refuse("there is no such activity.");
  if (entry.action !== "patch-role-policy" || !data) return refuse(`only role policy patches can be rolled back (this is a ${entry.action}).`);
  if (entry.rolledBackBy !== undefined) return refuse(`it was already rolled back by activity ${entry.rolledBackBy}.`);
  if (entry.status !== "succeeded" && entry.status !== "partial") return refuse(`the patch did not change the role (its outcome: ${entry.status}).`);

  const calls = new AwsCalls();
  try {
    const { iam } = await ctx.clients(base.resource.accountId, data.region ?? "us-east-1");
    let currentText: string | null = null;
    try {
      const got = await calls.send<{ PolicyDocument?: string }>(
        iam,
        new GetRolePolicyCommand({ RoleName: data.roleName, PolicyName: data.policyName }),
        "iam:GetRolePolicy",
      );
      currentText = decodeURIComponent(got.PolicyDocument ?? "");
    } catch (error) {
      if (errorCode(error) !== "NoSuchEntity") throw error;
    }
    const currentDocument = currentText === null ? null : (JSON.parse(currentText) as PolicyDocument);
    const shown = { ...details, currentDocument, diff: jsonLineDiff(currentDocument, details.restoreDocument) };
    if (currentDocument === null || stableJson(currentDocument) !== stableJson(data.appliedDocument)) {
      return sealPlan<RollbackPlan>(ctx, {
        ...base,
        status: "refused",
        summary: `Cannot roll back activity ${activityId}: ${data.policyName} of role ${data.roleName} changed since the patch.`,
        reasons: [
          `The inline policy ${data.policyName} is no longer what the patch put (${currentDocument === null ? "it was deleted" : "it was edited"}); a rollback would undo someone else's change.`,
        ],
        details: shown,
      });
    }
    return sealPlan<RollbackPlan>(ctx, {
      ...base,
      status: "ready",
      summary:
        details.operation === "DeleteRolePolicy"
          ? `Delete inline policy ${data.policyName} from role ${data.roleName} (the patch of activity ${activityId} created it).`
          : `Put back the previous ${data.policyName} of role ${data.roleName} (as it was before activity ${activityId}).`,
      reasons: [],
      details: shown,
    });
  } catch (error) {
    if (!(error instanceof PermissionDenied)) throw error;
    return sealPlan<RollbackPlan>(ctx, {
      ...base,
      status: "unavailable",
      summary: `Rollback unavailable: AWS denied ${error.permission}.`,
      reasons: [error.message],
      missingPermissions: [error.permission],
      details,
    });
  }
}

/** Roll back a role patch. Re-plans first; a changed plan is not applied. */
export async function applyRollback(ctx: FixContext, planOrId: RollbackPlan | number, options: ApplyOptions): Promise<ApplyResult<RollbackPlan>> {
  const activityId = typeof planOrId === "number" ? planOrId : planOrId.details.activityId;
  const first = typeof planOrId === "number" ? await planRollback(ctx, activityId) : planOrId;
  return applySafely<RollbackPlan>(ctx, {
    options,
    resource: first.resource,
    action: "rollback",
    replan: () => planRollback(ctx, activityId),
    run: async (plan, _id, calls) => {
      const data = (await getActivity(ctx.db, activityId))!.rollbackData as unknown as PatchRollbackData;
      const { iam } = await ctx.clients(plan.resource.accountId, data.region ?? "us-east-1");
      const step =
        data.previousText === null
          ? `deleted inline policy ${data.policyName} from role ${data.roleName}`
          : `put back the previous inline policy ${data.policyName} of role ${data.roleName}`;
      try {
        if (data.previousText === null) {
          await calls.send(iam, new DeleteRolePolicyCommand({ RoleName: data.roleName, PolicyName: data.policyName }), "iam:DeleteRolePolicy");
        } else {
          await calls.send(
            iam,
            new PutRolePolicyCommand({ RoleName: data.roleName, PolicyName: data.policyName, PolicyDocument: data.previousText }),
            "iam:PutRolePolicy",
          );
        }
      } catch (error) {
        return { outcome: "failed", message: `Rollback failed: ${error instanceof Error ? error.message : String(error)}`, done: [], notDone: [step] };
      }
      return { outcome: "succeeded", message: `Rolled back activity ${activityId}: ${step}.`, done: [step], notDone: [], reaudit: true };
    },
    rollbackOf: activityId,
  });
}
