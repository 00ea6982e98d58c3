/** Reading ARNs (pure: no SDK). */

/** The role's name from its ARN (after the last "/", past any path) or a bare name. */
export function roleNameOf(roleArnOrName: string): string {
  return roleArnOrName.slice(roleArnOrName.lastIndexOf("/") + 1);
}

/** The account of an ARN (its fifth field); "" when it has none. */
export function accountOfArn(arn: string): string {
  return arn.split(":")[4] ?? "";
}

/** The ARN of a role named in an account, when the caller gave only its name. */
export function roleArnOf(accountId: string, roleArnOrName: string): string {
  return roleArnOrName.startsWith("arn:") ? roleArnOrName : `arn:aws:iam::${accountId}:role/${roleNameOf(roleArnOrName)}`;
}
