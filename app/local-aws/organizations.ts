/**
 * The local AWS's AWS Organizations (awsJson1_1, target prefix
 * AWSOrganizationsV20161128, global endpoint signing for us-east-1): the
 * read operations account discovery uses, answered from the fixture's
 * optional top-level `organization`.
 *
 * Who may call what, as AWS answers it: an account outside the organization
 * (or any account when the fixture has none) gets
 * AWSOrganizationsNotInUseException; a member account may describe the
 * organization but gets AccessDeniedException for the management-only
 * operations (listing roots, OUs and accounts, describing an account).
 */
import { AwsError, type EmuRequest, type EmuResponse, type Emulator, type ServiceModule } from "./types";
import type { FixtureOrganization, FixtureOrganizationAccount } from "./fixture-types";
import { paginate } from "./pagination";

export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128";

/** MaxResults of every Organizations list: 1..20 (the API model's MaxResults shape). */
export const ORGANIZATIONS_PAGE_LIMIT = 20;

const OPERATIONS = new Set([
  "DescribeOrganization",
  "ListRoots",
  "ListOrganizationalUnitsForParent",
  "ListAccountsForParent",
  "ListAccounts",
  "DescribeAccount",
]);

const PARENT_ID = /^(r-[0-9a-z]{4,32})$|^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const ACCOUNT_ID = /^\d{12}$/;

/** The root id of an organization: the fixture's, else "r-" and the first 4 characters of the organization id. */
export function rootIdOf(org: FixtureOrganization): string {
  return org.rootId ?? `r-${org.organizationId.slice(2, 6)}`;
}

function invalidInput(message: string, reason: string): AwsError {
  return new AwsError("InvalidInputException", message, 400, { Reason: reason });
}

function notInUse(): AwsError {
  return new AwsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", 400);
}

function accessDenied(): AwsError {
  return new AwsError("AccessDeniedException", "You don't have permissions to access this resource.", 400);
}

/** The request's JSON body; an unparseable one is refused as the service refuses it. */
function input(req: EmuRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError("SerializationException", "Start of structure or map found where not expected.", 400);
}

function ok(body: unknown, req: EmuRequest): EmuResponse {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": req.requestId },
    body: JSON.stringify(body),
  };
}

/** awsJson1_1 timestamps are epoch seconds. */
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

interface OrgView {
  org: FixtureOrganization;
  arnPrefix: string;
  rootId: string;
  joinedAt: number;
}

function viewOf(org: FixtureOrganization, emu: Emulator): OrgView {
  return {
    org,
    arnPrefix: `arn:aws:organizations::${org.managementAccountId}:`,
    rootId: rootIdOf(org),
    // The fixture gives no join dates: every account joined when the fleet's clock started.
    joinedAt: epochSeconds(emu.fleet.clock ?? "2020-01-01T00:00:00Z"),
  };
}

function accountShape(v: OrgView, a: FixtureOrganizationAccount) {
  return {
    Id: a.accountId,
    Arn: `${v.arnPrefix}account/${v.org.organizationId}/${a.accountId}`,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    JoinedMethod: a.accountId === v.org.managementAccountId ? "CREATED" : "INVITED",
    JoinedTimestamp: v.joinedAt,
  };
}

function page<T>(all: readonly T[], params: Record<string, unknown>, scope: string) {
  return paginate(all, {
    maxResults: params["MaxResults"] as number | undefined,
    nextToken: params["NextToken"] as string | undefined,
    limit: ORGANIZATIONS_PAGE_LIMIT,
    scope,
    maxResultsName: "MaxResults",
    nextTokenName: "NextToken",
    invalid: (message) => {
      if (message.includes("less than or equal")) return invalidInput("You provided a value that exceeds the maximum allowed value.", "MAX_VALUE_EXCEEDED");
      if (message.includes("greater than or equal"))
        return invalidInput("You provided a value that is less than the minimum allowed value.", "MIN_VALUE_EXCEEDED");
      if (message.includes("NextToken")) return invalidInput("The specified token is invalid.", "INVALID_NEXT_TOKEN");
      return invalidInput("You provided a value that does not match the required pattern.", "INVALID_PATTERN");
    },
  });
}

/** The ParentId of a request: well formed and naming the root or an OU, else the service's error. */
function parentOf(v: OrgView, params: Record<string, unknown>): string {
  const parentId = params["ParentId"];
  if (typeof parentId !== "string" || parentId === "") {
    throw invalidInput("You must specify a value for a required parameter: ParentId.", "INPUT_REQUIRED");
  }
  if (!PARENT_ID.test(parentId)) throw invalidInput("You provided a value that does not match the required pattern.", "INVALID_PATTERN");
  if (parentId !== v.rootId && !v.org.organizationalUnits?.some((ou) => ou.id === parentId)) {
    throw new AwsError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.", 400);
  }
  return parentId;
}

function managementOnly(operation: string, v: OrgView, params: Record<string, unknown>): EmuResponse["body"] {
  switch (operation) {
    case "ListRoots": {
      const root = { Id: v.rootId, Arn: `${v.arnPrefix}root/${v.org.organizationId}/${v.rootId}`, Name: "Root", PolicyTypes: [] };
      const p = page([root], params, "ListRoots");
      return JSON.stringify({ Roots: p.items, NextToken: p.nextToken });
    }
    case "ListOrganizationalUnitsForParent": {
      const parentId = parentOf(v, params);
      const ous = (v.org.organizationalUnits ?? [])
        .filter((ou) => ou.parentId === parentId)
        .map((ou) => ({ Id: ou.id, Arn: `${v.arnPrefix}ou/${v.org.organizationId}/${ou.id}`, Name: ou.name }));
      const p = page(ous, params, `ListOrganizationalUnitsForParent:${parentId}`);
      return JSON.stringify({ OrganizationalUnits: p.items, NextToken: p.nextToken });
    }
    case "ListAccountsForParent": {
      const parentId = parentOf(v, params);
      const accounts = v.org.accounts.filter((a) => a.parentId === parentId).map((a) => accountShape(v, a));
      const p = page(accounts, params, `ListAccountsForParent:${parentId}`);
      return JSON.stringify({ Accounts: p.items, NextToken: p.nextToken });
    }
    case "ListAccounts": {
      const p = page(
        v.org.accounts.map((a) => accountShape(v, a)),
        params,
        "ListAccounts",
      );
      return JSON.stringify({ Accounts: p.items, NextToken: p.nextToken });
    }
    default: {
      // DescribeAccount
      const accountId = params["AccountId"];
      if (typeof accountId !== "string" || accountId === "") {
        throw invalidInput("You must specify a value for a required parameter: AccountId.", "INPUT_REQUIRED");
      }
      if (!ACCOUNT_ID.test(accountId)) throw invalidInput("You provided a value that does not match the required pattern.", "INVALID_PATTERN");
      const account = v.org.accounts.find((a) => a.accountId === accountId);
      if (!account) throw new AwsError("AccountNotFoundException", "You specified an account that doesn't exist.", 400);
      return JSON.stringify({ Account: accountShape(v, account) });
    }
  }
}

export const organizationsService: ServiceModule = {
  service: "organizations",
  protocol: "awsJson1_1",
  claimsUnsigned: (head) => (head.headers["x-amz-target"] ?? "").startsWith(`${ORGANIZATIONS_TARGET_PREFIX}.`),
  operationOf(req) {
    const target = req.headers["x-amz-target"] ?? "";
    const [prefix, operation] = target.split(".");
    return prefix === ORGANIZATIONS_TARGET_PREFIX && operation && OPERATIONS.has(operation) ? operation : undefined;
  },
  handle(operation, req, emu) {
    const params = input(req);
    const org = emu.fleet.organization;
    const member = org?.accounts.find((a) => a.accountId === req.accountId);
    if (!org || !member) throw notInUse();
    const v = viewOf(org, emu);
    if (operation === "DescribeOrganization") {
      const management = org.accounts.find((a) => a.accountId === org.managementAccountId);
      return ok(
        {
          Organization: {
            Id: org.organizationId,
            Arn: `${v.arnPrefix}organization/${org.organizationId}`,
            FeatureSet: "ALL",
            MasterAccountArn: `${v.arnPrefix}account/${org.organizationId}/${org.managementAccountId}`,
            MasterAccountId: org.managementAccountId,
            MasterAccountEmail: management?.email,
            AvailablePolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
          },
        },
        req,
      );
    }
    // Delegated administrators are not part of the fixture: only the management account lists.
    if (req.accountId !== org.managementAccountId) throw accessDenied();
    return { ...ok({}, req), body: managementOnly(operation, v, params) };
  },
};
