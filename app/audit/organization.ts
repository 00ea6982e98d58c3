/**
 * Targets from AWS Organizations: walk the organization from its root
 * (DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent,
 * ListAccountsForParent, every page), keep the accounts in scope (--ou and
 * everything beneath it, minus --exclude-accounts), and turn each active one
 * into a target read through its audit role; the caller's own account is read
 * directly. Suspended (and closing) accounts are listed as skipped, not as
 * errors: there is nothing in them to read.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  type Account,
} from "@aws-sdk/client-organizations";
import { awsErrorInfo, DEFAULT_MAX_ATTEMPTS } from "../aws/clients";
import { isAccessDeniedCode } from "../aws/vocabulary";
import { AuditSetupError, callerAccountId, DEFAULT_FIX_ROLE_NAME, type CredentialOptions, type TargetSpec } from "./targets";
import type { OrganizationAccount, OrganizationSummary, SkippedAccount } from "./types";

export type { OrganizationAccount, OrganizationSummary, SkippedAccount };

export const DEFAULT_AUDIT_ROLE_NAME = "QbizReadinessAudit";
export { DEFAULT_FIX_ROLE_NAME };

/** What discovery calls, run with the management account's (or a delegated administrator's) credentials. */
export const ORGANIZATION_DISCOVERY_PERMISSIONS = [
  "organizations:DescribeOrganization",
  "organizations:ListRoots",
  "organizations:ListOrganizationalUnitsForParent",
  "organizations:ListAccountsForParent",
] as const;

/** Organizations is global: its endpoint signs for us-east-1. */
const ORGANIZATIONS_REGION = "us-east-1";
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface OrganizationScope {
  regions: string[];
  /** Role assumed in each member account (default QbizReadinessAudit). */
  roleName?: string;
  externalId?: string;
  /** Only these OUs and everything beneath them (default: the whole organization). */
  ous?: string[];
  excludeAccounts?: string[];
  /** Role the fix actions assume in each member account (never the audit). */
  fixRoleName?: string;
}

export interface OrganizationDiscovery {
  summary: OrganizationSummary;
  /** Every account in scope (active or not), in tree order. */
  accounts: OrganizationAccount[];
  specs: TargetSpec[];
}

interface TreeNode {
  id: string;
  path: string;
  /** This node and its ancestors' ids. */
  lineage: string[];
}

/** Every page of an Organizations list: NextToken may come back with an empty page, so only its absence ends it. */
async function allPages<T>(fetch: (nextToken: string | undefined) => Promise<{ items?: T[]; NextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetch(nextToken);
    out.push(...(page.items ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return out;
}

/** The organization's accounts with their OU paths, walked breadth-first from the root. */
async function walkTree(client: OrganizationsClient): Promise<{ accounts: (OrganizationAccount & { lineage: string[] })[]; ouIds: Set<string> }> {
  const roots = await allPages(async (NextToken) => {
    const r = await client.send(new ListRootsCommand({ NextToken }));
    return { items: r.Roots, NextToken: r.NextToken };
  });
  const queue: TreeNode[] = roots.map((r) => ({ id: r.Id ?? "", path: r.Name ?? "Root", lineage: [r.Id ?? ""] }));
  const accounts: (OrganizationAccount & { lineage: string[] })[] = [];
  const ouIds = new Set<string>();
  for (let node = queue.shift(); node; node = queue.shift()) {
    const parent = node;
    const [children, members] = await Promise.all([
      allPages(async (NextToken) => {
        const r = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken }));
        return { items: r.OrganizationalUnits, NextToken: r.NextToken };
      }),
      allPages<Account>(async (NextToken) => {
        const r = await client.send(new ListAccountsForParentCommand({ ParentId: parent.id, NextToken }));
        return { items: r.Accounts, NextToken: r.NextToken };
      }),
    ]);
    for (const a of members) {
      accounts.push({ accountId: a.Id ?? "", name: a.Name ?? "", status: a.State ?? a.Status ?? "ACTIVE", ouPath: parent.path, lineage: parent.lineage });
    }
    for (const ou of children) {
      const id = ou.Id ?? "";
      ouIds.add(id);
      queue.push({ id, path: `${parent.path}/${ou.Name ?? id}`, lineage: [...parent.lineage, id] });
    }
  }
  return { accounts, ouIds };
}

/** Why discovery could not run, in words that say what to do. */
function discoveryError(error: unknown, caller: string): AuditSetupError {
  const info = awsErrorInfo(error);
  if (info.code === "AWSOrganizationsNotInUseException") {
    return new AuditSetupError(
      `--organization: account ${caller} is not a member of an organization (${info.code}). Run with the credentials of the organization's management account or of a delegated administrator.`,
    );
  }
  if (isAccessDeniedCode(info.code)) {
    return new AuditSetupError(
      `--organization: account ${caller} may not list the organization's accounts (${info.code}: ${info.message}). ` +
        `Run with the management account's credentials (or a delegated administrator's), allowed ${ORGANIZATION_DISCOVERY_PERMISSIONS.join(", ")}.`,
    );
  }
  return new AuditSetupError(`--organization: discovery failed: ${info.code}: ${info.message}`);
}

function validateScope(scope: OrganizationScope): void {
  if (scope.regions.length === 0) throw new AuditSetupError("No region to audit: set QBR_REGIONS or AWS_REGION, or pass --regions.");
  for (const name of [scope.roleName, scope.fixRoleName]) {
    if (name !== undefined && !ROLE_NAME.test(name)) throw new AuditSetupError(`"${name}" is not an IAM role name ([\\w+=,.@-]{1,64})`);
  }
  for (const id of scope.excludeAccounts ?? []) {
    if (!/^\d{12}$/.test(id)) throw new AuditSetupError(`--exclude-accounts: "${id}" is not a 12-digit account id`);
  }
  if (scope.externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(scope.externalId)) {
    throw new AuditSetupError("--external-id must be 2 to 1224 characters of letters, digits and +=,.@:/-");
  }
}

/**
 * Discover the targets of an organization. Throws AuditSetupError when the
 * credentials cannot list it (not a member, not the management account) or
 * an OU of the filter is not in it.
 */
export async function discoverOrganization(options: CredentialOptions & OrganizationScope): Promise<OrganizationDiscovery> {
  validateScope(options);
  const caller = await callerAccountId(options, options.regions[0]);
  const client = new OrganizationsClient({
    region: ORGANIZATIONS_REGION,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  try {
    let organizationId: string;
    let managementAccountId: string;
    let tree: Awaited<ReturnType<typeof walkTree>>;
    try {
      const { Organization } = await client.send(new DescribeOrganizationCommand({}));
      organizationId = Organization?.Id ?? "";
      managementAccountId = Organization?.MasterAccountId ?? "";
      tree = await walkTree(client);
    } catch (error) {
      throw discoveryError(error, caller);
    }
    const unknownOus = (options.ous ?? []).filter((ou) => !tree.ouIds.has(ou) && !tree.accounts.some((a) => a.lineage[0] === ou));
    if (unknownOus.length > 0) {
      throw new AuditSetupError(
        `--ou: ${unknownOus.join(", ")} ${unknownOus.length === 1 ? "is" : "are"} not an OU (or root) of organization ${organizationId}`,
      );
    }
    return scoped(tree.accounts, { ...options, caller, organizationId, managementAccountId });
  } finally {
    client.destroy();
  }
}

function scoped(
  all: (OrganizationAccount & { lineage: string[] })[],
  options: OrganizationScope & { caller: string; organizationId: string; managementAccountId: string },
): OrganizationDiscovery {
  const ous = options.ous?.length ? options.ous : undefined;
  const inScope = all.filter((a) => !ous || a.lineage.some((id) => ous.includes(id)));
  const excluded = new Set(options.excludeAccounts ?? []);
  const skipped: SkippedAccount[] = [];
  const specs: TargetSpec[] = [];
  const roleName = options.roleName ?? DEFAULT_AUDIT_ROLE_NAME;
  for (const { lineage: _lineage, ...account } of inScope) {
    if (excluded.has(account.accountId)) skipped.push({ ...account, reason: "excluded" });
    else if (account.status === "SUSPENDED") skipped.push({ ...account, reason: "suspended" });
    else if (account.status === "PENDING_CLOSURE" || account.status === "CLOSED") skipped.push({ ...account, reason: "pending-closure" });
    else {
      const direct = account.accountId === options.caller;
      specs.push({
        accountId: account.accountId,
        regions: options.regions,
        accountName: account.name,
        ouPath: account.ouPath,
        ...(direct ? {} : { roleArn: `arn:aws:iam::${account.accountId}:role/${roleName}`, externalId: options.externalId }),
        ...(options.fixRoleName ? { fixRoleArn: `arn:aws:iam::${account.accountId}:role/${options.fixRoleName}` } : {}),
      });
    }
  }
  return {
    summary: {
      organizationId: options.organizationId,
      managementAccountId: options.managementAccountId,
      callerAccountId: options.caller,
      ...(ous ? { ous } : {}),
      skipped,
    },
    accounts: inScope.map(({ lineage: _lineage, ...a }) => a),
    specs,
  };
}
