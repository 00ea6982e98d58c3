/**
 * webexperience-role-trust: an Identity Center application's web experience
 * role must trust the service principal application.qbusiness.amazonaws.com
 * for sts:AssumeRole and sts:SetContext, or Q Business cannot act as the user.
 *
 * Read from the role's trust policy. The conditions AWS documents for this
 * trust (aws:SourceAccount, aws:SourceArn) are checked against this
 * application: a role that trusts another application does not serve this
 * one. Any other condition key makes the verdict `unknown`, never `pass`.
 * IAM federation roles trust a SAML provider instead and are not judged here.
 */
import { ROLE_PERMISSION_ERROR_SHORT, WEB_EXPERIENCE_TRUST_ACTIONS } from "../../aws/vocabulary";
import type { PolicyStatement } from "../../policy/types";
import { matchesActionPattern, matchesResourcePattern, statementsOf } from "../../policy/evaluate";
import type { ApplicationInventory, Check, CheckMetadata, Finding } from "../types";
import { finding, readableWebExperienceRoles, roleResource } from "./common";

export const SERVICE_PRINCIPAL = "application.qbusiness.amazonaws.com";
export const TRUST_ACTIONS: readonly string[] = WEB_EXPERIENCE_TRUST_ACTIONS;

export const metadata: CheckMetadata = {
  id: "webexperience-role-trust",
  severity: "medium",
  resourceType: "role",
  title: "Web experience role trusts Amazon Q Business",
  meaning:
    "The Identity Center application's web experience role does not trust application.qbusiness.amazonaws.com for sts:AssumeRole " +
    "and sts:SetContext (for this application).",
  whyItMatters:
    "Q Business cannot take the role on the user's behalf, so the web experience cannot call GetDocumentContent (or chat) for them: " +
    `users see "${ROLE_PERMISSION_ERROR_SHORT}"`,
  howToFix:
    'Edit the role\'s trust policy: Allow Principal {"Service": "application.qbusiness.amazonaws.com"} the actions sts:AssumeRole ' +
    "and sts:SetContext, with conditions aws:SourceAccount = the account and aws:SourceArn = the application ARN.",
  remediation: null,
  manualFix: {
    steps: [
      "Open the role's Trust relationships (link below) and choose Edit trust policy.",
      'Add (or extend) a statement: Effect Allow, Principal {"Service": "application.qbusiness.amazonaws.com"}, Action ["sts:AssumeRole", "sts:SetContext"], with conditions aws:SourceAccount = the account and aws:SourceArn = the application ARN.',
      "Save, then scan again.",
    ],
    console: ["role-trust"],
  },
  permissions: ["iam:GetRole"],
};

type Verdict = "trusted" | "not-trusted" | "unknown";

interface StatementReading {
  index: number;
  sid: string | null;
  effect: string;
  /** Why the statement does or does not apply (conditions, principal). */
  note: string;
  applies: "yes" | "no" | "maybe";
}

const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function principalIsService(principal: unknown): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null) return false;
  const p = principal as Record<string, unknown>;
  return asList(p.Service).some((s) => s.toLowerCase() === SERVICE_PRINCIPAL) || asList(p.AWS).includes("*");
}

function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) return asList(statement.Action).some((a) => matchesActionPattern(a, action));
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((a) => matchesActionPattern(a, action));
  return false;
}

function statementCoversPrincipal(statement: PolicyStatement): boolean {
  if (statement.Principal !== undefined) return principalIsService(statement.Principal);
  // NotPrincipal: every principal but those listed.
  if (statement.NotPrincipal !== undefined) return !principalIsService(statement.NotPrincipal);
  return false;
}

/** Whether the statement's conditions hold for a request from this application's service principal. */
function conditionsHold(statement: PolicyStatement, app: ApplicationInventory): { applies: "yes" | "no" | "maybe"; note: string } {
  const notes: string[] = [];
  let applies: "yes" | "no" | "maybe" = "yes";
  for (const [rawOperator, block] of Object.entries(statement.Condition ?? {})) {
    const operator = rawOperator.replace(/IfExists$/, "");
    for (const [rawKey, rawValues] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      const values = asList(rawValues);
      let actual: string | undefined;
      if (key === "aws:sourceaccount") actual = app.accountId;
      else if (key === "aws:sourcearn") actual = app.applicationArn;
      const known = actual !== undefined && ["StringEquals", "StringLike", "ArnEquals", "ArnLike"].includes(operator);
      if (!known) {
        notes.push(`condition ${rawOperator} ${rawKey} not evaluated`);
        if (applies === "yes") applies = "maybe";
        continue;
      }
      const like = operator.endsWith("Like");
      const match = values.some((v) => (like ? matchesResourcePattern(v, actual!) : v === actual));
      if (!match) {
        notes.push(`condition ${rawKey} is ${values.join(" or ")}, not ${actual}`);
        applies = "no";
      }
    }
  }
  return { applies, note: notes.join("; ") };
}

/** Reads the trust policy for one action: is the Q Business service principal allowed it for this application? */
export function trustFor(statements: PolicyStatement[], action: string, app: ApplicationInventory): { verdict: Verdict; statements: StatementReading[] } {
  const readings: StatementReading[] = [];
  statements.forEach((statement, index) => {
    if (!statementCoversPrincipal(statement) || !statementCoversAction(statement, action)) return;
    const { applies, note } = conditionsHold(statement, app);
    readings.push({ index, sid: statement.Sid ?? null, effect: statement.Effect, note, applies });
  });
  const deny = readings.filter((r) => r.effect === "Deny");
  const allow = readings.filter((r) => r.effect === "Allow");
  let verdict: Verdict;
  if (deny.some((r) => r.applies === "yes")) verdict = "not-trusted";
  else if (allow.some((r) => r.applies === "yes")) verdict = deny.some((r) => r.applies === "maybe") ? "unknown" : "trusted";
  else if (allow.some((r) => r.applies === "maybe")) verdict = "unknown";
  else verdict = "not-trusted";
  return { verdict, statements: readings };
}

export const check: Check = {
  metadata,
  run({ inventory }) {
    const findings: Finding[] = [];
    for (const { app, we, roleArn, role } of readableWebExperienceRoles(inventory)) {
      if (app.identityType !== "AWS_IAM_IDC") continue;
      const resource = roleResource(app, we, roleArn);
      if (!role.trustPolicy) {
        findings.push(finding(metadata, "unknown", resource, `The trust policy of role ${role.roleName} could not be read.`, { trustPolicy: null }));
        continue;
      }
      const statements = statementsOf(role.trustPolicy);
      const perAction = TRUST_ACTIONS.map((action) => ({ action, ...trustFor(statements, action, app) }));
      const evidence = { servicePrincipal: SERVICE_PRINCIPAL, applicationArn: app.applicationArn, actions: perAction, trustPolicy: role.trustPolicy };
      const missing = perAction.filter((a) => a.verdict === "not-trusted").map((a) => a.action);
      const unsure = perAction.filter((a) => a.verdict === "unknown").map((a) => a.action);
      if (missing.length > 0) {
        findings.push(
          finding(
            metadata,
            "fail",
            resource,
            `Role ${role.roleName} does not trust ${SERVICE_PRINCIPAL} for ${missing.join(" and ")} (for this application).`,
            evidence,
          ),
        );
      } else if (unsure.length > 0) {
        findings.push(
          finding(
            metadata,
            "unknown",
            resource,
            `Trust of ${SERVICE_PRINCIPAL} for ${unsure.join(" and ")} depends on conditions the audit cannot evaluate.`,
            evidence,
          ),
        );
      } else {
        findings.push(
          finding(metadata, "pass", resource, `Role ${role.roleName} trusts ${SERVICE_PRINCIPAL} for sts:AssumeRole and sts:SetContext.`, evidence),
        );
      }
    }
    return findings;
  },
};
