/**
 * scan-target-unreadable: an account and region the audit could not read.
 * Its applications are not in the inventory at all, so this finding is the
 * only trace of them: it fails, and nothing beneath it can be judged.
 */
import { FULL_SYNC_REQUIRED_ERROR_SHORT } from "../../aws/vocabulary";
import type { Check, CheckMetadata, TargetResult } from "../types";
import { describeError, errorEvidence, finding, targetResource } from "./common";

export const metadata: CheckMetadata = {
  id: "scan-target-unreadable",
  severity: "high",
  resourceType: "target",
  title: "Account and region could be read",
  meaning:
    "The audit could not read this account and region (access denied, throttled past retries, network, wrong credentials): " +
    "every verdict for its applications is unknown.",
  whyItMatters:
    "Applications the audit cannot see may have any of the problems behind the errors users report, such as " + `"${FULL_SYNC_REQUIRED_ERROR_SHORT}"`,
  howToFix:
    "Give the audit principal (or the target's audit role) the read permissions listed for the checks, make the role assumable " +
    "(trust policy, external id), and run the audit again.",
  remediation: null,
  manualFix: {
    steps: [
      "In the account named, deploy the audit role (docs/deploy/roles: CloudFormation, StackSet or Terraform) or grant the audit principal the read-only policy of the checks catalogue.",
      "Make the role assumable by the principal that runs the audit (its trust policy, the external id if one is configured).",
      "Run the audit again: the target's applications are then judged.",
    ],
    console: [],
  },
  permissions: ["sts:GetCallerIdentity", "sts:AssumeRole", "qbusiness:ListApplications"],
};

export const check: Check = {
  metadata,
  run({ inventory }) {
    return inventory.targets.map((target) => {
      const resource = targetResource(target);
      if (target.status === "ok") {
        return finding(metadata, "pass", resource, `Read ${target.accountId} in ${target.region}.`, { status: "ok" });
      }
      const error = target.error ?? { code: "Unknown", message: "the collector recorded no error detail" };
      return finding(metadata, "fail", resource, `Could not read ${target.accountId} in ${target.region}: ${describeError(error)}${whatToDeploy(target)}`, {
        status: "error",
        error: errorEvidence(error),
        ...(target.roleArn ? { roleArn: target.roleArn } : {}),
      });
    });
  },
};

/**
 * For a target whose audit role could not be assumed (missing, or its trust
 * refuses the auditing principal): what to deploy, in words.
 */
export function whatToDeploy(target: TargetResult): string {
  if (!target.roleArn || target.error?.operation !== "sts:AssumeRole") return "";
  const roleName = target.roleArn.slice(target.roleArn.lastIndexOf("/") + 1);
  const externalId = target.usesExternalId ? " and requiring the same external id" : "";
  return (
    `. Deploy the ${roleName} role in account ${target.accountId} (docs/deploy/roles: CloudFormation template, StackSet or Terraform module), ` +
    `trusting the auditing account${externalId}, then audit again.`
  );
}
