/**
 * The collector's slot order (app/audit/collect/limits.ts, ADR 0017): a free
 * slot goes to the most urgent waiter, first come first served within a
 * priority (but for the lower priorities' share), and never beyond the limit.
 * In a real audit over HTTP, the lists that lead to the data sources go first,
 * then the data sources' reads, and the IAM chains take their share.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AwsCallStats, bucketOf, RatePacing } from "../../app/aws/clients";
import { collectInventory } from "../../app/audit/collect";
import { createPriorityLimiter, pacedCall, Priority, priorityOf, sharedDataSourceSlots } from "../../app/audit/collect/limits";
import { prepareTargets, targetsForFixture } from "../../app/audit/targets";
import { startLocalAws, type LocalAws } from "../../app/local-aws/index";
import { generateFleet } from "../../app/local-aws/generate-fleet";

/** A task that runs until `finish` is called, recording when it started. */
function heldTask(started: string[], name: string): { run: () => Promise<string>; finish: () => void } {
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Queue these tasks behind one running task on a limiter of one slot, free them one by one, and return the order they ran in. */
async function runOrder(limit: ReturnType<typeof createPriorityLimiter>, waiting: readonly (readonly [string, Priority | undefined])[]): Promise<string[]> {
  const started: string[] = [];
  const first = heldTask(started, "first");
  const running = [limit(first.run, Priority.Chains)];
  const tasks = waiting.map(([name]) => heldTask(started, name));
  waiting.forEach(([, priority], i) => running.push(limit(tasks[i]!.run, priority)));
  await settle();
  expect(started).toEqual(["first"]);
  for (const task of [first, ...tasks]) {
    task.finish();
    await settle();
  }
  expect(await Promise.all(running)).toHaveLength(waiting.length + 1);
  return started;
}

describe("createPriorityLimiter", () => {
  it("hands each freed slot to the most urgent waiter, in arrival order within a priority", async () => {
    const order = await runOrder(createPriorityLimiter(1, 1_000), [
      ["chain-1", Priority.Chains],
      ["source-1", Priority.DataSources],
      ["discovery-1", Priority.Discovery],
      ["chain-2", undefined],
      ["discovery-2", Priority.Discovery],
      ["source-2", Priority.DataSources],
    ]);
    expect(order).toEqual(["first", "discovery-1", "discovery-2", "source-1", "source-2", "chain-1", "chain-2"]);
  });

  it("gives every share-th slot handed on while several priorities wait to the next one down, so none starves", async () => {
    const order = await runOrder(createPriorityLimiter(1, 2), [
      ["chain-1", Priority.Chains],
      ["chain-2", Priority.Chains],
      ["source-1", Priority.DataSources],
      ["source-2", Priority.DataSources],
      ["discovery-1", Priority.Discovery],
      ["discovery-2", Priority.Discovery],
    ]);
    expect(order).toEqual(["first", "discovery-1", "source-1", "discovery-2", "chain-1", "source-2", "chain-2"]);
  });

  it("never runs more than its limit at once, and frees the slot of a task that fails", async () => {
    const limit = createPriorityLimiter(3);
    let inFlight = 0;
    let most = 0;
    const task = (i: number) => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await settle();
      inFlight--;
      if (i % 4 === 0) throw new Error(`task ${i} failed`);
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => limit(task(i), (i % 3) as Priority)));
    expect(most).toBe(3);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(5);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(15);
  });

  it("refuses a limit or a share that is not a whole number in range", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => createPriorityLimiter(bad)).toThrow(/positive integer/);
    for (const bad of [1, 0, 2.5]) expect(() => createPriorityLimiter(4, bad)).toThrow(/share must be an integer of 2 or more/);
  });

  it("ranks the operations: the lists first, then each data source's reads, then the chains", () => {
    for (const op of [
      "qbusiness:ListApplications",
      "qbusiness:GetApplication",
      "qbusiness:ListIndices",
      "qbusiness:ListWebExperiences",
      "qbusiness:ListDataSources",
    ] as const) {
      expect(priorityOf(op)).toBe(Priority.Discovery);
    }
    for (const op of ["qbusiness:ListDocuments", "qbusiness:GetDataSource", "qbusiness:ListDataSourceSyncJobs"] as const)
      expect(priorityOf(op)).toBe(Priority.DataSources);
    for (const op of ["qbusiness:GetWebExperience", "iam:GetRole", "iam:SimulatePrincipalPolicy"] as const) expect(priorityOf(op)).toBe(Priority.Chains);
  });
});

describe("sharedDataSourceSlots", () => {
  it("keeps every target within its own slots and all of them within the shared ones, and runs every task", async () => {
    const shared = createPriorityLimiter(6);
    const running = { all: 0, most: 0, byTarget: [0, 0, 0], mostByTarget: [0, 0, 0] };
    const slots = [0, 1, 2].map(() => sharedDataSourceSlots(createPriorityLimiter(4), shared));
    const task = (target: number) => async () => {
      running.all++;
      running.byTarget[target]!++;
      running.most = Math.max(running.most, running.all);
      running.mostByTarget[target] = Math.max(running.mostByTarget[target]!, running.byTarget[target]!);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running.all--;
      running.byTarget[target]!--;
      return target;
    };
    // Target 0 has 24 data sources, the others 3 each: target 0 is held by its own 4, all of them by the shared 6.
    const targets = [...Array.from({ length: 24 }, () => 0), 1, 1, 1, 2, 2, 2];
    const done = await Promise.all(targets.map((t) => slots[t]!(task(t))));
    expect(done).toEqual(targets);
    expect(running.most).toBe(6);
    expect(running.mostByTarget[0]).toBe(4);
    expect(Math.max(...running.mostByTarget)).toBe(4);
  });
});

describe("pacedCall", () => {
  it("gives the slot back when its bucket was paced while it waited, so another operation's request is not held behind the pace", async () => {
    const stats = new AwsCallStats();
    const pacing = new RatePacing(stats);
    const call = pacedCall({ accountId: "111122223333", region: "us-east-1", pacing, perTarget: createPriorityLimiter(1), global: createPriorityLimiter(1) });
    const started: string[] = [];
    const first = heldTask(started, "first");
    const running = [call("qbusiness:ListDocuments", first.run)];
    // Two document pages let through while the bucket is unpaced, then a sync-job page of the same target, all waiting for its one slot.
    const pages = ["page-1", "page-2"].map((name) => heldTask(started, name));
    running.push(...pages.map((page) => call("qbusiness:ListDocuments", page.run)));
    const jobs = heldTask(started, "jobs");
    running.push(call("qbusiness:ListDataSourceSyncJobs", jobs.run));
    await settle();
    expect(started).toEqual(["first"]);

    // The document bucket throttles having accepted nothing: its pace falls to the slowest (one request per two seconds).
    stats.attemptEnded(bucketOf("111122223333", "us-east-1", "qbusiness:ListDocuments"), true);
    expect(pacing.rateOf(bucketOf("111122223333", "us-east-1", "qbusiness:ListDocuments"))).toBe(0.5);
    first.finish();
    await settle();
    // page-1 took the bucket's one token; page-2 waits for the next one holding no slot, so the sync-job page goes first.
    expect(started).toEqual(["first", "jobs"]);
    jobs.finish();
    await settle();
    expect(started).toEqual(["first", "jobs", "page-1"]);
    pages[0]!.finish();
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(started).toEqual(["first", "jobs", "page-1", "page-2"]);
    pages[1]!.finish();
    expect(await Promise.all(running)).toEqual(["first", "page-1", "page-2", "jobs"]);
  });
});

describe("the collector's request order over HTTP", () => {
  let aws: LocalAws | undefined;
  afterEach(async () => {
    await aws?.close();
    aws = undefined;
  });

  it("sends the lists first, then the data sources' reads, the chains taking a share, when one request goes at a time", async () => {
    const fixture = generateFleet({ accounts: 1, regions: 1, apps: 3, dataSources: 2, syncJobs: 3, documents: 250, seed: 5 });
    aws = await startLocalAws({ fixture, port: 0 });
    const stats = new AwsCallStats();
    const operations: string[] = [];
    stats.onAttempt((bucket) => operations.push(bucket.split("|")[2]!));
    const targets = await prepareTargets(targetsForFixture(fixture), { endpoint: aws.endpoint, stats });
    const inventory = await collectInventory(targets, { stats, concurrency: 1, concurrencyPerTarget: 1 });

    const first = (prefix: string) => operations.findIndex((op) => op.startsWith(prefix));
    const last = (op: string) => operations.lastIndexOf(op);
    expect(inventory.applications).toHaveLength(3);
    expect(inventory.applications.flatMap((a) => a.indices.flatMap((i) => i.dataSources)).every((ds) => ds.documents.scanned === 250)).toBe(true);
    expect(first("iam:")).toBeGreaterThan(0);
    // The lists that lead to the data sources all went out before the first request of a chain...
    expect(last("qbusiness:ListDataSources")).toBeLessThan(first("qbusiness:GetWebExperience"));
    // ...the data sources' reads (the document pages first of all) before the chains' IAM requests...
    expect(first("qbusiness:ListDocuments")).toBeLessThan(first("qbusiness:GetWebExperience"));
    expect(first("qbusiness:GetDataSource")).toBeLessThan(first("iam:"));
    // ...and the chains were not left until the data sources' reads ran out.
    expect(last("iam:SimulatePrincipalPolicy")).toBeGreaterThan(0);
    expect(first("iam:")).toBeLessThan(last("qbusiness:ListDocuments"));
  });
});
