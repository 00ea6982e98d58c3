/**
 * The local AWS's Organizations, through the unmodified SDK client: the
 * operations discovery uses, their page limits and tokens, and who may call
 * them (outsiders: AWSOrganizationsNotInUseException; members:
 * AccessDeniedException for the management-only operations).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
} from "@aws-sdk/client-organizations";
import { accountCredentials } from "~/local-aws/fixture-types";
import { validateFixture } from "~/local-aws/index";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { failure } from "../helpers/sdk-errors";
import { bigOrganization, MANAGEMENT, MEMBER, ORG_ID, OUTSIDER, PROD, ROOT, SANDBOX, SANDBOX_SUSPENDED, WORKLOADS, prodAccountId } from "./org-fleet";

let t: TestAws;
const clients: OrganizationsClient[] = [];
function org(accountId: string): OrganizationsClient {
  const client = new OrganizationsClient({ region: "us-east-1", endpoint: t.aws.endpoint, credentials: accountCredentials(accountId), maxAttempts: 1 });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  t = await startTestAws(bigOrganization());
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await t.close();
});

describe("Organizations (local AWS)", () => {
  it("DescribeOrganization names the organization and its management account", async () => {
    const { Organization } = await org(MANAGEMENT).send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({
      Id: ORG_ID,
      Arn: `arn:aws:organizations::${MANAGEMENT}:organization/${ORG_ID}`,
      FeatureSet: "ALL",
      MasterAccountId: MANAGEMENT,
      MasterAccountArn: `arn:aws:organizations::${MANAGEMENT}:account/${ORG_ID}/${MANAGEMENT}`,
      MasterAccountEmail: `aws+${MANAGEMENT}@example.com`,
    });
  });

  it("ListRoots and ListOrganizationalUnitsForParent walk the tree", async () => {
    const { Roots } = await org(MANAGEMENT).send(new ListRootsCommand({}));
    expect(Roots).toEqual([{ Id: ROOT, Arn: `arn:aws:organizations::${MANAGEMENT}:root/${ORG_ID}/${ROOT}`, Name: "Root", PolicyTypes: [] }]);
    const { OrganizationalUnits } = await org(MANAGEMENT).send(new ListOrganizationalUnitsForParentCommand({ ParentId: WORKLOADS }));
    expect(OrganizationalUnits?.map((ou) => [ou.Id, ou.Name])).toEqual([
      [PROD, "Prod"],
      [SANDBOX, "Sandbox"],
    ]);
  });

  it("pages ListAccountsForParent 20 at a time, and the SDK's paginator reads every page", async () => {
    const first = await org(MANAGEMENT).send(new ListAccountsForParentCommand({ ParentId: PROD }));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeTruthy();
    const ids: string[] = [];
    for await (const page of paginateListAccountsForParent({ client: org(MANAGEMENT), pageSize: 7 }, { ParentId: PROD })) {
      expect(page.Accounts!.length).toBeLessThanOrEqual(7);
      ids.push(...page.Accounts!.map((a) => a.Id!));
    }
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => prodAccountId(i + 1)));
    const all: string[] = [];
    for await (const page of paginateListAccounts({ client: org(MANAGEMENT) }, {})) all.push(...page.Accounts!.map((a) => a.Id!));
    expect(all).toHaveLength(30);
  });

  it("refuses MaxResults above 20 and a token from another list with InvalidInputException", async () => {
    expect(await failure(org(MANAGEMENT).send(new ListAccountsCommand({ MaxResults: 21 })))).toMatchObject({
      name: "InvalidInputException",
      status: 400,
      message: "You provided a value that exceeds the maximum allowed value.",
    });
    const { NextToken } = await org(MANAGEMENT).send(new ListAccountsCommand({ MaxResults: 2 }));
    expect(await failure(org(MANAGEMENT).send(new ListAccountsForParentCommand({ ParentId: PROD, NextToken })))).toMatchObject({
      name: "InvalidInputException",
      status: 400,
    });
  });

  it("accounts carry name, email, status and state; a suspended one says SUSPENDED", async () => {
    const { Account } = await org(MANAGEMENT).send(new DescribeAccountCommand({ AccountId: SANDBOX_SUSPENDED }));
    expect(Account).toMatchObject({
      Id: SANDBOX_SUSPENDED,
      Arn: `arn:aws:organizations::${MANAGEMENT}:account/${ORG_ID}/${SANDBOX_SUSPENDED}`,
      Name: "Sandbox Old",
      Email: `aws+${SANDBOX_SUSPENDED}@example.com`,
      Status: "SUSPENDED",
      State: "SUSPENDED",
    });
    expect(Account?.JoinedTimestamp).toBeInstanceOf(Date);
    expect(await failure(org(MANAGEMENT).send(new DescribeAccountCommand({ AccountId: "123456789012" })))).toMatchObject({
      name: "AccountNotFoundException",
      status: 400,
    });
  });

  it("an unknown parent is ParentNotFoundException; a malformed one InvalidInputException", async () => {
    expect(await failure(org(MANAGEMENT).send(new ListAccountsForParentCommand({ ParentId: "ou-a1b2-99999999" })))).toMatchObject({
      name: "ParentNotFoundException",
      message: "We can't find a root or OU with the ParentId that you specified.",
    });
    expect(await failure(org(MANAGEMENT).send(new ListAccountsForParentCommand({ ParentId: "not-an-id" })))).toMatchObject({ name: "InvalidInputException" });
  });

  it("a member account may describe the organization but not list it (AccessDeniedException)", async () => {
    const { Organization } = await org(MEMBER).send(new DescribeOrganizationCommand({}));
    expect(Organization?.MasterAccountId).toBe(MANAGEMENT);
    for (const call of [new ListRootsCommand({}), new ListAccountsCommand({}), new ListAccountsForParentCommand({ ParentId: ROOT })]) {
      expect(await failure(org(MEMBER).send(call as never))).toEqual({
        name: "AccessDeniedException",
        status: 400,
        message: "You don't have permissions to access this resource.",
      });
    }
  });

  it("an account outside the organization gets AWSOrganizationsNotInUseException", async () => {
    expect(await failure(org(OUTSIDER).send(new DescribeOrganizationCommand({})))).toEqual({
      name: "AWSOrganizationsNotInUseException",
      status: 400,
      message: "Your account is not a member of an organization.",
    });
  });

  it("without an organization in the fixture, every account is outside one", async () => {
    const plain = await startTestAws({ fixtureVersion: 1, accounts: [{ accountId: MANAGEMENT, regions: {} }] });
    const client = new OrganizationsClient({ region: "us-east-1", endpoint: plain.aws.endpoint, credentials: accountCredentials(MANAGEMENT), maxAttempts: 1 });
    try {
      expect((await failure(client.send(new ListAccountsCommand({})))).name).toBe("AWSOrganizationsNotInUseException");
    } finally {
      client.destroy();
      await plain.close();
    }
  });
});

describe("the fixture's organization", () => {
  const base = () => bigOrganization();
  it("loads unchanged and is refused with the JSON path when it is wrong", () => {
    expect(validateFixture(base()).organization?.accounts).toHaveLength(30);
    const dangling = base();
    dangling.organization!.accounts[1].parentId = "ou-a1b2-99999999";
    expect(() => validateFixture(dangling)).toThrow(/organization\.accounts\[1\]\.parentId: "ou-a1b2-99999999" is neither the root/);
    const unknownKey = base() as unknown as { organization: Record<string, unknown> };
    unknownKey.organization.delegatedAdministrators = [];
    expect(() => validateFixture(unknownKey)).toThrow(/organization\.delegatedAdministrators: unknown key/);
    const cycle = base();
    cycle.organization!.organizationalUnits![0].parentId = PROD;
    expect(() => validateFixture(cycle)).toThrow(/is its own ancestor/);
    const noManagement = base();
    noManagement.organization!.managementAccountId = "123456789012";
    expect(() => validateFixture(noManagement)).toThrow(/organization\.managementAccountId: account 123456789012 is not in organization\.accounts/);
  });
});
