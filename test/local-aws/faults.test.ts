import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ListApplicationsCommand } from "@aws-sdk/client-qbusiness";
import { rejection } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import type { Fixture } from "~/local-aws/fixture-types";

const ACCOUNT = "111122223333";

const fixture: Fixture = {
  fixtureVersion: 1,
  clock: "2026-11-26T12:00:00Z",
  accounts: [
    {
      accountId: ACCOUNT,
      regions: { "us-east-1": { applications: [] }, "eu-west-1": { applications: [] } },
      iam: { roles: [{ roleName: "QBusinessWebRole", assumeRolePolicyDocument: { Statement: [] } }] },
      s3: { buckets: { "acme-hr": { objects: { "a.txt": { text: "a" } } } } },
      denied: [
        { service: "qbusiness", region: "eu-west-1", operation: "*" },
        { service: "iam", operation: "SimulatePrincipalPolicy" },
      ],
    },
  ],
};

let t: TestAws;
beforeAll(async () => {
  t = await startTestAws(fixture);
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  t.aws.setFaults(undefined);
});

/** A failed call as its caller sees it, with how many attempts the SDK made. */
async function failure(p: Promise<unknown>) {
  const err = (await rejection(p)) as { name: string; message: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  return { name: err.name, status: err.$metadata?.httpStatusCode, attempts: err.$metadata?.attempts, message: err.message };
}

describe("rate limits", () => {
  it("a throttled call is retried by the SDK's default strategy and then succeeds", async () => {
    // Practically no refill by itself: the test refills by moving the emulator clock once the SDK was throttled.
    t.aws.setFaults({ ratePerSecond: 0.001, burst: 1 });
    const sts = t.clients(ACCOUNT).sts;
    await sts.send(new GetCallerIdentityCommand({}));
    const throttledBefore = t.aws.stats.throttled;
    const pending = sts.send(new GetCallerIdentityCommand({}));
    while (t.aws.stats.throttled === throttledBefore) await new Promise((r) => setTimeout(r, 2));
    t.aws.clock.advance(60 * 60 * 1000);
    const out = await pending;
    expect(out.Account).toBe(ACCOUNT);
    expect(out.$metadata.attempts).toBe(2);
    expect(t.aws.stats.throttled - throttledBefore).toBe(1);
  });

  it("with maxAttempts 1 a Q Business call over the rate surfaces ThrottlingException 429", async () => {
    t.aws.setFaults({ ratePerSecond: 0.001, burst: 1 });
    const qbusiness = t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).qbusiness;
    await qbusiness.send(new ListApplicationsCommand({}));
    const err = await failure(qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "ThrottlingException", status: 429, message: "Rate exceeded" });
  });

  it("an STS call over the rate surfaces Throttling 400", async () => {
    t.aws.setFaults({ ratePerSecond: 0.001, burst: 1 });
    const sts = t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).sts;
    await sts.send(new GetCallerIdentityCommand({}));
    expect(await failure(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "Throttling", status: 400, message: "Rate exceeded" });
  });

  it("an S3 call over the rate surfaces SlowDown 503", async () => {
    t.aws.setFaults({ ratePerSecond: 0.001, burst: 1 });
    const s3 = t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).s3;
    await s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" }));
    expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" })))).toMatchObject({ name: "SlowDown", status: 503 });
  });

  it("limits Q Business per region but STS globally", async () => {
    t.aws.setFaults({ ratePerSecond: 0.001, burst: 1 });
    const east = t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 });
    const west = t.clients(ACCOUNT, "us-west-2", { maxAttempts: 1 });
    await east.qbusiness.send(new ListApplicationsCommand({}));
    await west.qbusiness.send(new ListApplicationsCommand({})); // its own bucket
    await east.sts.send(new GetCallerIdentityCommand({}));
    expect((await failure(west.sts.send(new GetCallerIdentityCommand({})))).name).toBe("Throttling");
  });

  it("refills the bucket at ratePerSecond", async () => {
    t.aws.setFaults({ ratePerSecond: 2, burst: 2 });
    const sts = t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).sts;
    await sts.send(new GetCallerIdentityCommand({}));
    await sts.send(new GetCallerIdentityCommand({}));
    t.aws.clock.advance(500); // one token
    await sts.send(new GetCallerIdentityCommand({}));
    expect((await failure(sts.send(new GetCallerIdentityCommand({})))).name).toBe("Throttling");
  });
});

describe("server errors", () => {
  async function pattern(): Promise<string> {
    const sts = t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).sts;
    let out = "";
    for (let i = 0; i < 40; i++) {
      try {
        await sts.send(new GetCallerIdentityCommand({}));
        out += ".";
      } catch (e) {
        expect((e as Error).name).toBe("ServiceFailure");
        out += "x";
      }
    }
    return out;
  }

  it("answers about errorRate of the calls with a server error, the same calls for the same seed", async () => {
    t.aws.setFaults({ errorRate: 0.5, seed: 7 });
    const first = await pattern();
    t.aws.setFaults({ errorRate: 0.5, seed: 7 });
    const again = await pattern();
    const failures = first.split("x").length - 1;
    expect(again).toBe(first);
    expect(failures).toBeGreaterThanOrEqual(10);
    expect(failures).toBeLessThanOrEqual(30);
  });

  it("Q Business answers InternalServerException 500, which the SDK retries up to maxAttempts", async () => {
    t.aws.setFaults({ errorRate: 1 });
    const err = await failure(t.clients(ACCOUNT, "us-east-1", { maxAttempts: 2 }).qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "InternalServerException", status: 500, attempts: 2 });
  });
});

describe("denied calls", () => {
  it("refuses Q Business in a denied region with AccessDeniedException naming caller, action and resource", async () => {
    const err = await failure(t.clients(ACCOUNT, "eu-west-1", { maxAttempts: 1 }).qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "AccessDeniedException", status: 403 });
    expect(err.message).toMatch(
      new RegExp(
        `^User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: qbusiness:ListApplications on resource: arn:aws:qbusiness:eu-west-1:${ACCOUNT}:`,
      ),
    );
  });

  it("still serves Q Business in a region that is not denied", async () => {
    const out = await t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).qbusiness.send(new ListApplicationsCommand({}));
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it("refuses a denied IAM operation with AccessDenied 403", async () => {
    const err = await failure(
      t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/QBusinessWebRole`,
          ActionNames: ["qbusiness:GetDocumentContent"],
        }),
      ),
    );
    expect(err).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(err.message).toContain("iam:SimulatePrincipalPolicy");
  });
});

describe("latency and stats", () => {
  it("adds latencyMs to every call", async () => {
    t.aws.setFaults({ latencyMs: 120 });
    const sts = t.clients(ACCOUNT).sts;
    const started = performance.now();
    await sts.send(new GetCallerIdentityCommand({}));
    await sts.send(new GetCallerIdentityCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it("counts calls per service:Operation", async () => {
    const before = t.aws.stats.byOperation["s3:ListObjectsV2"] ?? 0;
    const s3 = t.clients(ACCOUNT).s3;
    await s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" }));
    await s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" }));
    expect(t.aws.stats.byOperation["s3:ListObjectsV2"]).toBe(before + 2);
  });
});
