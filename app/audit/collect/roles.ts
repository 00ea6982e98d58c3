/** The web experiences' IAM roles, read through the one role reader with this target's credentials and limits. */
import type { IamPrincipal } from "../../aws/iam-role-reader";
import type { RoleInventory } from "../types";
import type { TargetContext } from "./context";

/** The target's credentials as the role reader takes them: every IAM request paced like the rest. */
export function iamPrincipalOf(ctx: TargetContext): IamPrincipal {
  return { accountId: ctx.accountId, call: (action, request) => ctx.call(action, () => request(ctx.clients.iam)) };
}

/** Each role is read once per audit, whichever web experiences share it. */
export function readWebExperienceRole(ctx: TargetContext, roleArn: string): Promise<RoleInventory> {
  return ctx.scope.roles.readRole(iamPrincipalOf(ctx), roleArn);
}
