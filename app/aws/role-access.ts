/**
 * How a role answers a request (GetDocumentContent by default) on a set of
 * resources: IAM's SimulatePrincipalPolicy first (it knows SCPs and boundaries
 * as AWS applies them), and our own evaluator over the policies the role
 * reader read when simulation is refused, which says so. Used by the audit
 * (every web experience role) and the role-patch fix (what the patch would
 * change, and its verification), so both judge a role the same way.
 */
import { SimulatePrincipalPolicyCommand, type EvaluationResult, type Statement } from "@aws-sdk/client-iam";
import type { AwsErrorInfo, MatchedStatement, ResourceDecision, RoleAccessEvaluation, RoleInventory } from "../audit/types";
import { DECISIONS } from "../audit/types";
import { evaluateRequest, matchesActionPattern, matchesResourcePattern, statementsOf, type EvaluationMode, type PolicySource } from "../policy/evaluate";
import type { PolicyDocument } from "../policy/types";
import { awsErrorInfo } from "./clients";
import type { IamPrincipal } from "./iam-role-reader";
import { GET_DOCUMENT_CONTENT } from "./vocabulary";

/** The role's policies as the evaluator takes them: inline and readable managed ones, and the boundary. */
export function policySourcesOf(role: RoleInventory): { inline: PolicySource[]; managed: PolicySource[]; boundary?: PolicySource } {
  const boundary = role.permissionsBoundary?.document;
  return {
    inline: role.inlinePolicies.map((p): PolicySource => ({ id: p.name, type: "inline", document: p.document })),
    managed: role.attachedPolicies.filter((p) => p.document).map((p): PolicySource => ({ id: p.arn, type: "managed", document: p.document! })),
    ...(boundary ? { boundary: { id: role.permissionsBoundary!.arn, type: "boundary", document: boundary } } : {}),
  };
}

/** What the role's policies could not be read of, in words (empty: all of them were). */
function unreadableParts(role: RoleInventory): string[] {
  return [
    role.policiesError ? `the role's policies (${role.policiesError.code})` : undefined,
    ...role.attachedPolicies.filter((p) => p.error).map((p) => `${p.arn} (${p.error!.code})`),
    role.permissionsBoundary?.error ? `boundary ${role.permissionsBoundary.arn} (${role.permissionsBoundary.error.code})` : undefined,
  ].filter((part): part is string => part !== undefined);
}

/** One request judged by our evaluator over these policies (the decision and what decided it). */
export function evaluatePolicies(
  policies: { identity: PolicySource[]; boundary?: PolicySource },
  resourceArn: string,
  options: { action?: string; mode: EvaluationMode },
): ResourceDecision {
  const e = evaluateRequest(
    { action: options.action ?? GET_DOCUMENT_CONTENT, resource: resourceArn },
    { identityPolicies: policies.identity, permissionsBoundary: policies.boundary, mode: options.mode },
  );
  return {
    resourceArn,
    decision: e.decision,
    matchedStatements: e.matchedStatements,
    ...(e.allowedByPermissionsBoundary !== undefined ? { allowedByPermissionsBoundary: e.allowedByPermissionsBoundary } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
  };
}

/** The audit's local reading of a role whose simulation was refused (`simulateError` says why). */
export function evaluateRoleAccessLocally(role: RoleInventory, resources: string[], simulateError: AwsErrorInfo): RoleAccessEvaluation {
  if (role.error || !role.exists) {
    return { method: "local", simulateError, resources: [], error: role.error ?? { code: "NoSuchEntity", message: `role ${role.roleArn} not found` } };
  }
  const { inline, managed, boundary } = policySourcesOf(role);
  const unreadable = unreadableParts(role);
  return {
    method: "local",
    simulateError,
    resources: resources.map((resourceArn) => {
      const decision = evaluatePolicies({ identity: [...inline, ...managed], boundary }, resourceArn, { mode: "local" });
      // A policy we could not read might deny: only an explicit deny already seen stands.
      if (unreadable.length && decision.decision !== "explicitDeny") {
        decision.decision = "unknown";
        decision.reason = `could not read ${unreadable.join(", ")}`;
      }
      return decision;
    }),
  };
}

/** IAM's simulator on the role for GetDocumentContent on these resources. Throws what AWS answered when it refuses. */
export async function simulateRoleAccess(principal: IamPrincipal, role: RoleInventory, resources: string[]): Promise<RoleAccessEvaluation> {
  const results: EvaluationResult[] = [];
  let marker: string | undefined;
  do {
    const page = await principal.call("iam:SimulatePrincipalPolicy", (iam) =>
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: role.iamArn ?? role.roleArn,
          ActionNames: [GET_DOCUMENT_CONTENT],
          ResourceArns: resources,
          Marker: marker,
        }),
      ),
    );
    results.push(...(page.EvaluationResults ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return {
    method: "simulate",
    resources: resources.map((arn) => {
      const result = results.find((r) => r.EvalResourceName === arn) ?? (resources.length === 1 ? results[0] : undefined);
      return result
        ? simulatedDecision(arn, result, role)
        : { resourceArn: arn, decision: "unknown", matchedStatements: [], reason: "not in the simulator's answer" };
    }),
  };
}

/** Simulation first; the local reading when simulation fails (typically AccessDenied), saying so. */
export function evaluateRoleAccess(principal: IamPrincipal, role: RoleInventory, resources: string[]): Promise<RoleAccessEvaluation> {
  return simulateRoleAccess(principal, role, resources).catch((e) =>
    evaluateRoleAccessLocally(role, resources, awsErrorInfo(e, "iam:SimulatePrincipalPolicy")),
  );
}

/** Map one simulator result to the audit's shape, naming the statements it matched from the role's own documents. */
function simulatedDecision(resourceArn: string, result: EvaluationResult, role: RoleInventory): ResourceDecision {
  const decision = DECISIONS.find((d) => d !== "unknown" && d === result.EvalDecision) ?? "unknown";
  const boundaryDetail = result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
  return {
    resourceArn,
    decision,
    matchedStatements: (result.MatchedStatements ?? []).flatMap((s) => matchedStatements(s, role, resourceArn, decision)),
    ...(boundaryDetail !== undefined ? { allowedByPermissionsBoundary: boundaryDetail } : {}),
  };
}

function policyTypeOf(s: Statement, role: RoleInventory): MatchedStatement["policyType"] {
  if (role.permissionsBoundary?.arn === (s.SourcePolicyId ?? "")) return "boundary";
  if (s.SourcePolicyType === "role") return "inline";
  if (s.SourcePolicyType === "aws-managed" || s.SourcePolicyType === "user-managed") return "managed";
  return "other";
}

function documentOf(id: string, policyType: MatchedStatement["policyType"], role: RoleInventory): PolicyDocument | undefined {
  if (policyType === "inline") return role.inlinePolicies.find((p) => p.name === id)?.document;
  if (policyType === "boundary") return role.permissionsBoundary?.document;
  return role.attachedPolicies.find((p) => p.arn === id || p.name === id)?.document;
}

function matchedStatements(s: Statement, role: RoleInventory, resourceArn: string, decision: string): MatchedStatement[] {
  const id = s.SourcePolicyId ?? "";
  const policyType = policyTypeOf(s, role);
  const document = documentOf(id, policyType, role);
  const effect = decision === "explicitDeny" ? "Deny" : "Allow";
  // The simulator names the policy, not the statement: find the statements of that effect covering the request.
  const statements = document
    ? statementsOf(document).filter(
        (st) =>
          st.Effect === effect &&
          [st.Action ?? []].flat().some((a) => matchesActionPattern(a, GET_DOCUMENT_CONTENT)) &&
          [st.Resource ?? []].flat().some((r) => matchesResourcePattern(r, resourceArn)),
      )
    : [];
  if (statements.length === 0) return [{ policy: id, policyType }];
  return statements.map((st) => ({ policy: id, policyType, sid: st.Sid, effect: st.Effect, statement: st }));
}
