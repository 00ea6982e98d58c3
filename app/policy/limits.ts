/**
 * IAM's size quotas on policies, as IAM counts them: characters of the
 * policy JSON with whitespace not counted. Shared by the local IAM (which
 * enforces them) and the role-patch planner (which must stay under them).
 */

/** All inline policies of one role together. */
export const ROLE_INLINE_POLICIES_QUOTA = 10_240;
/** One managed policy. */
export const MANAGED_POLICY_QUOTA = 6_144;

/** A policy's size as IAM counts it toward its quotas: its JSON text without whitespace. */
export function policySize(policy: string | object): number {
  const text = typeof policy === "string" ? policy : JSON.stringify(policy);
  return text.replace(/\s/g, "").length;
}
