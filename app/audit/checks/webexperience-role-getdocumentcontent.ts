/**
 * webexperience-role-getdocumentcontent: the web experience role must be
 * allowed qbusiness:GetDocumentContent on the application ARN and on every
 * index (`{applicationArn}/index/{indexId}`). The collector asks AWS
 * (iam:SimulatePrincipalPolicy) and falls back to reading the policies
 * locally; this module judges the per-resource decisions it recorded.
 *
 * Choices:
 * - An explicit deny on any resource: no finding here. The explicit-deny check
 *   fails for it; a second `fail` would count one problem twice, and `pass` or
 *   `unknown` would be untrue. Once the deny is removed, this check judges the rest.
 * - The role's policies allow but its permissions boundary does not: `fail`
 *   with no remediation (patching the role's policies cannot help).
 * - A service-linked role: `fail` with no remediation (IAM refuses changes).
 * - A decision the local reading could not reach (e.g. a Condition): `unknown`.
 */
import { GET_DOCUMENT_CONTENT, ROLE_PERMISSION_ERROR, ROLE_POLICY_READ_PERMISSIONS } from "../../aws/vocabulary";
import type {
  ApplicationInventory,
  Check,
  CheckMetadata,
  Finding,
  FindingResource,
  Inventory,
  ResourceDecision,
  RoleAccessEvaluation,
  RoleInventory,
} from "../types";
import { describeError, describeResourceArn, errorEvidence, finding, listInWords, readableWebExperienceRoles, roleResource } from "./common";

/** The action the role checks judge (the vocabulary's GET_DOCUMENT_CONTENT). */
export const ACTION = GET_DOCUMENT_CONTENT;

export const metadata: CheckMetadata = {
  id: "webexperience-role-getdocumentcontent",
  severity: "critical",
  resourceType: "role",
  title: `Web experience role allows ${GET_DOCUMENT_CONTENT}`,
  meaning: "The web experience role is not allowed qbusiness:GetDocumentContent on both the application ARN and its index ARNs (…/index/*).",
  whyItMatters: `Users see: "${ROLE_PERMISSION_ERROR}"`,
  howToFix:
    "Add to the role an Allow of qbusiness:GetDocumentContent on arn:aws:qbusiness:{region}:{account}:application/{applicationId} and " +
    "…/application/{applicationId}/index/*. The fix action adds it as an inline policy. If a permissions boundary blocks it, the " +
    "boundary must allow the action too.",
  remediation: "patch-role-policy",
  manualFix: {
    steps: [
      "Open the role (link below). If a permissions boundary is set, open it too: the boundary must also allow qbusiness:GetDocumentContent, and no role policy can widen it.",
      "Edit the boundary policy (or ask whoever owns it) to allow qbusiness:GetDocumentContent on arn:aws:qbusiness:{region}:{account}:application/{applicationId} and …/application/{applicationId}/index/*, or remove the boundary if your organisation allows it.",
      "A service-linked role cannot be edited: give the web experience a role you manage instead.",
      "Make sure the role's own policies allow the same action and resources (the role patch does this once nothing blocks it), then scan again.",
    ],
    console: ["role-boundary", "role"],
  },
  permissions: ["iam:SimulatePrincipalPolicy", ...ROLE_POLICY_READ_PERMISSIONS],
};

/** The per-resource decisions as evidence: decision, matched statements with their policies. */
export function decisionsEvidence(access: RoleAccessEvaluation) {
  return access.resources.map((r) => ({
    resourceArn: r.resourceArn,
    decision: r.decision,
    allowedByPermissionsBoundary: r.allowedByPermissionsBoundary ?? null,
    reason: r.reason ?? null,
    matchedStatements: r.matchedStatements.map((s) => ({
      policy: s.policy,
      policyType: s.policyType,
      sid: s.sid ?? null,
      effect: s.effect ?? null,
      statement: s.statement ?? null,
    })),
  }));
}

export function accessEvidence(access: RoleAccessEvaluation, permissionsBoundaryArn: string | undefined): Record<string, unknown> {
  return {
    action: ACTION,
    method: access.method,
    ...(access.simulateError ? { simulateError: errorEvidence(access.simulateError) } : {}),
    permissionsBoundaryArn: permissionsBoundaryArn ?? null,
    decisions: decisionsEvidence(access),
  };
}

/** A web experience role whose access to GetDocumentContent was evaluated and can be judged. */
export interface JudgeableRoleAccess {
  app: ApplicationInventory;
  role: RoleInventory;
  resource: FindingResource;
  access: RoleAccessEvaluation;
  evidence: Record<string, unknown>;
}

/**
 * Each readable web experience role's access and its evidence when it can be
 * judged; otherwise the `unknown` finding of `check` for an access never
 * evaluated or whose evaluation failed. Both role checks start from it.
 */
export function judgeableRoleAccesses(check: CheckMetadata, inventory: Inventory): (JudgeableRoleAccess | { unknown: Finding })[] {
  return readableWebExperienceRoles(inventory).map(({ app, we, roleArn, role }) => {
    const resource = roleResource(app, we, roleArn);
    const access = we.access;
    if (!access) {
      return { unknown: finding(check, "unknown", resource, `The role's access to ${ACTION} was not evaluated.`, { action: ACTION }) };
    }
    const evidence = accessEvidence(access, role.permissionsBoundary?.arn);
    if (access.error) {
      return {
        unknown: finding(check, "unknown", resource, `The role's policies could not be evaluated: ${describeError(access.error)}`, {
          ...evidence,
          error: errorEvidence(access.error),
        }),
      };
    }
    return { app, role, resource, access, evidence };
  });
}

/** The distinct reasons given for undecided resources, as a message tail (": a; b"), or "" when none was given. */
export function reasonsSuffix(undecided: ResourceDecision[]): string {
  const reasons = [...new Set(undecided.map((r) => r.reason).filter((r): r is string => Boolean(r)))];
  return reasons.length ? `: ${reasons.join("; ")}` : "";
}

const blockedByBoundary = (r: ResourceDecision) => r.decision !== "allowed" && r.allowedByPermissionsBoundary === false;

export const check: Check = {
  metadata,
  run({ inventory }) {
    const findings: Finding[] = [];
    for (const judgeable of judgeableRoleAccesses(metadata, inventory)) {
      if ("unknown" in judgeable) {
        findings.push(judgeable.unknown);
        continue;
      }
      const { app, role, resource, access, evidence } = judgeable;
      const methodNote = access.method === "local" ? " (read locally: simulation was not allowed)" : "";
      if (access.resources.length === 0) {
        findings.push(finding(metadata, "unknown", resource, "No resource was evaluated for the role.", evidence));
        continue;
      }
      if (access.resources.some((r) => r.decision === "explicitDeny")) continue; // webexperience-role-explicit-deny owns it

      const describe = (rs: ResourceDecision[]) => listInWords(rs.map((r) => describeResourceArn(app, r.resourceArn)));
      const boundary = access.resources.filter(blockedByBoundary);
      const notAllowed = access.resources.filter((r) => r.decision === "implicitDeny" && !blockedByBoundary(r));
      const undecided = access.resources.filter((r) => r.decision === "unknown");

      if (boundary.length > 0) {
        const also = notAllowed.length > 0 ? ` The role's own policies do not allow it on ${describe(notAllowed)} either.` : "";
        findings.push(
          finding(
            metadata,
            "fail",
            resource,
            `The permissions boundary blocks ${ACTION} on ${describe(boundary)}${methodNote}: a patch of the role's policies cannot help.${also}`,
            { ...evidence, permissionsBoundaryBlocks: true },
            { offerRemediation: false },
          ),
        );
      } else if (notAllowed.length > 0) {
        const serviceLinked = role.serviceLinked === true;
        findings.push(
          finding(
            metadata,
            "fail",
            resource,
            `Role ${role.roleName} is not allowed ${ACTION} on ${describe(notAllowed)}${methodNote}.` +
              (serviceLinked ? " It is a service-linked role, which IAM does not let anyone change." : ""),
            { ...evidence, serviceLinked },
            { offerRemediation: !serviceLinked },
          ),
        );
      } else if (undecided.length > 0) {
        findings.push(
          finding(metadata, "unknown", resource, `Cannot confirm ${ACTION} on ${describe(undecided)}${methodNote}${reasonsSuffix(undecided)}.`, evidence),
        );
      } else {
        const indexCount = access.resources.length - 1;
        findings.push(
          finding(
            metadata,
            "pass",
            resource,
            `Role ${role.roleName} is allowed ${ACTION} on the application` +
              (indexCount === 0 ? "" : indexCount === 1 ? " and its index" : ` and its ${indexCount} indices`) +
              `${access.method === "simulate" ? " (simulated by IAM)" : methodNote}.`,
            evidence,
          ),
        );
      }
    }
    return findings;
  },
};
