/**
 * The local AWS's Security Hub, the customer's side and archiving, through
 * the real SDK: BatchUpdateFindings sets the workflow and note of findings
 * by Id and ProductArn (an unknown one unprocessed, FindingNotFound; bad
 * input refused whole), UpdatedAt untouched; a provider's re-import with
 * RecordState ARCHIVED keeps the workflow, and ACTIVE again makes a RESOLVED
 * finding NEW while a SUPPRESSED one stays SUPPRESSED.
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountCredentials } from "~/local-aws/fixture-types";
import { account, fleet } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const A = "111100000001";
const PRODUCT = `arn:aws:securityhub:us-east-1:${A}:product/${A}/default`;
let aws: TestAws;
let hub: SecurityHubClient;

beforeAll(async () => {
  aws = await startTestAws(fleet([account(A, {})]));
  hub = new SecurityHubClient({ endpoint: aws.aws.endpoint, region: "us-east-1", credentials: accountCredentials(A), maxAttempts: 1 });
});
afterAll(async () => {
  hub.destroy();
  await aws.close();
});

function finding(id: string, over: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: "2018-10-08",
    Id: id,
    ProductArn: PRODUCT,
    GeneratorId: "qbiz-readiness/check",
    AwsAccountId: A,
    Types: ["Software and Configuration Checks/AWS Security Best Practices/test"],
    CreatedAt: "2026-11-26T12:00:00.000Z",
    UpdatedAt: "2026-11-26T12:00:00.000Z",
    Severity: { Label: "CRITICAL" },
    Title: "t",
    Description: "d",
    Resources: [{ Type: "Other", Id: `arn:aws:qbusiness:us-east-1:${A}:application/x` }],
    Compliance: { Status: "FAILED" },
    ...over,
  };
}

const read = async (id: string) => (await hub.send(new GetFindingsCommand({ Filters: { Id: [{ Value: id, Comparison: "EQUALS" }] } }))).Findings?.[0];

describe("BatchUpdateFindings and archived findings on the local AWS", () => {
  it("sets the workflow and note, leaves UpdatedAt, reports an unknown finding unprocessed and refuses bad input", async () => {
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding("u-1")] }));
    const answer = await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [
          { Id: "u-1", ProductArn: PRODUCT },
          { Id: "nope", ProductArn: PRODUCT },
        ],
        Workflow: { Status: "NOTIFIED" },
        Note: { Text: "owner told", UpdatedBy: "alice" },
      }),
    );
    expect(answer.ProcessedFindings).toEqual([{ Id: "u-1", ProductArn: PRODUCT }]);
    expect(answer.UnprocessedFindings?.map((u) => [u.FindingIdentifier?.Id, u.ErrorCode])).toEqual([["nope", "FindingNotFound"]]);
    const stored = await read("u-1");
    expect(stored).toMatchObject({ Workflow: { Status: "NOTIFIED" }, Note: { Text: "owner told", UpdatedBy: "alice" }, UpdatedAt: "2026-11-26T12:00:00.000Z" });
    await expect(
      hub.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: "u-1", ProductArn: PRODUCT }], Workflow: { Status: "DONE" as "NEW" } })),
    ).rejects.toMatchObject({
      name: "InvalidInputException",
    });
    await expect(hub.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: "u-1", ProductArn: PRODUCT }] }))).rejects.toMatchObject({
      name: "InvalidInputException",
    });
    expect((await read("u-1"))?.Workflow?.Status).toBe("NOTIFIED");
  });

  it("an archived finding keeps its workflow; made active again, RESOLVED becomes NEW and SUPPRESSED stays", async () => {
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding("a-1"), finding("a-2")] }));
    const ids = (...names: string[]) => names.map((Id) => ({ Id, ProductArn: PRODUCT }));
    await hub.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: ids("a-1"), Workflow: { Status: "RESOLVED" } }));
    await hub.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: ids("a-2"), Workflow: { Status: "SUPPRESSED" } }));
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding("a-1", { RecordState: "ARCHIVED" }), finding("a-2", { RecordState: "ARCHIVED" })] }));
    expect([(await read("a-1"))?.RecordState, (await read("a-1"))?.Workflow?.Status]).toEqual(["ARCHIVED", "RESOLVED"]);
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding("a-1", { RecordState: "ACTIVE" }), finding("a-2", { RecordState: "ACTIVE" })] }));
    expect((await read("a-1"))?.Workflow?.Status).toBe("NEW");
    expect((await read("a-2"))?.Workflow?.Status).toBe("SUPPRESSED");
    const archived = await hub.send(new GetFindingsCommand({ Filters: { RecordState: [{ Value: "ARCHIVED", Comparison: "EQUALS" }] } }));
    expect(archived.Findings).toEqual([]);
  });
});
