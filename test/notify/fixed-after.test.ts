/**
 * Notifications say how long something was wrong (issue 14.5): a webhook
 * receiver in this test gets, after audits of a changing fleet on the local
 * AWS stored in a real SQLite file, "fixed after 3 days" for a data source
 * fully synced, "resource gone after 5 days" for a deleted application's
 * failing findings, and "reopened" when it comes back failing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { openDatabase, type Db } from "~/db/database";
import { accountCredentials } from "~/local-aws/fixture-types";
import type { Notification } from "~/notify/message";
import { duration } from "~/util/duration";
import { AFTER, documents, syncJob } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook";
import { PROD, REGION, SANDBOX, WEST, suppressionFleet } from "../suppressions/fleet";

const DAY = 86_400_000;
let aws: TestAws;
let db: Db;
let dir: string;
let receiver: WebhookReceiver;
let url: string;
const received: Notification[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-fixed-after-"));
  db = await openDatabase(path.join(dir, "audits.sqlite"));
  aws = await startTestAws(suppressionFleet());
  receiver = await startWebhookReceiver(received);
  url = receiver.url;
});
afterAll(async () => {
  await receiver.close();
  await aws.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function auditAfter(ms: number) {
  aws.aws.clock.advance(ms);
  const targets = targetsForFixture(aws.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  return runAudit({
    targets,
    endpoint: aws.aws.endpoint,
    db,
    notify: { webhookUrl: url, backoffMs: [10] },
    securityHub: false,
    now: () => aws.aws.clock.now(),
  });
}

const sandboxApps = () => aws.aws.fleet.accounts.find((a) => a.accountId === SANDBOX)!.regions[REGION]!.applications;

describe("notifications tell how long a finding was wrong", () => {
  it("fixed after N days, resource gone after N days, reopened", async () => {
    await auditAfter(0);
    expect(received).toHaveLength(1);

    const ds = aws.aws.fleet.accounts.find((a) => a.accountId === PROD)!.regions[WEST]!.applications[0]!.indices[0]!.dataSources[0]!;
    ds.syncJobs = [syncJob("prod-full", AFTER)];
    ds.documents = documents(2, "2025-08-01T10:01:00.000Z");
    await auditAfter(3 * DAY);
    expect(received).toHaveLength(2);
    const fixed = received[1]!.fixed!.find((f) => f.checkId === "datasource-full-sync-missing")!;
    expect(fixed).toMatchObject({ accountId: PROD, fixedReason: "passed", openDays: 3 });
    expect(received[1]!.text).toContain(`critical datasource-full-sync-missing: ${fixed.resource} (${PROD}/${WEST}) (fixed after 3 days)`);

    const app = sandboxApps().find((a) => a.displayName === "sandbox-app")!;
    sandboxApps().splice(sandboxApps().indexOf(app), 1);
    await auditAfter(2 * DAY);
    expect(received).toHaveLength(3);
    const gone = received[2]!.fixed!.filter((f) => f.applicationId === app.applicationId);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((f) => f.fixedReason === "resource-gone" && f.openDays === 5)).toBe(true);
    expect(received[2]!.text).toMatch(
      /Fixed \(\d+\):\n( {2}• .*\n)* {2}• critical datasource-full-sync-missing: sandbox-app-ds \(111100000001\/us-east-1\) \(resource gone after 5 days\)/,
    );

    sandboxApps().push(app);
    await auditAfter(DAY);
    expect(received).toHaveLength(4);
    const back = received[3]!.newlyFailing!.find((f) => f.checkId === "datasource-full-sync-missing" && f.applicationId === app.applicationId)!;
    expect(back).toMatchObject({ reopened: 1, firstSeen: received[3]!.scannedAt });
    expect(received[3]!.text).toContain("sandbox-app-ds (111100000001/us-east-1) (failing again: reopened 1 time)");
  });

  it("durations read as days, hours or less than an hour", () => {
    expect(duration("2026-01-01T00:00:00Z", "2026-01-04T05:00:00Z")).toBe("3 days");
    expect(duration("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")).toBe("1 day");
    expect(duration("2026-01-01T00:00:00Z", "2026-01-01T05:59:00Z")).toBe("5 hours");
    expect(duration("2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z")).toBe("less than an hour");
  });
});
