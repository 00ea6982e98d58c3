/**
 * The audit's least-privilege policy is the union of what the checks declare
 * (app/docs/catalogue.ts renders it for the README): every AWS call a demo-fleet
 * audit makes, as the local AWS logged it, must be in it, and the audit never
 * calls anything that writes.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMetadata } from "../../app/audit/checks";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import { renderAuditPolicy } from "../../app/docs/catalogue";
import type { RequestLogEntry } from "../../app/local-aws/index";
import { loadFixtureFile } from "../../app/local-aws/index";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const DEMO = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");

let t: TestAws;
let calls: RequestLogEntry[];

beforeAll(async () => {
  t = await startTestAws(loadFixtureFile(DEMO));
  t.aws.clearRequests();
  await runAudit({ targets: targetsForFixture(t.aws.fleet), endpoint: t.aws.endpoint, maxAttempts: 1 });
  calls = [...t.aws.requests];
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("the audit's AWS calls on the demo fleet", () => {
  it("reach the local AWS (the log is not empty) across Q Business, IAM and STS", () => {
    expect(calls.length).toBeGreaterThan(50);
    expect(new Set(calls.map((c) => c.service))).toEqual(new Set(["qbusiness", "iam", "sts"]));
  });

  it("are all within the permissions the checks declare", () => {
    const declared = new Set(checkMetadata.flatMap((c) => c.permissions));
    const undeclared = [...new Set(calls.map((c) => c.action))].filter((action) => !declared.has(action as never)).sort();
    expect(undeclared).toEqual([]);
  });

  it("are all within the least-privilege policy the README shows", () => {
    const policy = JSON.parse(renderAuditPolicy()) as { Statement: { Action: string[] }[] };
    const allowed = new Set(policy.Statement.flatMap((s) => s.Action));
    expect([...new Set(calls.map((c) => c.action))].filter((a) => !allowed.has(a))).toEqual([]);
  });

  it("never write: only reads (List*, Get*, SimulatePrincipalPolicy, AssumeRole)", () => {
    const writes = calls.map((c) => c.action).filter((a) => !/^(qbusiness|iam|sts|s3):(List|Get|Simulate|AssumeRole$)/.test(a));
    expect(writes).toEqual([]);
  });
});
