/**
 * The bench's peer auditor reads what a straightforward script reads: every
 * page of every job history and every document, through the SDK over HTTP.
 */
import { afterEach, describe, expect, it } from "vitest";
import { peerAudit } from "../../app/bench/peer";
import { targetsForFixture } from "../../app/audit/targets";
import { startLocalAws, type LocalAws } from "../../app/local-aws/index";
import { AFTER, account, application, dataSource, documents, fleet, index, syncJob } from "../audit/fleet-builder";

let aws: LocalAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

describe("peerAudit", () => {
  it("reads full job histories and every document, counting its calls", async () => {
    const jobs = Array.from({ length: 25 }, (_, i) => syncJob(`job-${i}`, new Date(Date.parse(AFTER) + i * 86_400_000).toISOString()));
    const sources = [
      dataSource("a", { syncJobs: jobs, documents: documents(250, AFTER, "a") }),
      dataSource("b", { syncJobs: jobs.slice(0, 3), documents: documents(5, AFTER, "b") }),
    ];
    aws = await startLocalAws({ fixture: fleet([account("111122223333", { "us-east-1": [application("app", [index("idx", sources)])] })]), port: 0 });
    const result = await peerAudit({ endpoint: aws.endpoint, targets: targetsForFixture(aws.fleet) });
    expect(result).toMatchObject({ errors: 0, documents: 255, syncJobs: 28 });
    expect(aws.stats.byOperation["qbusiness:ListDataSourceSyncJobs"]).toBe(3 + 1);
    expect(aws.stats.byOperation["qbusiness:ListDocuments"]).toBe(3 + 1);
    expect(result.apiCalls).toBe(aws.stats.calls);
  });
});
