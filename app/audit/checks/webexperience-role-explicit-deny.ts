/**
 * webexperience-role-explicit-deny: a Deny statement matching
 * qbusiness:GetDocumentContent on the application or an index. No Allow can
 * override it, so the role-policy patch is not offered: the admin must remove
 * or narrow the statement, which the finding shows with its policy.
 */
import { ROLE_PERMISSION_ERROR_SHORT, ROLE_POLICY_READ_PERMISSIONS } from "../../aws/vocabulary";
import type { Check, CheckMetadata, Finding, MatchedStatement } from "../types";
import { describeResourceArn, finding, listInWords } from "./common";
import { ACTION, judgeableRoleAccesses, reasonsSuffix } from "./webexperience-role-getdocumentcontent";

export const metadata: CheckMetadata = {
  id: "webexperience-role-explicit-deny",
  severity: "critical",
  resourceType: "role",
  title: "No statement denies qbusiness:GetDocumentContent to the web experience role",
  meaning:
    "A statement in the role's policies, its permissions boundary or an organisation policy explicitly denies " +
    "qbusiness:GetDocumentContent on the application or an index.",
  whyItMatters: `An explicit Deny wins over any Allow, so users keep seeing "${ROLE_PERMISSION_ERROR_SHORT}" even after the role is granted the permission.`,
  howToFix:
    "Remove the Deny statement shown, or narrow it so it no longer matches qbusiness:GetDocumentContent on these resources. " +
    "Adding an Allow cannot help, so no automatic fix is offered.",
  remediation: null,
  manualFix: {
    steps: [
      "Open the policy that holds the Deny statement (link below): a managed policy, the role's inline policy, its permissions boundary, or an organisation SCP.",
      "Remove the statement, or narrow it (its Resource, or a Condition) so it no longer matches qbusiness:GetDocumentContent on this application and its indices. A policy attached to other roles changes for them too: check them first.",
      "For a service control policy, ask the organisation's administrators: it is edited in AWS Organizations in the management account.",
      "Scan again; if the role's own policies do not allow the action either, the role patch is then offered.",
    ],
    console: ["role-policy", "role"],
  },
  permissions: ["iam:SimulatePrincipalPolicy", ...ROLE_POLICY_READ_PERMISSIONS],
};

// The simulator names the policy of a denying statement but may not say which statement: for an explicit deny, anything not marked Allow is the Deny.
const isDeny = (s: MatchedStatement) => s.effect !== "Allow";

function statementLabel(s: MatchedStatement): string {
  return `${s.sid ? `statement ${s.sid}` : "a statement"} of ${s.policyType === "inline" ? "inline policy" : s.policyType === "boundary" ? "permissions boundary" : "policy"} ${s.policy}`;
}

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
      const denied = access.resources.filter((r) => r.decision === "explicitDeny");
      if (denied.length > 0) {
        const statements = denied.flatMap((r) => r.matchedStatements.filter(isDeny));
        const unique = [...new Map(statements.map((s) => [`${s.policy}|${s.sid ?? JSON.stringify(s.statement)}`, s])).values()];
        const where = listInWords(denied.map((r) => describeResourceArn(app, r.resourceArn)));
        const by = unique.length ? ` by ${listInWords(unique.map(statementLabel))}` : "";
        findings.push(
          finding(metadata, "fail", resource, `${ACTION} on ${where} is explicitly denied${by}.`, {
            ...evidence,
            denyStatements: unique,
          }),
        );
        continue;
      }
      // An undecided resource may still hide a Deny: a conditional Deny the local reading matched, a
      // policy it could not read, or a simulator answer that left the resource out.
      const unreadable = Boolean(role.policiesError || role.attachedPolicies.some((p) => p.error) || role.permissionsBoundary?.error);
      const maybeDenied = access.resources.filter(
        (r) => r.decision === "unknown" && (access.method !== "local" || unreadable || r.matchedStatements.some(isDeny)),
      );
      if (maybeDenied.length > 0) {
        const where = listInWords(maybeDenied.map((r) => describeResourceArn(app, r.resourceArn)));
        findings.push(finding(metadata, "unknown", resource, `Cannot rule out a Deny of ${ACTION} on ${where}${reasonsSuffix(maybeDenied)}.`, evidence));
        continue;
      }
      findings.push(finding(metadata, "pass", resource, `No statement denies ${ACTION} to role ${role.roleName}.`, evidence));
    }
    return findings;
  },
};
