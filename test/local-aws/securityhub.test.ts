/**
 * The local AWS's Security Hub through the real SDK: BatchImportFindings
 * (limits, per-finding refusals, updates keyed by ProductArn + Id that keep
 * the customer's workflow and move it as Security Hub does) and GetFindings
 * (the caller's findings of the region, filters, paging).
 */
import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountCredentials } from "~/local-aws/fixture-types";
import { account, fleet } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const A = "111100000001";
const B = "222200000002";
let aws: TestAws;
const hubs: SecurityHubClient[] = [];
function hub(accountId: string, region = "us-east-1") {
  const client = new SecurityHubClient({ endpoint: aws.aws.endpoint, region, credentials: accountCredentials(accountId), maxAttempts: 1 });
  hubs.push(client);
  return client;
}

beforeAll(async () => {
  aws = await startTestAws(fleet([account(A, {}), account(B, {})]));
});
afterAll(async () => {
  for (const h of hubs) h.destroy();
  await aws.close();
});

function finding(id: string, compliance: string, over: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: "2018-10-08",
    Id: id,
    ProductArn: `arn:aws:securityhub:us-east-1:${A}:product/${A}/default`,
    GeneratorId: "qbiz-readiness/check",
    AwsAccountId: A,
    Types: ["Software and Configuration Checks/AWS Security Best Practices/test"],
    CreatedAt: "2026-11-26T12:00:00.000Z",
    UpdatedAt: "2026-11-26T12:00:00.000Z",
    Severity: { Label: "CRITICAL" },
    Title: "t",
    Description: "d",
    Resources: [{ Type: "Other", Id: `arn:aws:qbusiness:us-east-1:${A}:application/x` }],
    Compliance: { Status: compliance as "FAILED" },
    ...over,
  };
}

describe("the local AWS's Security Hub", () => {
  it("imports, refuses single findings in FailedFindings, and reads back only the caller's findings of the region", async () => {
    const answer = await hub(A).send(
      new BatchImportFindingsCommand({
        Findings: [
          finding("f-1", "FAILED"),
          finding("f-2", "PASSED"),
          finding("f-3", "FAILED", { AwsAccountId: B }),
          finding("f-4", "FAILED", { Title: undefined }),
        ],
      }),
    );
    expect(answer.SuccessCount).toBe(2);
    expect(answer.FailedCount).toBe(2);
    expect(answer.FailedFindings?.map((f) => [f.Id, f.ErrorCode])).toEqual([
      ["f-3", "AccessDeniedException"],
      ["f-4", "InvalidInput"],
    ]);
    const read = await hub(A).send(new GetFindingsCommand({}));
    expect(read.Findings?.map((f) => [f.Id, f.Workflow?.Status])).toEqual([
      ["f-1", "NEW"],
      ["f-2", "RESOLVED"],
    ]);
    expect((await hub(B).send(new GetFindingsCommand({}))).Findings).toEqual([]);
    expect((await hub(A, "eu-west-1").send(new GetFindingsCommand({}))).Findings).toEqual([]);
  });

  it("updates a finding with the same ProductArn and Id: no duplicate, CreatedAt kept, PASSED resolves it, failing again reopens it", async () => {
    await hub(A).send(new BatchImportFindingsCommand({ Findings: [finding("g-1", "FAILED")] }));
    await hub(A).send(
      new BatchImportFindingsCommand({
        Findings: [finding("g-1", "PASSED", { CreatedAt: "2026-12-01T00:00:00.000Z", UpdatedAt: "2026-12-01T00:00:00.000Z" })],
      }),
    );
    const filters = { Id: [{ Value: "g-1", Comparison: "EQUALS" as const }] };
    const [resolved, ...rest] = (await hub(A).send(new GetFindingsCommand({ Filters: filters }))).Findings ?? [];
    expect(rest).toEqual([]);
    expect(resolved).toMatchObject({
      Workflow: { Status: "RESOLVED" },
      Compliance: { Status: "PASSED" },
      CreatedAt: "2026-11-26T12:00:00.000Z",
      UpdatedAt: "2026-12-01T00:00:00.000Z",
    });
    await hub(A).send(new BatchImportFindingsCommand({ Findings: [finding("g-1", "FAILED")] }));
    expect((await hub(A).send(new GetFindingsCommand({ Filters: filters }))).Findings?.[0]?.Workflow?.Status).toBe("NEW");
  });

  it("filters, pages, and refuses more than 100 findings in one call", async () => {
    const many = Array.from({ length: 100 }, (_, i) => finding(`p-${String(i).padStart(3, "0")}`, "FAILED"));
    expect((await hub(A).send(new BatchImportFindingsCommand({ Findings: many }))).SuccessCount).toBe(100);
    await expect(hub(A).send(new BatchImportFindingsCommand({ Findings: [...many, finding("p-x", "FAILED")] }))).rejects.toMatchObject({
      name: "InvalidInputException",
    });
    const prefix = { Filters: { Id: [{ Value: "p-", Comparison: "PREFIX" as const }] }, MaxResults: 40 };
    const first = await hub(A).send(new GetFindingsCommand(prefix));
    const second = await hub(A).send(new GetFindingsCommand({ ...prefix, NextToken: first.NextToken }));
    const third = await hub(A).send(new GetFindingsCommand({ ...prefix, NextToken: second.NextToken }));
    expect([first, second, third].map((p) => p.Findings?.length)).toEqual([40, 40, 20]);
    expect(third.NextToken).toBeUndefined();
    const resolved = await hub(A).send(new GetFindingsCommand({ Filters: { WorkflowStatus: [{ Value: "RESOLVED", Comparison: "EQUALS" }] } }));
    expect(resolved.Findings?.map((f) => f.Id)).toEqual(["f-2"]);
  });
});
