/**
 * How a web experience role answers GetDocumentContent on its application and
 * each of its indices: simulation first, the local reading when simulation
 * fails (app/aws/role-access.ts), once per (role, application).
 */
import { evaluateRoleAccess } from "../../aws/role-access";
import type { ApplicationInventory, RoleAccessEvaluation, RoleInventory } from "../types";
import type { TargetContext } from "./context";
import { iamPrincipalOf } from "./roles";

/** The resources GetDocumentContent acts on for an application: its ARN and each index's. */
export function documentContentResources(app: ApplicationInventory): string[] {
  return [app.applicationArn, ...app.indices.map((i) => `${app.applicationArn}/index/${i.indexId}`)];
}

export function roleAccessFor(ctx: TargetContext, role: RoleInventory, app: ApplicationInventory): Promise<RoleAccessEvaluation> {
  const key = `${role.roleArn}|${app.applicationArn}`;
  let evaluation = ctx.scope.access.get(key);
  if (!evaluation) {
    evaluation = evaluateRoleAccess(iamPrincipalOf(ctx), role, documentContentResources(app));
    ctx.scope.access.set(key, evaluation);
  }
  return evaluation;
}
