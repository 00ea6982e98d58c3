/**
 * The local Q Business held against the official API model: every answer of
 * the 16 operations the emulator serves, captured raw (status, headers, body)
 * under the real SDK client over HTTP against the demo fleet, must fit the
 * model's output or error shapes; and the emulator must read every query
 * parameter under the model's locationName.
 */
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BatchDeleteDocumentCommand,
  BatchPutDocumentCommand,
  GetApplicationCommand,
  GetDataSourceCommand,
  GetDocumentContentCommand,
  GetIndexCommand,
  GetWebExperienceCommand,
  ListApplicationsCommand,
  ListDataSourceSyncJobsCommand,
  ListDataSourcesCommand,
  ListDocumentsCommand,
  ListIndicesCommand,
  ListWebExperiencesCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  UpdateDataSourceCommand,
  type QBusinessClient,
} from "@aws-sdk/client-qbusiness";
import type { Fixture, FixtureApplication, FixtureDataSource, FixtureIndex } from "~/local-aws/fixture-types";
import { generateFleet } from "~/local-aws/generate-fleet";
import { loadFixtureFile } from "~/local-aws/index";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { captureRawResponses, constraintViolations, errorProblems, loadQBusinessModel, successProblems, type RawResponse } from "../helpers/qbusiness-model";

const model = loadQBusinessModel();
const DEMO_FLEET = path.join(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
const demo: Fixture = loadFixtureFile(DEMO_FLEET);
/** A small generated fleet with every scenario of the generator (failed syncs, uploads, anonymous, denied...). */
const generated: Fixture = generateFleet({ accounts: 1, regions: 2, apps: 9, dataSources: 2, syncJobs: 3, documents: 3, seed: 12 });

/** The operations the emulator serves. */
const SERVED = [
  "ListApplications",
  "GetApplication",
  "ListIndices",
  "GetIndex",
  "ListDataSources",
  "GetDataSource",
  "UpdateDataSource",
  "ListDataSourceSyncJobs",
  "StartDataSourceSyncJob",
  "StopDataSourceSyncJob",
  "ListDocuments",
  "GetDocumentContent",
  "BatchPutDocument",
  "BatchDeleteDocument",
  "ListWebExperiences",
  "GetWebExperience",
] as const;
type Operation = (typeof SERVED)[number];
/** The paged list operations (maxResults, nextToken). */
const LISTS = ["ListApplications", "ListIndices", "ListDataSources", "ListDataSourceSyncJobs", "ListDocuments", "ListWebExperiences"] as const;

/** One resource path in the fleet: the ids an operation's input needs. */
interface Target {
  accountId: string;
  region: string;
  applicationId: string;
  indexId: string;
  dataSourceId: string;
  webExperienceId: string;
  documentId: string;
}

type Ids = (t: Target) => Record<string, unknown>;
const appIds: Ids = (t) => ({ applicationId: t.applicationId });
const indexIds: Ids = (t) => ({ ...appIds(t), indexId: t.indexId });
const sourceIds: Ids = (t) => ({ ...indexIds(t), dataSourceId: t.dataSourceId });

/** Each served operation's SDK command, and the input it takes from a target. */
const COMMANDS: Record<Operation, [new (input: never) => unknown, Ids]> = {
  ListApplications: [ListApplicationsCommand, () => ({})],
  GetApplication: [GetApplicationCommand, appIds],
  ListIndices: [ListIndicesCommand, appIds],
  GetIndex: [GetIndexCommand, indexIds],
  ListDataSources: [ListDataSourcesCommand, indexIds],
  GetDataSource: [GetDataSourceCommand, sourceIds],
  UpdateDataSource: [UpdateDataSourceCommand, (t) => ({ ...sourceIds(t), description: "conformance" })],
  ListDataSourceSyncJobs: [ListDataSourceSyncJobsCommand, sourceIds],
  StartDataSourceSyncJob: [StartDataSourceSyncJobCommand, sourceIds],
  StopDataSourceSyncJob: [StopDataSourceSyncJobCommand, sourceIds],
  ListDocuments: [ListDocumentsCommand, indexIds],
  GetDocumentContent: [GetDocumentContentCommand, (t) => ({ ...indexIds(t), documentId: t.documentId })],
  BatchPutDocument: [
    BatchPutDocumentCommand,
    (t) => ({ ...indexIds(t), documents: [{ id: "conformance.txt", content: { blob: Buffer.from("hello") }, contentType: "PLAIN_TEXT" }] }),
  ],
  BatchDeleteDocument: [BatchDeleteDocumentCommand, (t) => ({ ...indexIds(t), documents: [{ documentId: t.documentId }] })],
  ListWebExperiences: [ListWebExperiencesCommand, appIds],
  GetWebExperience: [GetWebExperienceCommand, (t) => ({ ...appIds(t), webExperienceId: t.webExperienceId })],
};

/**
 * The SDK command for an operation, with the target's ids and the extra input
 * given. Typed as one command: the union of command types defeats send()'s
 * overloads; each is the real one for `op`.
 */
function command(op: Operation, t: Target, extra: Record<string, unknown> = {}): ListApplicationsCommand {
  const [Command, ids] = COMMANDS[op];
  return new Command({ ...ids(t), ...extra } as never) as ListApplicationsCommand;
}

/** Every resource path of the demo fleet, one per data source × document (or per data source when it has none). */
function targets(fleet: Fixture): Target[] {
  const out: Target[] = [];
  for (const account of fleet.accounts) {
    for (const [region, { applications }] of Object.entries(account.regions)) {
      for (const app of applications) {
        for (const index of app.indices) {
          for (const ds of index.dataSources) {
            const docs = ds.documents.length > 0 ? ds.documents.map((d) => d.documentId) : [""];
            for (const documentId of docs) {
              out.push({
                accountId: account.accountId,
                region,
                applicationId: app.applicationId,
                indexId: index.indexId,
                dataSourceId: ds.dataSourceId,
                webExperienceId: app.webExperiences[0]?.webExperienceId ?? "",
                documentId,
              });
            }
          }
        }
      }
    }
  }
  return out;
}

/** A healthy target: the first account's first application with a data source, document and web experience. */
function firstTarget(fleet: Fixture): Target {
  const t = targets(fleet).find((x) => x.documentId && x.webExperienceId && !isDeniedRegion(fleet, x));
  if (!t) throw new Error("demo fleet has no complete application");
  return t;
}

function isDeniedRegion(fleet: Fixture, t: Target): boolean {
  const account = fleet.accounts.find((a) => a.accountId === t.accountId);
  return (account?.denied ?? []).some((d) => d.service === "qbusiness" && (d.region === undefined || d.region === t.region));
}

interface Outcome {
  raw: RawResponse;
  error?: { name: string };
  output?: Record<string, unknown>;
}

/** The demo fleet behind real SDK clients whose raw answers are recorded. */
class Harness {
  private clientsByScope = new Map<string, { client: QBusinessClient; last: () => RawResponse | undefined }>();
  constructor(readonly env: TestAws) {}

  client(accountId: string, region: string) {
    const key = `${accountId}/${region}`;
    let entry = this.clientsByScope.get(key);
    if (!entry) {
      const { qbusiness } = this.env.clients(accountId, region, { maxAttempts: 1 });
      entry = { client: qbusiness, last: captureRawResponses(qbusiness) };
      this.clientsByScope.set(key, entry);
    }
    return entry;
  }

  async call(op: Operation, t: Target, extra: Record<string, unknown> = {}): Promise<Outcome> {
    const { client, last } = this.client(t.accountId, t.region);
    const before = this.env.aws.stats.byOperation[`qbusiness:${op}`] ?? 0;
    let output: Record<string, unknown> | undefined;
    let error: { name: string } | undefined;
    try {
      output = (await client.send(command(op, t, extra))) as unknown as Record<string, unknown>;
    } catch (e) {
      error = e as { name: string };
    }
    const raw = last();
    if (!raw) throw new Error(`no raw answer recorded for ${op}`);
    // The emulator routed the request to the operation the SDK meant (path and method as in the model).
    expect(this.env.aws.stats.byOperation[`qbusiness:${op}`] ?? 0, `${op} was routed to another operation`).toBe(before + 1);
    return { raw, error, output };
  }
}

/**
 * Runs the enclosing describe on the demo fleet behind a Harness, handing it
 * and the fleet's first target to `use`: "each" starts a fresh fleet for every
 * test (the writes change it), "all" one for the whole describe.
 */
function onDemoFleet(scope: "each" | "all", use: (h: Harness, t: Target) => void): void {
  let h: Harness;
  (scope === "each" ? beforeEach : beforeAll)(async () => {
    h = new Harness(await startTestAws(DEMO_FLEET));
    use(h, firstTarget(h.env.aws.fleet));
  });
  (scope === "each" ? afterEach : afterAll)(async () => {
    await h.env.close();
  });
}

/** Model problems of an answer, success or error. */
function problemsOf(op: Operation, outcome: Outcome): string[] {
  return outcome.error ? errorProblems(model, op, outcome.raw) : successProblems(model, op, outcome.raw);
}

describe("the model's HTTP bindings of the served operations", () => {
  it("every served operation answers 200 and binds no output member to a header or the status, so every output member is a body member", () => {
    const bindings = SERVED.flatMap((op) => {
      const o = model.operations[op];
      const members = Object.entries(model.shapes[o.output!.shape].members ?? {});
      return [
        ...(o.http.responseCode !== 200 ? [`${op} answers ${o.http.responseCode}`] : []),
        ...members.filter(([, m]) => m.location).map(([name, m]) => `${op}.${name} -> ${m.location}`),
      ];
    });
    // Were this to change, successProblems checks header-bound members as headers; this pins what the suite relies on.
    expect(bindings).toEqual([]);
  });
});

// ---------------------------------------------------------------- success answers across the fleet

describe.each([
  ["demo fleet", demo],
  ["generated fleet", generated],
])("answers of the read operations across the whole %s match the model", (_name, fleet) => {
  let h: Harness;
  beforeAll(async () => {
    h = new Harness(await startTestAws(structuredClone(fleet)));
  });
  afterAll(async () => {
    await h.env.close();
  });

  const READS: Operation[] = [
    "ListApplications",
    "GetApplication",
    "ListIndices",
    "GetIndex",
    "ListDataSources",
    "GetDataSource",
    "ListDataSourceSyncJobs",
    "ListDocuments",
    "GetDocumentContent",
    "ListWebExperiences",
    "GetWebExperience",
  ];
  /** List operations, also asked for one item a page so that nextToken is on the wire. */
  const PAGED = new Set<Operation>(LISTS);

  it.each(READS)("%s: every answer for the fleet's resources fits the model's output or error shapes", async (op) => {
    const problems: string[] = [];
    let successes = 0;
    const seen = new Set<string>();
    for (const t of targets(fleet)) {
      // One call per distinct input: the ids this operation actually sends.
      const key = JSON.stringify(command(op, t).input);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const extra of PAGED.has(op) ? [{}, { maxResults: 1 }] : [{}]) {
        const outcome = await h.call(op, t, extra);
        if (!outcome.error) successes++;
        problems.push(...problemsOf(op, outcome).map((p) => `${op} ${key} ${JSON.stringify(extra)}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
    expect(successes).toBeGreaterThan(0);
  });

  it("ListDataSourceSyncJobs: a FAILED job's error detail fits the ErrorDetail shape", async () => {
    const failing = targets(fleet).find((t) => !isDeniedRegion(fleet, t) && dataSourceOf(fleet, t).syncJobs.some((j) => j.status === "FAILED" && j.error));
    expect(failing, "the fleet has a failed sync job with an error").toBeDefined();
    const outcome = await h.call("ListDataSourceSyncJobs", failing!, { statusFilter: "FAILED" });
    expect(problemsOf("ListDataSourceSyncJobs", outcome)).toEqual([]);
    const history = (JSON.parse(outcome.raw.body) as { history: { status: string; error?: unknown }[] }).history;
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((j) => j.status === "FAILED" && j.error !== undefined)).toBe(true);
  });
});

function dataSourceOf(fleet: Fixture, t: Target): FixtureDataSource {
  return indexOf(fleet, t).dataSources.find((d) => d.dataSourceId === t.dataSourceId)!;
}

function indexOf(fleet: Fixture, t: Target): FixtureIndex {
  return applicationOf(fleet, t).indices.find((i) => i.indexId === t.indexId)!;
}

function applicationOf(fleet: Fixture, t: Target): FixtureApplication {
  const account = fleet.accounts.find((a) => a.accountId === t.accountId)!;
  return account.regions[t.region].applications.find((a) => a.applicationId === t.applicationId)!;
}

// ---------------------------------------------------------------- write operations (a fresh fleet each)

describe("answers of the write operations match the model", () => {
  let h: Harness;
  let t: Target;
  onDemoFleet("each", (harness, target) => ([h, t] = [harness, target]));

  it("UpdateDataSource: a round trip of GetDataSource's members answers the (empty) output shape with 200", async () => {
    const got = await h.call("GetDataSource", t);
    const current = got.output!;
    const outcome = await h.call("UpdateDataSource", t, {
      configuration: current.configuration,
      syncSchedule: current.syncSchedule,
      roleArn: current.roleArn,
      description: "updated by the conformance test",
    });
    expect(outcome.error).toBeUndefined();
    expect(problemsOf("UpdateDataSource", outcome)).toEqual([]);
    const after = await h.call("GetDataSource", t);
    expect(problemsOf("GetDataSource", after)).toEqual([]);
    expect(after.output!.description).toBe("updated by the conformance test");
  });

  it("UpdateDataSource: vpcConfiguration, documentEnrichmentConfiguration and mediaExtractionConfiguration come back from GetDataSource within the model's shapes", async () => {
    const outcome = await h.call("UpdateDataSource", t, {
      vpcConfiguration: { subnetIds: ["subnet-0abc"], securityGroupIds: ["sg-0abc"] },
      documentEnrichmentConfiguration: {
        inlineConfigurations: [{ condition: { key: "_category", operator: "EQUALS", value: { stringValue: "hr" } }, documentContentOperator: "DELETE" }],
      },
      mediaExtractionConfiguration: { imageExtractionConfiguration: { imageExtractionStatus: "ENABLED" } },
    });
    expect(outcome.error).toBeUndefined();
    const after = await h.call("GetDataSource", t);
    expect(problemsOf("GetDataSource", after)).toEqual([]);
    expect(after.output!.vpcConfiguration).toEqual({ subnetIds: ["subnet-0abc"], securityGroupIds: ["sg-0abc"] });
    expect(after.output!.mediaExtractionConfiguration).toEqual({ imageExtractionConfiguration: { imageExtractionStatus: "ENABLED" } });
  });

  it("StartDataSourceSyncJob: answers an executionId fitting ExecutionId, and the running then finished job fits DataSourceSyncJob", async () => {
    const started = await h.call("StartDataSourceSyncJob", t);
    expect(started.error).toBeUndefined();
    expect(problemsOf("StartDataSourceSyncJob", started)).toEqual([]);
    const running = await h.call("ListDataSourceSyncJobs", t, { maxResults: 1 });
    expect(problemsOf("ListDataSourceSyncJobs", running)).toEqual([]);
    expect(JSON.parse(running.raw.body).history[0].status).toBe("SYNCING");
    h.env.aws.clock.advance(3_600_000);
    const finished = await h.call("ListDataSourceSyncJobs", t, { maxResults: 1 });
    expect(problemsOf("ListDataSourceSyncJobs", finished)).toEqual([]);
    expect(JSON.parse(finished.raw.body).history[0]).toMatchObject({ status: "SUCCEEDED", executionId: started.output!.executionId });
  });

  it("StopDataSourceSyncJob: stopping a running job answers the (empty) output shape with 200, and the stopping job fits DataSourceSyncJob", async () => {
    await h.call("StartDataSourceSyncJob", t);
    const stopped = await h.call("StopDataSourceSyncJob", t);
    expect(stopped.error).toBeUndefined();
    expect(problemsOf("StopDataSourceSyncJob", stopped)).toEqual([]);
    const jobs = await h.call("ListDataSourceSyncJobs", t, { maxResults: 1 });
    expect(problemsOf("ListDataSourceSyncJobs", jobs)).toEqual([]);
    expect(JSON.parse(jobs.raw.body).history[0].status).toBe("STOPPING");
  });

  it("BatchPutDocument: accepted and failed documents are answered in the FailedDocuments shape", async () => {
    const outcome = await h.call("BatchPutDocument", t, {
      documents: [
        { id: "ok.txt", content: { blob: Buffer.from("fine") }, contentType: "PLAIN_TEXT" },
        { id: "missing.txt", content: { s3: { bucket: "no-such-bucket", key: "missing.txt" } } },
      ],
    });
    expect(outcome.error).toBeUndefined();
    expect(problemsOf("BatchPutDocument", outcome)).toEqual([]);
    expect(JSON.parse(outcome.raw.body).failedDocuments).toHaveLength(1);
    const listed = await h.call("ListDocuments", t);
    expect(problemsOf("ListDocuments", listed)).toEqual([]);
  });

  it("BatchPutDocument during a sync: failed documents name their data source in the FailedDocuments shape", async () => {
    const started = await h.call("StartDataSourceSyncJob", t);
    const outcome = await h.call("BatchPutDocument", t, {
      dataSourceSyncId: started.output!.executionId,
      documents: [{ id: "missing.txt", content: { s3: { bucket: "no-such-bucket", key: "missing.txt" } } }],
    });
    expect(problemsOf("BatchPutDocument", outcome)).toEqual([]);
    expect(JSON.parse(outcome.raw.body).failedDocuments[0].dataSourceId).toBe(t.dataSourceId);
  });

  it("BatchDeleteDocument: a deleted and an unknown document are answered in the FailedDocuments shape", async () => {
    const outcome = await h.call("BatchDeleteDocument", t, {
      documents: [{ documentId: t.documentId }, { documentId: "no-such-document" }],
    });
    expect(outcome.error).toBeUndefined();
    expect(problemsOf("BatchDeleteDocument", outcome)).toEqual([]);
    expect(JSON.parse(outcome.raw.body).failedDocuments).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- error answers

describe("error answers match the model's error shapes and each operation's error list", () => {
  let h: Harness;
  let t: Target;
  onDemoFleet("each", (harness, target) => ([h, t] = [harness, target]));

  /** Checks one error answer and that the SDK names the error as the header does. */
  function expectError(op: Operation, outcome: Outcome, code: string) {
    expect(outcome.error?.name, `${op} answered ${outcome.raw.status} ${outcome.raw.body}`).toBe(code);
    expect(outcome.raw.headers["x-amzn-errortype"]?.split(":")[0]).toBe(code);
    expect(errorProblems(model, op, outcome.raw)).toEqual([]);
  }

  const UNKNOWN_ID = "00000000-0000-0000-0000-000000000000";
  const WITH_APPLICATION = SERVED.filter((op) => op !== "ListApplications");

  it.each(WITH_APPLICATION)("%s: an unknown application is a ResourceNotFoundException (404, resourceId, resourceType)", async (op) => {
    const outcome = await h.call(op, { ...t, applicationId: UNKNOWN_ID });
    expectError(op, outcome, "ResourceNotFoundException");
    expect(JSON.parse(outcome.raw.body)).toMatchObject({ resourceId: UNKNOWN_ID });
  });

  it.each(WITH_APPLICATION)("%s: a malformed application id is a ValidationException (400, reason, fields)", async (op) => {
    const outcome = await h.call(op, { ...t, applicationId: "too-short" });
    expectError(op, outcome, "ValidationException");
    expect(JSON.parse(outcome.raw.body).reason).toBe("FIELD_VALIDATION_FAILED");
  });

  it.each(SERVED)("%s: a call the account may not make is an AccessDeniedException (403)", async (op) => {
    const denied = targets(h.env.aws.fleet).find((x) => isDeniedRegion(h.env.aws.fleet, x));
    expect(denied, "demo fleet denies Q Business somewhere").toBeDefined();
    expectError(op, await h.call(op, denied!), "AccessDeniedException");
  });

  it.each(SERVED)("%s: a call over the rate limit is a ThrottlingException (429)", async (op) => {
    h.env.aws.setFaults({ ratePerSecond: 0.001, burst: 1 });
    await h.call(op, t);
    expectError(op, await h.call(op, t), "ThrottlingException");
  });

  it.each(SERVED)("%s: an injected server error is an InternalServerException (500)", async (op) => {
    h.env.aws.setFaults({ errorRate: 1 });
    expectError(op, await h.call(op, t), "InternalServerException");
  });

  /** The list operations' paging inputs the model or the emulator refuses. */
  const BAD_PAGING: [string, (op: (typeof LISTS)[number]) => Record<string, unknown>][] = [
    [
      "maxResults above the model's max",
      (op) => ({ maxResults: model.shapes[model.shapes[model.operations[op].input!.shape].members!.maxResults.shape].max! + 1 }),
    ],
    ["a nextToken the emulator did not issue", () => ({ nextToken: "not-a-token" })],
  ];
  it.each(BAD_PAGING.flatMap(([what, input]) => LISTS.map((op) => [op, what, input] as const)))("%s: %s is a ValidationException", async (op, _what, input) => {
    expectError(op, await h.call(op, t, input(op)), "ValidationException");
  });

  it("StartDataSourceSyncJob: a second start while a job runs is a ConflictException (409, resourceId, resourceType)", async () => {
    await h.call("StartDataSourceSyncJob", t);
    const outcome = await h.call("StartDataSourceSyncJob", t);
    expectError("StartDataSourceSyncJob", outcome, "ConflictException");
    expect(JSON.parse(outcome.raw.body)).toMatchObject({ resourceId: t.dataSourceId });
  });

  it("StopDataSourceSyncJob: stopping with no job running is a ConflictException (409)", async () => {
    expectError("StopDataSourceSyncJob", await h.call("StopDataSourceSyncJob", t), "ConflictException");
  });

  it("GetDocumentContent: an anonymous application is an AccessDeniedException (403)", async () => {
    const anonymous = targets(h.env.aws.fleet).find((x) => applicationOf(h.env.aws.fleet, x).identityType === "ANONYMOUS");
    expect(anonymous, "demo fleet has an anonymous application").toBeDefined();
    expectError("GetDocumentContent", await h.call("GetDocumentContent", anonymous!), "AccessDeniedException");
  });

  it("GetDocumentContent: a document not re-ingested since the cutoff is a ValidationException", async () => {
    const fleet = h.env.aws.fleet;
    const stale = targets(fleet).find((x) => {
      if (isDeniedRegion(fleet, x) || applicationOf(fleet, x).identityType === "ANONYMOUS") return false;
      const doc = dataSourceOf(fleet, x).documents.find((d) => d.documentId === x.documentId);
      return doc !== undefined && Date.parse(doc.updatedAt) < Date.parse("2025-07-03T00:00:00Z");
    });
    expect(stale, "demo fleet has a stale document").toBeDefined();
    expectError("GetDocumentContent", await h.call("GetDocumentContent", stale!), "ValidationException");
  });

  it("GetDocumentContent: an unknown document is a ResourceNotFoundException", async () => {
    expectError("GetDocumentContent", await h.call("GetDocumentContent", { ...t, documentId: "no-such-document" }), "ResourceNotFoundException");
  });

  it("BatchPutDocument: more than the model's 10 documents is a ValidationException", async () => {
    const documents = Array.from({ length: 11 }, (_, i) => ({ id: `d${i}.txt`, content: { blob: Buffer.from("x") } }));
    expectError("BatchPutDocument", await h.call("BatchPutDocument", t, { documents }), "ValidationException");
  });
});

// ---------------------------------------------------------------- request side: query parameter names

describe("the emulator reads every query parameter under the model's locationName", () => {
  let h: Harness;
  let t: Target;
  onDemoFleet("each", (harness, target) => ([h, t] = [harness, target]));

  /** [operation, member]: each querystring member of a served operation, as the model binds it. */
  const QUERY_MEMBERS = SERVED.flatMap((op) =>
    Object.entries(model.shapes[model.operations[op].input!.shape].members ?? {})
      .filter(([, m]) => m.location === "querystring")
      .map(([member, m]) => [op, member, m.locationName!] as const),
  );

  /** List members of each list operation's output, to count items. */
  const LIST_MEMBER: Partial<Record<Operation, string>> = {
    ListApplications: "applications",
    ListIndices: "indices",
    ListDataSources: "dataSources",
    ListDataSourceSyncJobs: "history",
    ListDocuments: "documentDetailList",
    ListWebExperiences: "webExperiences",
  };

  const itemsOf = (op: Operation, o: Outcome) => (o.output![LIST_MEMBER[op]!] as unknown[]) ?? [];

  /** How each query member shows that the emulator read it: the answer with it differs as the model means. */
  async function readsParameter(op: Operation, member: string): Promise<void> {
    const fleet = h.env.aws.fleet;
    switch (member) {
      case "maxResults": {
        const one = await h.call(op, t, { maxResults: 1 });
        expect(one.error).toBeUndefined();
        expect(itemsOf(op, one)).toHaveLength(1);
        return;
      }
      case "nextToken": {
        // A list with at least two items, so the first page has a nextToken.
        const source = targets(fleet).find(
          (x) =>
            !isDeniedRegion(fleet, x) &&
            applicationOf(fleet, x).indices.length > 0 &&
            dataSourceOf(fleet, x).syncJobs.length > 1 &&
            dataSourceOf(fleet, x).documents.length > 1,
        )!;
        const first = await h.call(op, source, { maxResults: 1 });
        const token = first.output!.nextToken as string | undefined;
        if (op === "ListIndices" || op === "ListWebExperiences") {
          // Demo applications have one index / web experience: a foreign token must be refused, so the name is read.
          expect(token).toBeUndefined();
          const other = await h.call(op, source, { nextToken: "not-a-token" });
          expect(other.error?.name).toBe("ValidationException");
          return;
        }
        if (op === "ListDataSources" && token === undefined) {
          const refused = await h.call(op, source, { nextToken: "not-a-token" });
          expect(refused.error?.name).toBe("ValidationException");
          return;
        }
        expect(token).toBeDefined();
        const second = await h.call(op, source, { maxResults: 1, nextToken: token });
        expect(second.error).toBeUndefined();
        expect(itemsOf(op, second)).toHaveLength(1);
        expect(itemsOf(op, second)[0]).not.toEqual(itemsOf(op, first)[0]);
        return;
      }
      case "startTime":
      case "endTime": {
        const jobs = dataSourceOf(fleet, t)
          .syncJobs.map((j) => Date.parse(j.startTime))
          .sort((a, b) => a - b);
        const middle = new Date(jobs[Math.floor(jobs.length / 2)]);
        const all = await h.call(op, t, { maxResults: 10 });
        const filtered = await h.call(op, t, { maxResults: 10, [member]: middle });
        const startTimes = itemsOf(op, filtered).map((j) => (j as { startTime: Date }).startTime.getTime());
        expect(startTimes.length).toBeGreaterThan(0);
        expect(startTimes.length).toBeLessThan(itemsOf(op, all).length);
        for (const s of startTimes) {
          if (member === "startTime") expect(s).toBeGreaterThanOrEqual(middle.getTime());
          else expect(s).toBeLessThanOrEqual(middle.getTime());
        }
        return;
      }
      case "statusFilter": {
        const none = await h.call(op, t, { statusFilter: "ABORTED" });
        expect(none.error).toBeUndefined();
        expect(itemsOf(op, none)).toHaveLength(0);
        const some = await h.call(op, t, { statusFilter: "SUCCEEDED" });
        expect(itemsOf(op, some).length).toBeGreaterThan(0);
        return;
      }
      case "dataSourceIds": {
        const index = indexOf(fleet, t);
        const all = await h.call(op, t);
        const one = await h.call(op, t, { dataSourceIds: [t.dataSourceId] });
        expect(itemsOf(op, one)).toHaveLength(dataSourceOf(fleet, t).documents.length);
        expect(itemsOf(op, all).length).toBeGreaterThan(itemsOf(op, one).length + index.dataSources.length - 1 - 1);
        const unknown = await h.call(op, t, { dataSourceIds: ["00000000-0000-0000-0000-000000000000"] });
        expect(unknown.error?.name).toBe("ResourceNotFoundException");
        return;
      }
      case "dataSourceId": {
        const unknown = await h.call(op, readable(), { dataSourceId: "00000000-0000-0000-0000-000000000000" });
        expect(unknown.error?.name).toBe("ResourceNotFoundException");
        return;
      }
      case "outputFormat": {
        const target = readable();
        const raw = await h.call(op, target, { outputFormat: "RAW" });
        expect(raw.error).toBeUndefined();
        const extracted = await h.call(op, target, { outputFormat: "EXTRACTED" });
        expect(extracted.output!.mimeType).toBe("text/plain");
        expect(raw.output!.mimeType).not.toBe("text/plain");
        return;
      }
    }
    throw new Error(`no check written for ${op} query member ${member}`);
  }

  /** A document GetDocumentContent serves (not plain text, so EXTRACTED shows). */
  function readable(): Target {
    const fleet = h.env.aws.fleet;
    const found = targets(fleet).find((x) => {
      if (isDeniedRegion(fleet, x) || applicationOf(fleet, x).identityType === "ANONYMOUS") return false;
      const doc = dataSourceOf(fleet, x).documents.find((d) => d.documentId === x.documentId);
      return doc !== undefined && doc.s3Key !== undefined && !doc.s3Key.endsWith(".txt") && Date.parse(doc.updatedAt) >= Date.parse("2025-07-03T00:00:00Z");
    });
    if (!found) throw new Error("demo fleet has no downloadable document");
    return found;
  }

  it("the served operations have the query members this suite checks, as the model names them", () => {
    expect(QUERY_MEMBERS.map(([op, member, name]) => `${op}.${member}=${name}`)).toEqual([
      "ListApplications.nextToken=nextToken",
      "ListApplications.maxResults=maxResults",
      "ListIndices.nextToken=nextToken",
      "ListIndices.maxResults=maxResults",
      "ListDataSources.nextToken=nextToken",
      "ListDataSources.maxResults=maxResults",
      "ListDataSourceSyncJobs.nextToken=nextToken",
      "ListDataSourceSyncJobs.maxResults=maxResults",
      "ListDataSourceSyncJobs.startTime=startTime",
      "ListDataSourceSyncJobs.endTime=endTime",
      "ListDataSourceSyncJobs.statusFilter=syncStatus",
      "ListDocuments.dataSourceIds=dataSourceIds",
      "ListDocuments.nextToken=nextToken",
      "ListDocuments.maxResults=maxResults",
      "GetDocumentContent.dataSourceId=dataSourceId",
      "GetDocumentContent.outputFormat=outputFormat",
      "ListWebExperiences.nextToken=nextToken",
      "ListWebExperiences.maxResults=maxResults",
    ]);
  });

  it.each(QUERY_MEMBERS.map(([op, member, name]) => [op, member, name]))("%s reads %s from the query parameter the model names", async (op, member, name) => {
    // The SDK (generated from the same model) puts the member under `name`; the answer must show its effect.
    const { client } = h.client(t.accountId, t.region);
    const sent: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { query?: Record<string, unknown> };
        sent.push(...Object.keys(request.query ?? {}));
        return next(args);
      },
      { step: "build", name: `recordQuery-${op}-${member}` },
    );
    await readsParameter(op as Operation, member);
    expect(sent).toContain(name);
  });
});

// ---------------------------------------------------------------- request side: the model's input constraints

describe("inputs that break the model's constraints are ValidationExceptions", () => {
  let h: Harness;
  let t: Target;
  onDemoFleet("all", (harness, target) => ([h, t] = [harness, target]));

  /** Members of a list item shape (BatchPut's Document, BatchDelete's DeleteDocument) are checked inside one valid item. */
  const ITEM_OF: Partial<Record<Operation, { member: string; base: Record<string, unknown> }>> = {
    BatchPutDocument: { member: "documents", base: { id: "valid.txt", content: { blob: Buffer.from("x") } } },
    BatchDeleteDocument: { member: "documents", base: { documentId: "valid.txt" } },
  };

  /** A valid item of each list shape the cases build, so that only the list's length is wrong. */
  const EXAMPLE_ITEM: Record<string, (i: number) => unknown> = {
    DataSourceId: () => firstTarget(demo).dataSourceId,
    Document: (i) => ({ id: `d${i}.txt`, content: { blob: Buffer.from("x") } }),
    DeleteDocument: (i) => ({ documentId: `d${i}.txt` }),
    DocumentAttribute: (i) => ({ name: `attribute${i}`, value: { stringValue: "x" } }),
  };

  /** `n` valid items of a list shape. */
  function listOf(listShape: string, n: number): unknown[] {
    const item = model.shapes[listShape].member!.shape;
    if (!EXAMPLE_ITEM[item]) throw new Error(`no example item for ${item}`);
    return Array.from({ length: n }, (_, i) => EXAMPLE_ITEM[item](i));
  }

  /** The violating value as it goes on the wire: list violations come as a count of items. */
  function wireValue(shapeName: string, value: unknown): unknown {
    const items = (value as { items?: number } | undefined)?.items;
    return items === undefined ? value : listOf(shapeName, items);
  }

  interface Case {
    op: Operation;
    where: string;
    extra: Record<string, unknown>;
  }

  const CASES: Case[] = SERVED.flatMap((op) => {
    const input = model.shapes[model.operations[op].input!.shape];
    const cases: Case[] = [];
    for (const [member, m] of Object.entries(input.members ?? {})) {
      for (const v of constraintViolations(model, m.shape)) {
        // An empty list in a query string is not on the wire at all: nothing to refuse.
        if ((v.value as { items?: number } | undefined)?.items === 0 && m.location === "querystring") continue;
        cases.push({ op, where: `${member} = ${v.what}`, extra: { [member]: wireValue(m.shape, v.value) } });
      }
    }
    const item = ITEM_OF[op];
    if (item) {
      const itemShape = model.shapes[model.shapes[input.members![item.member].shape].member!.shape];
      for (const [member, m] of Object.entries(itemShape.members ?? {})) {
        for (const v of constraintViolations(model, m.shape)) {
          const document = { ...item.base, [member]: wireValue(m.shape, v.value) };
          cases.push({ op, where: `${item.member}[0].${member} = ${v.what}`, extra: { [item.member]: [document] } });
        }
      }
      for (const required of itemShape.required ?? []) {
        const { [required]: _dropped, ...rest } = item.base;
        cases.push({ op, where: `${item.member}[0] without its required ${required}`, extra: { [item.member]: [rest] } });
      }
    }
    if (op === "UpdateDataSource") {
      // Structures GetDataSource returns as stored: the service must refuse them unless they fit the model.
      const broken: [string, Record<string, unknown>][] = [
        ["vpcConfiguration without its required securityGroupIds", { vpcConfiguration: { subnetIds: ["subnet-1"] } }],
        [
          "vpcConfiguration.securityGroupIds = 11 items (max 10)",
          { vpcConfiguration: { subnetIds: ["subnet-1"], securityGroupIds: Array.from({ length: 11 }, (_, i) => `sg-${i}`) } },
        ],
        ['vpcConfiguration.subnetIds[0] = "subnet 1" against the pattern', { vpcConfiguration: { subnetIds: ["subnet 1"], securityGroupIds: ["sg-1"] } }],
        [
          "mediaExtractionConfiguration.imageExtractionConfiguration.imageExtractionStatus = a value outside the enum",
          { mediaExtractionConfiguration: { imageExtractionConfiguration: { imageExtractionStatus: "MAYBE" } } },
        ],
        [
          "mediaExtractionConfiguration.audioExtractionConfiguration without its required audioExtractionStatus",
          { mediaExtractionConfiguration: { audioExtractionConfiguration: {} } },
        ],
      ];
      for (const [where, extra] of broken) cases.push({ op, where, extra });
    }
    if (op === "BatchPutDocument") {
      // DocumentContent is a union; its S3 member requires bucket and key, the bucket name has a pattern.
      const broken: [string, unknown][] = [
        ["content with both blob and s3 (a union takes one)", { blob: Buffer.from("x"), s3: { bucket: "acme-hr", key: "a.txt" } }],
        ["content.s3 without its required key", { s3: { bucket: "acme-hr" } }],
        ['content.s3.bucket = "Not_A_Bucket" against the pattern', { s3: { bucket: "Not_A_Bucket", key: "a.txt" } }],
        ["content.s3.key = 1025 characters (max 1024)", { s3: { bucket: "acme-hr", key: "k".repeat(1025) } }],
      ];
      for (const [where, content] of broken) {
        cases.push({ op, where: `documents[0].${where}`, extra: { documents: [{ id: "valid.txt", content }] } });
      }
    }
    return cases;
  });

  it("the model constrains an input member of every served operation, so each has cases here", () => {
    expect(new Set(CASES.map((c) => c.op))).toEqual(new Set(SERVED));
  });

  it.each(CASES.map((c) => [c.op, c.where, c] as const))("%s: %s is a ValidationException", async (op, _where, c) => {
    const outcome = await h.call(op, t, c.extra);
    expect(outcome.error?.name, `${op} answered ${outcome.raw.status} ${outcome.raw.body.slice(0, 200)}`).toBe("ValidationException");
    expect(errorProblems(model, op, outcome.raw)).toEqual([]);
  });

  // Request validation runs before the service looks anything up, so a bad input
  // is a ValidationException even when the application does not exist.
  const BEFORE_LOOKUP = CASES.filter((c) => c.op !== "ListApplications" && !c.where.startsWith("applicationId"));

  it.each(BEFORE_LOOKUP.map((c) => [c.op, c.where, c] as const))("%s: %s is a ValidationException even for an unknown application", async (op, _where, c) => {
    const outcome = await h.call(op, { ...t, applicationId: "00000000-0000-0000-0000-000000000000" }, c.extra);
    expect(outcome.error?.name, `${op} answered ${outcome.raw.status} ${outcome.raw.body.slice(0, 200)}`).toBe("ValidationException");
  });
});

// ---------------------------------------------------------------- the checker can fail

describe("the model checker flags answers that break the model", () => {
  const ok = (body: unknown, status = 200): RawResponse => ({
    status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const job = { executionId: "e".repeat(36), startTime: 1_750_000_000, status: "SUCCEEDED", metrics: { documentsAdded: "3" } };

  it("accepts a sync job history as the model defines it", () => {
    expect(successProblems(model, "ListDataSourceSyncJobs", ok({ history: [job] }))).toEqual([]);
  });

  it("flags a member the model does not define", () => {
    expect(successProblems(model, "ListDataSourceSyncJobs", ok({ history: [{ ...job, syncMode: "FULL" }] }))).toEqual([
      expect.stringContaining('member "syncMode" is not in the model'),
    ]);
  });

  it("flags a timestamp sent as an ISO string instead of epoch seconds", () => {
    expect(successProblems(model, "ListDataSourceSyncJobs", ok({ history: [{ ...job, startTime: "2025-06-15T00:00:00Z" }] }))).toEqual([
      expect.stringContaining("expected epoch seconds"),
    ]);
  });

  it("flags an enum value the model does not list", () => {
    expect(successProblems(model, "ListDataSourceSyncJobs", ok({ history: [{ ...job, status: "DONE" }] }))).toEqual([
      expect.stringContaining('"DONE" is not one of'),
    ]);
  });

  it("flags a metric sent as a number (MetricValue is a string)", () => {
    expect(successProblems(model, "ListDataSourceSyncJobs", ok({ history: [{ ...job, metrics: { documentsAdded: 3 } }] }))).toEqual([
      expect.stringContaining("expected a string"),
    ]);
  });

  it("flags a missing required member and a status other than the model's", () => {
    expect(successProblems(model, "GetDocumentContent", ok({ presignedUrl: "https://x" }, 201))).toEqual([
      "status 201, the model says 200",
      expect.stringContaining('required member "mimeType" is missing'),
    ]);
  });

  it("flags an error the operation does not list, and an error status other than the error shape's", () => {
    const raw: RawResponse = {
      status: 400,
      headers: { "x-amzn-errortype": "ConflictException", "content-type": "application/json" },
      body: JSON.stringify({ message: "busy", resourceId: "r", resourceType: "DATA_SOURCE" }),
    };
    expect(errorProblems(model, "GetApplication", raw)).toEqual([
      expect.stringContaining("ConflictException is not among GetApplication's errors"),
      "status 400, the model says 409 for ConflictException",
    ]);
  });

  it("flags an error body without the error shape's required members", () => {
    const raw: RawResponse = {
      status: 404,
      headers: { "x-amzn-errortype": "ResourceNotFoundException" },
      body: JSON.stringify({ message: "gone" }),
    };
    expect(errorProblems(model, "GetApplication", raw)).toEqual([
      expect.stringContaining('required member "resourceId" is missing'),
      expect.stringContaining('required member "resourceType" is missing'),
    ]);
  });
});
