/**
 * The AWS CLI agrees with the local AWS's Organizations: Debian's aws (its
 * built-in Organizations model) lists and describes the organisation fixture,
 * pages with --page-size, and reports the refusals as AWS words them.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountCredentials } from "~/local-aws/fixture-types";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { MANAGEMENT, MEMBER, OUTSIDER, PROD, SANDBOX_SUSPENDED, bigOrganization, prodAccountId } from "./org-fleet";

const AWS_BIN = [process.env.QBR_AWS_CLI, "/usr/bin/aws"].find((c): c is string => !!c && fs.existsSync(c));
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

function aws(args: string[], accountId = MANAGEMENT): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!AWS_BIN) throw new Error("the AWS CLI (`aws`) is not installed: apt-get install -y awscli, or set QBR_AWS_CLI");
  const keys = accountCredentials(accountId);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return new Promise((resolve) => {
    execFile(
      AWS_BIN,
      ["organizations", ...args, "--endpoint-url", t.aws.endpoint, "--output", "json"],
      { env, cwd: home, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
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
