/**
 * The IAM policy document as the product reads it (role policies, trust
 * policies, boundaries, the statement a role patch writes). The product's own
 * type: the local AWS has its own copy in its fixture types, because it plays
 * AWS and the fixture format is an external contract; the two are the same
 * JSON shape, so documents pass between them unchanged.
 */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export const POLICY_EFFECTS = ["Allow", "Deny"] as const;
export type PolicyEffect = (typeof POLICY_EFFECTS)[number];

export interface PolicyStatement {
  Sid?: string;
  Effect: PolicyEffect;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}
