/**
 * webexperience-role-missing: an Identity Center application's web experience
 * acts through its IAM role; without one (or with a role that no longer
 * exists) nothing can call GetDocumentContent for its users.
 *
 * IAM federation applications (SAML, OIDC) often have no web experience role:
 * their users act through the role their identity provider assigns, which the
 * audit cannot see. That is `unknown` (its GetDocumentContent permission is
 * unverified), never `pass`. Anonymous applications are left out: they are
 * unsupported whatever the role says.
 */
import { ROLE_PERMISSION_ERROR } from "../../aws/vocabulary";
import type { Check, CheckMetadata, Finding } from "../types";
import { applicationErrorHides, applicationResource, describeError, errorEvidence, finding, webExperienceResource } from "./common";

export const metadata: CheckMetadata = {
  id: "webexperience-role-missing",
  severity: "critical",
  resourceType: "web-experience",
  title: "Web experience has an existing IAM role",
  meaning: "The web experience of an Identity Center application has no IAM role, or names a role that does not exist.",
  whyItMatters: `Users see: "${ROLE_PERMISSION_ERROR}"`,
  howToFix:
    "Create the web experience role (trusting application.qbusiness.amazonaws.com for sts:AssumeRole and sts:SetContext, with " +
    "qbusiness:GetDocumentContent on the application and index ARNs) and set it on the web experience (UpdateWebExperience roleArn).",
  remediation: null,
  manualFix: {
    steps: [
      "In IAM, create a role that trusts application.qbusiness.amazonaws.com for sts:AssumeRole and sts:SetContext (conditions aws:SourceAccount = the account, aws:SourceArn = the application ARN).",
      "Give it an Allow of qbusiness:GetDocumentContent (and the chat actions the web experience needs) on the application ARN and …/index/*.",
      "In the Amazon Q Business console, open the web experience settings (link below), choose Edit and select this role as its service role (UpdateWebExperience roleArn).",
      "Scan again.",
    ],
    console: ["web-experience", "role"],
  },
  permissions: ["qbusiness:ListWebExperiences", "qbusiness:GetWebExperience", "iam:GetRole"],
};

export const check: Check = {
  metadata,
  run({ inventory }) {
    const findings: Finding[] = [];
    for (const app of inventory.applications) {
      if (app.identityType === "ANONYMOUS") continue;
      if (applicationErrorHides(app, "webExperiences") && app.webExperiences.length === 0) {
        const resource = { ...applicationResource(app), type: "web-experience" as const, name: "web experiences" };
        findings.push(
          finding(metadata, "unknown", resource, `Web experiences could not be listed: ${describeError(app.error!)}`, {
            error: errorEvidence(app.error!),
          }),
        );
        continue;
      }
      for (const we of app.webExperiences) {
        const resource = webExperienceResource(app, we);
        const evidence: Record<string, unknown> = {
          identityType: app.identityType ?? null,
          roleArn: we.roleArn ?? null,
          roleArnSource: we.roleArnSource ?? null,
        };
        if (we.error) {
          findings.push(
            finding(metadata, "unknown", resource, `Web experience could not be read: ${describeError(we.error)}`, {
              ...evidence,
              error: errorEvidence(we.error),
            }),
          );
          continue;
        }
        if (!we.roleArn) {
          if (app.identityType === "AWS_IAM_IDC") {
            findings.push(finding(metadata, "fail", resource, "The web experience has no IAM role.", evidence));
          } else {
            findings.push(
              finding(
                metadata,
                "unknown",
                resource,
                "No web experience role: users act through the role their identity provider assigns, which the audit cannot " +
                  "see; check that it allows qbusiness:GetDocumentContent on the application and index ARNs.",
                evidence,
              ),
            );
          }
          continue;
        }
        const role = inventory.roles[we.roleArn];
        if (!role) {
          findings.push(finding(metadata, "unknown", resource, `Role ${we.roleArn} was not read.`, evidence));
        } else if (role.error) {
          findings.push(
            finding(metadata, "unknown", resource, `Role could not be read: ${describeError(role.error)}`, {
              ...evidence,
              error: errorEvidence(role.error),
            }),
          );
        } else if (!role.exists) {
          findings.push(
            finding(metadata, "fail", resource, `The web experience names role ${role.roleName}, which does not exist.`, { ...evidence, roleExists: false }),
          );
        } else {
          findings.push(finding(metadata, "pass", resource, `Role ${role.roleName} exists.`, { ...evidence, roleExists: true }));
        }
      }
    }
    return findings;
  },
};
