/**
 * The AWS CLI agrees with the local AWS's Organizations: Debian's aws (its
 * built-in Organizations model) lists and describes the organisation fixture,
 * pages with --page-size, and reports the refusals as AWS words them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountCredentials } from "~/local-aws/fixture-types";
import { runAwsCli, type CliResult } from "../helpers/aws-cli";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { MANAGEMENT, MEMBER, OUTSIDER, PROD, SANDBOX_SUSPENDED, bigOrganization, prodAccountId } from "./org-fleet";

let t: TestAws;
let home: string;

beforeAll(async () => {
  t = await startTestAws(bigOrganization());
  home = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-org-awscli-"));
});
afterAll(async () => {
  await t.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function aws(args: string[], accountId = MANAGEMENT): Promise<CliResult> {
  const cliArgs = ["organizations", ...args, "--endpoint-url", t.aws.endpoint, "--output", "json"];
  return runAwsCli({ args: cliArgs, home, credentials: accountCredentials(accountId), region: "us-east-1" });
}

describe("aws organizations against the local AWS", () => {
  it("lists the accounts of a nested OU across pages, and describes the organization and an account", async () => {
    const paged = await aws(["list-accounts-for-parent", "--parent-id", PROD, "--page-size", "7"]);
    expect(paged.stderr).toBe("");
    expect(JSON.parse(paged.stdout).Accounts.map((a: { Id: string }) => a.Id)).toEqual(Array.from({ length: 25 }, (_, i) => prodAccountId(i + 1)));
    const org = JSON.parse((await aws(["describe-organization"])).stdout);
    expect(org.Organization).toMatchObject({ Id: "o-a1b2c3d4e5", MasterAccountId: MANAGEMENT });
    const account = JSON.parse((await aws(["describe-account", "--account-id", SANDBOX_SUSPENDED])).stdout);
    expect(account.Account).toMatchObject({ Id: SANDBOX_SUSPENDED, Name: "Sandbox Old", Status: "SUSPENDED" });
  }, 120_000);

  it("reports the refusals as AWS does", async () => {
    const outsider = await aws(["describe-organization"], OUTSIDER);
    expect(outsider.code).toBe(254);
    expect(outsider.stderr).toContain(
      "An error occurred (AWSOrganizationsNotInUseException) when calling the DescribeOrganization operation: Your account is not a member of an organization.",
    );
    const member = await aws(["list-roots"], MEMBER);
    expect(member.stderr).toContain(
      "An error occurred (AccessDeniedException) when calling the ListRoots operation: You don't have permissions to access this resource.",
    );
    const tooMany = await aws(["list-accounts", "--max-results", "21"]);
    expect(tooMany.stderr).toContain("An error occurred (InvalidInputException) when calling the ListAccounts operation");
  }, 120_000);
});
