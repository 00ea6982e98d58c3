/**
 * application-identity-unsupported: clickable URLs need IAM Identity Center or
 * IAM federation. An anonymous application cannot have them (fail, and its
 * readiness is "unsupported"); QuickSight identity is undocumented for the
 * feature (unknown).
 */
import type { Check, CheckMetadata, Finding } from "../types";
import { applicationResource, errorEvidence, finding } from "./common";

const SUPPORTED = ["AWS_IAM_IDC", "AWS_IAM_IDP_SAML", "AWS_IAM_IDP_OIDC"];

export const metadata: CheckMetadata = {
  id: "application-identity-unsupported",
  severity: "high",
  resourceType: "application",
  title: "Application identity type supports clickable URLs",
  meaning: "The application's identity type rules out source document downloads: anonymous applications cannot offer them.",
  whyItMatters:
    "GetDocumentContent checks each user's document access, so it needs identity-aware users (IAM Identity Center or IAM federation). " +
    "Users of an anonymous application never get clickable source URLs, whatever the data sources and roles say.",
  howToFix:
    "No in-place fix: the identity type is fixed when the application is created. Create an application with IAM Identity Center " +
    "or IAM federation and move the data sources to it, or accept that this application has no document downloads.",
  remediation: null,
  manualFix: {
    steps: [
      "In the Amazon Q Business console, note the application's data sources, index and web experience settings (link below).",
      "Create a new application with IAM Identity Center (or IAM federation) as its identity type: the identity type cannot be changed in place.",
      "Recreate the index and data sources in the new application, run a full sync of each, and create its web experience with a role that allows qbusiness:GetDocumentContent.",
      "Move your users to the new web experience, then delete the anonymous application once nobody uses it.",
      "Or accept that users of this application cannot open source documents, and say so to them.",
    ],
    console: ["application"],
  },
  permissions: ["qbusiness:ListApplications", "qbusiness:GetApplication"],
};

export const check: Check = {
  metadata,
  run({ inventory }) {
    const findings: Finding[] = [];
    for (const app of inventory.applications) {
      const identityType = app.identityType;
      const evidence: Record<string, unknown> = { identityType: identityType ?? null };
      const resource = applicationResource(app);
      if (identityType === "ANONYMOUS") {
        findings.push(finding(metadata, "fail", resource, "Anonymous application: clickable source URLs are not available to its users.", evidence));
      } else if (identityType === "AWS_QUICKSIGHT_IDP") {
        findings.push(
          finding(metadata, "unknown", resource, "QuickSight identity: AWS does not document whether clickable source URLs work for it.", evidence),
        );
      } else if (identityType && SUPPORTED.includes(identityType)) {
        findings.push(finding(metadata, "pass", resource, `Identity type ${identityType} supports clickable source URLs.`, evidence));
      } else {
        if (app.error) evidence.error = errorEvidence(app.error);
        const why = identityType ? `unrecognised identity type ${identityType}` : "identity type could not be read";
        findings.push(finding(metadata, "unknown", resource, `Cannot tell whether clickable URLs are supported: ${why}.`, evidence));
      }
    }
    return findings;
  },
};
