/**
 * The two IAM roles a member account deploys, as code, generated from the
 * permissions the product declares (`npm run docs` writes them under
 * docs/deploy/roles; a test keeps the committed files equal):
 *
 * - QbizReadinessAudit: read-only, exactly the checks' permissions plus what
 *   Organizations discovery needs (the hub account runs discovery).
 * - QbizReadinessFix: exactly the fix actions' permissions (FIX_PERMISSIONS),
 *   role policy writes limited to the web experience roles' name pattern and
 *   never the product's own roles or service-linked ones.
 *
 * Both trust one hub principal and require an external id. Delivered as a
 * CloudFormation template for one account, a service-managed StackSet
 * template (auto-deploy to an organisation's OUs) and a Terraform module.
 */
import { checkMetadata } from "../audit/checks";
import { ORGANIZATION_DISCOVERY_PERMISSIONS } from "../audit/organization";
import { DEFAULT_FIX_ROLE_NAME } from "../audit/targets";
import { FIX_PERMISSIONS } from "../fixes/permissions";

export const AUDIT_ROLE_NAME = "QbizReadinessAudit";
export const FIX_ROLE_NAME = DEFAULT_FIX_ROLE_NAME;

/** Stands in a policy for the name pattern of the roles the fix role may patch (each format fills it its way). */
export const WEB_ROLE_PATTERN = "{WebExperienceRoleNamePattern}";

interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
export interface Policy {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** How an action is scoped when the product's own use allows better than Resource "*". */
interface Scope {
  sid: string;
  actions: readonly string[];
  resource: string | string[];
  condition?: Statement["Condition"];
}

/** Actions grouped by scope; those no scope names land in one statement on "*". */
function statementsFor(actions: readonly string[], scopes: Scope[], rest: string): Statement[] {
  const all = [...new Set(actions)].sort();
  const placed = new Set<string>();
  const scoped = scopes.flatMap((scope): Statement[] => {
    const mine = all.filter((a) => scope.actions.includes(a));
    mine.forEach((a) => placed.add(a));
    if (mine.length === 0) return [];
    return [{ Sid: scope.sid, Effect: "Allow", Action: mine, Resource: scope.resource, ...(scope.condition ? { Condition: scope.condition } : {}) }];
  });
  const others = all.filter((a) => !placed.has(a));
  return [...(others.length ? [{ Sid: rest, Effect: "Allow" as const, Action: others, Resource: "*" }] : []), ...scoped];
}

/** Every action the audit role allows: the checks' permissions and discovery's. */
export function auditActions(): string[] {
  return [...new Set([...checkMetadata.flatMap((c) => c.permissions), ...ORGANIZATION_DISCOVERY_PERMISSIONS])].sort();
}

/** Every action the fix role allows: what the fix actions declare. */
export function fixActions(): string[] {
  return [...new Set(Object.values(FIX_PERMISSIONS).flat())].sort();
}

export function auditPolicy(): Policy {
  return {
    Version: "2012-10-17",
    Statement: statementsFor(
      auditActions(),
      [
        // The hub reads member accounts through their audit roles, and nothing else.
        { sid: "HubAssumesAuditRoles", actions: ["sts:AssumeRole"], resource: `arn:aws:iam::*:role/${AUDIT_ROLE_NAME}` },
      ],
      "QbizReadinessAuditReadOnly",
    ),
  };
}

export function fixPolicy(): Policy {
  const roleWrites = ["iam:PutRolePolicy", "iam:DeleteRolePolicy"];
  const statements = statementsFor(
    fixActions(),
    [
      {
        sid: "FixQBusinessDataSourcesAndDocuments",
        actions: fixActions().filter((a) => a.startsWith("qbusiness:")),
        resource: "arn:aws:qbusiness:*:*:application/*",
      },
      {
        sid: "PassDataSourceRolesToQBusinessOnly",
        actions: ["iam:PassRole"],
        resource: "*",
        condition: { StringEquals: { "iam:PassedToService": "qbusiness.amazonaws.com" } },
      },
      // IAM has no condition key for "used by a web experience": the name pattern is the narrowest it allows.
      { sid: "PatchWebExperienceRolePolicies", actions: roleWrites, resource: `arn:aws:iam::*:role/${WEB_ROLE_PATTERN}` },
    ],
    "QbizReadinessFixReads",
  );
  statements.push({
    Sid: "NeverEditOwnOrServiceLinkedRoles",
    Effect: "Deny",
    Action: roleWrites,
    Resource: ["arn:aws:iam::*:role/QbizReadiness*", "arn:aws:iam::*:role/aws-service-role/*"],
  });
  return { Version: "2012-10-17", Statement: statements };
}

/** The trust both roles carry: the hub principal, with the external id. */
function trustPolicy(hub: unknown, externalId: unknown) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TrustTheHubWithExternalId",
        Effect: "Allow",
        Principal: { AWS: hub },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  };
}

/** A policy for CloudFormation: the role name pattern becomes a template parameter (Fn::Sub). */
function cfnPolicy(policy: Policy): unknown {
  return JSON.parse(JSON.stringify(policy), (_key, value) =>
    typeof value === "string" && value.includes(WEB_ROLE_PATTERN) ? { "Fn::Sub": value.replace(WEB_ROLE_PATTERN, "${WebExperienceRoleNamePattern}") } : value,
  );
}

/** The CloudFormation template for one account. */
export function cloudFormationTemplate(): Record<string, unknown> {
  const role = (name: string, policy: Policy, description: string, condition?: string) => ({
    Type: "AWS::IAM::Role",
    ...(condition ? { Condition: condition } : {}),
    Properties: {
      RoleName: name,
      Description: description,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: trustPolicy({ Ref: "HubPrincipalArn" }, { Ref: "ExternalId" }),
      Policies: [{ PolicyName: name, PolicyDocument: cfnPolicy(policy) }],
    },
  });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "qbiz-readiness member account roles: QbizReadinessAudit (read-only) and, optionally, QbizReadinessFix. Generated by `npm run docs`; do not edit.",
    Parameters: {
      HubPrincipalArn: {
        Type: "String",
        Description: "The principal that runs qbiz-readiness, e.g. arn:aws:iam::111122223333:root or its role ARN.",
        AllowedPattern: "^arn:aws[a-z-]*:(iam|sts)::\\d{12}:.+$",
      },
      ExternalId: {
        Type: "String",
        NoEcho: true,
        MinLength: 2,
        MaxLength: 1224,
        AllowedPattern: "^[\\w+=,.@:/-]+$",
        Description: "The external id qbiz-readiness sends (--external-id, QBR_EXTERNAL_ID).",
      },
      DeployFixRole: {
        Type: "String",
        AllowedValues: ["true", "false"],
        Default: "false",
        Description: "Also create QbizReadinessFix (fixes write to Q Business and IAM); leave false for a read-only deployment.",
      },
      WebExperienceRoleNamePattern: {
        Type: "String",
        Default: "*",
        Description: "Name pattern of the web experience roles QbizReadinessFix may patch (IAM wildcards), e.g. QBusiness*.",
      },
    },
    Conditions: { WithFixRole: { "Fn::Equals": [{ Ref: "DeployFixRole" }, "true"] } },
    Resources: {
      AuditRole: role(AUDIT_ROLE_NAME, auditPolicy(), "qbiz-readiness audit: read-only"),
      FixRole: role(FIX_ROLE_NAME, fixPolicy(), "qbiz-readiness fixes: full syncs, role policy patches, re-uploads", "WithFixRole"),
    },
    Outputs: {
      AuditRoleArn: { Value: { "Fn::GetAtt": ["AuditRole", "Arn"] } },
      FixRoleArn: { Condition: "WithFixRole", Value: { "Fn::GetAtt": ["FixRole", "Arn"] } },
    },
  };
}

/** A service-managed StackSet (deploy from the management account or a delegated administrator): the same template in every account of the OUs, new accounts included. */
export function stackSetTemplate(): Record<string, unknown> {
  const member = cloudFormationTemplate();
  const param = (key: string) => ({ ParameterKey: key, ParameterValue: { Ref: key } });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "qbiz-readiness roles in every account of the given OUs (service-managed StackSet, auto-deployed to new accounts). Generated by `npm run docs`; do not edit.",
    Parameters: {
      ...(member.Parameters as Record<string, unknown>),
      OrganizationalUnitIds: { Type: "CommaDelimitedList", Description: "The OUs (or the root r-...) whose accounts get the roles." },
      Regions: { Type: "CommaDelimitedList", Default: "us-east-1", Description: "One region is enough: IAM roles are global." },
    },
    Resources: {
      QbizReadinessRoles: {
        Type: "AWS::CloudFormation::StackSet",
        Properties: {
          StackSetName: "qbiz-readiness-roles",
          PermissionModel: "SERVICE_MANAGED",
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          CallAs: "SELF",
          Capabilities: ["CAPABILITY_NAMED_IAM"],
          ManagedExecution: { Active: true },
          Parameters: ["HubPrincipalArn", "ExternalId", "DeployFixRole", "WebExperienceRoleNamePattern"].map(param),
          StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: { Ref: "OrganizationalUnitIds" } }, Regions: { Ref: "Regions" } }],
          TemplateBody: JSON.stringify(member),
        },
      },
    },
  };
}

/** The Terraform module: variables, the two roles, outputs. */
export function terraformModule(): Record<string, string> {
  const policy = (p: Policy) => JSON.stringify(p, null, 2).replace(WEB_ROLE_PATTERN, "${var.web_experience_role_name_pattern}").split("\n").join("\n  ");
  const trust = JSON.stringify(trustPolicy("${var.hub_principal_arn}", "${var.external_id}"), null, 2).split("\n").join("\n  ");
  const header = "# Generated by `npm run docs` from the product's declared permissions; do not edit.\n";
  const main = `${header}
resource "aws_iam_role" "audit" {
  name                 = "${AUDIT_ROLE_NAME}"
  description          = "qbiz-readiness audit: read-only"
  max_session_duration = 3600
  assume_role_policy   = <<-EOT
  ${trust}
  EOT
}

resource "aws_iam_role_policy" "audit" {
  name   = "${AUDIT_ROLE_NAME}"
  role   = aws_iam_role.audit.id
  policy = <<-EOT
  ${policy(auditPolicy())}
  EOT
}

resource "aws_iam_role" "fix" {
  count                = var.deploy_fix_role ? 1 : 0
  name                 = "${FIX_ROLE_NAME}"
  description          = "qbiz-readiness fixes: full syncs, role policy patches, re-uploads"
  max_session_duration = 3600
  assume_role_policy   = <<-EOT
  ${trust}
  EOT
}

resource "aws_iam_role_policy" "fix" {
  count  = var.deploy_fix_role ? 1 : 0
  name   = "${FIX_ROLE_NAME}"
  role   = aws_iam_role.fix[0].id
  policy = <<-EOT
  ${policy(fixPolicy())}
  EOT
}
`;
  const variables = `${header}
variable "hub_principal_arn" {
  description = "The principal that runs qbiz-readiness, e.g. arn:aws:iam::111122223333:root or its role ARN."
  type        = string
}

variable "external_id" {
  description = "The external id qbiz-readiness sends (--external-id, QBR_EXTERNAL_ID)."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("^[\\\\w+=,.@:/-]{2,1224}$", var.external_id))
    error_message = "2 to 1224 characters of letters, digits and +=,.@:/-."
  }
}

variable "deploy_fix_role" {
  description = "Also create ${FIX_ROLE_NAME} (fixes write to Q Business and IAM); false keeps the deployment read-only."
  type        = bool
  default     = false
}

variable "web_experience_role_name_pattern" {
  description = "Name pattern of the web experience roles ${FIX_ROLE_NAME} may patch (IAM wildcards), e.g. QBusiness*."
  type        = string
  default     = "*"
}
`;
  const outputs = `${header}
output "audit_role_arn" {
  value = aws_iam_role.audit.arn
}

output "fix_role_arn" {
  value = var.deploy_fix_role ? aws_iam_role.fix[0].arn : null
}
`;
  return { "main.tf": main, "variables.tf": variables, "outputs.tf": outputs };
}

/** Every generated file under docs/deploy/roles, path -> text. */
export function deployRoleFiles(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    "policies/QbizReadinessAudit.json": json(auditPolicy()),
    "policies/QbizReadinessFix.json": json(fixPolicy()),
    "cloudformation/qbiz-readiness-roles.json": json(cloudFormationTemplate()),
    "cloudformation/qbiz-readiness-roles-stackset.json": json(stackSetTemplate()),
    ...Object.fromEntries(Object.entries(terraformModule()).map(([name, text]) => [`terraform/${name}`, text])),
  };
}

/**
 * Whether a committed file says what the generator would write: JSON by its
 * content (a formatter may lay it out otherwise), the rest byte for byte.
 */
export function deployFileIsCurrent(name: string, committed: string | undefined, generated: string): boolean {
  if (committed === undefined) return false;
  if (!name.endsWith(".json")) return committed === generated;
  try {
    return JSON.stringify(JSON.parse(committed)) === JSON.stringify(JSON.parse(generated));
  } catch {
    return false;
  }
}
