/**
 * Applications handed over (ADR 0017): the audit checks each application as
 * soon as it is read and keeps only its findings and its stored inventory,
 * packed. This must change nothing a user sees: on the same fleet, at the same
 * clock, the report (findings in the same order, readiness, summary) and every
 * stored application inventory are byte for byte those of the whole-inventory
 * path (collect everything, then run the checks over it), which re-audits use.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AwsCallStats } from "~/aws/clients";
import { collectTargets } from "~/audit/collect";
import { auditPreparedTargets, collectAndCheck, reportAndStore } from "~/audit/pipeline";
import { prepareTargets, targetsForFixture } from "~/audit/targets";
import { generateFleet } from "~/local-aws/generate-fleet";
import { startLocalAws, type LocalAws } from "~/local-aws/index";
import { validateFixture } from "~/local-aws/fixture";
import type { Fixture } from "~/local-aws/fixture-types";
import { readFileSync } from "node:fs";

const DEMO = validateFixture(JSON.parse(readFileSync(path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json"), "utf8")));
const NOW = new Date("2026-11-30T12:00:00.000Z");

let aws: LocalAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/** Audit the fleet both ways against one local AWS, at one clock. */
async function bothWays(fixture: Fixture) {
  aws = await startLocalAws({ fixture, port: 0 });
  const prepared = await prepareTargets(targetsForFixture(fixture), { endpoint: aws.endpoint, stats: new AwsCallStats() });
  const options = { now: () => NOW };
  const whole = await collectAndCheck(prepared, options);
  const wholeResult = await reportAndStore(whole.inventory, whole.findings, undefined, { fileSuppressions: [] });
  const streamed = await auditPreparedTargets(prepared, { now: () => NOW });
  return { whole: wholeResult, streamed };
}

const withoutScanTime = <T extends { scannedAt: string }>({ scannedAt: _at, ...rest }: T) => rest;

describe("an audit that settles each application as it is read", () => {
  it.each([
    ["the demo fleet", DEMO],
    [
      "a generated fleet of 2 accounts × 2 regions, roles shared across applications",
      generateFleet({ accounts: 2, regions: 2, apps: 3, dataSources: 3, syncJobs: 6, documents: 30, seed: 11 }),
    ],
  ])("gives %s the report and the stored inventories of the whole-inventory path", async (_name, fixture) => {
    const { whole, streamed } = await bothWays(fixture);
    expect(streamed.report.findings.length).toBeGreaterThan(10);
    expect(streamed.report.findings.map((f) => `${f.checkId} ${f.status} ${f.resource.applicationId} ${f.resource.name}`)).toEqual(
      whole.report.findings.map((f) => `${f.checkId} ${f.status} ${f.resource.applicationId} ${f.resource.name}`),
    );
    expect(withoutScanTime(streamed.report)).toEqual(withoutScanTime(whole.report));
    expect(streamed.inventory.applications.map((a) => a.storedText())).toEqual(whole.inventory.applications.map((a) => a.storedText()));
    expect(streamed.inventory.applications.map((a) => a.header)).toEqual(whole.inventory.applications.map((a) => a.header));
  });
});

describe("an application that cannot be settled", () => {
  it("fails the collection with its own error, not as a target that cannot be listed", async () => {
    aws = await startLocalAws({ fixture: DEMO, port: 0 });
    const prepared = await prepareTargets(targetsForFixture(DEMO), { endpoint: aws.endpoint, stats: new AwsCallStats() });
    const bug = new TypeError("a check failed on this application");
    let handed = 0;
    const collecting = collectTargets(prepared, { now: () => NOW }, (app) => {
      if (++handed === 2) throw bug;
      return app.applicationId;
    });
    await expect(collecting).rejects.toBe(bug);
    // The same fleet, nothing thrown: more than two applications are handed over (so the second one was reached above).
    const read = await collectTargets(prepared, { now: () => NOW }, (app) => app.applicationId);
    expect(read.applications.length).toBeGreaterThan(2);
  });
});
