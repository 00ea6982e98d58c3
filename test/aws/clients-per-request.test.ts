/**
 * The audit's clients do less per request (issue 15 item 5, ADR 0017) and
 * still read the same: ListDocuments pages parsed from their JSON equal the
 * SDK's own reading, errors stay the SDK's, one signer serves every request
 * of a client, and the call counter still sees every attempt with the
 * middleware cached. Over HTTP against the local AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetApplicationCommand, ListDataSourcesCommand, ListDocumentsCommand, ListIndicesCommand, ListApplicationsCommand } from "@aws-sdk/client-qbusiness";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { AwsCallStats, createAwsClients, destroyAwsClients, type AwsClients } from "~/aws/clients";
import { documentsPageOf, wireTimestamp } from "~/aws/document-pages";
import { accountCredentials } from "~/local-aws/fixture-types";
import { generateFleet } from "~/local-aws/generate-fleet";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const fixture = generateFleet({ accounts: 1, regions: 1, apps: 2, dataSources: 2, syncJobs: 3, documents: 230, seed: 3 });
const accountId = fixture.accounts[0].accountId;
const region = Object.keys(fixture.accounts[0].regions)[0];

let test: TestAws;
let ours: AwsClients;
const stats = new AwsCallStats();

beforeAll(async () => {
  test = await startTestAws(fixture);
  ours = createAwsClients({ endpoint: test.aws.endpoint, region, credentials: accountCredentials(accountId), accountId, stats });
});
afterAll(async () => {
  destroyAwsClients(ours);
  await test.close();
});

const withoutMetadata = <T extends { $metadata?: unknown }>(r: T) => ({ ...r, $metadata: undefined });

describe("ListDocuments read straight from the JSON", () => {
  it("gives every page of every data source exactly as the SDK reads it", async () => {
    const plain = test.clients(accountId, region).qbusiness;
    const apps = (await plain.send(new ListApplicationsCommand({}))).applications ?? [];
    expect(apps.length).toBe(2);
    let pages = 0;
    for (const app of apps) {
      const [index] = (await plain.send(new ListIndicesCommand({ applicationId: app.applicationId }))).indices ?? [];
      const sources = (await plain.send(new ListDataSourcesCommand({ applicationId: app.applicationId, indexId: index.indexId }))).dataSources ?? [];
      for (const ds of sources) {
        let nextToken: string | undefined;
        do {
          const input = { applicationId: app.applicationId, indexId: index.indexId, dataSourceIds: [ds.dataSourceId!], maxResults: 100, nextToken };
          const sdk = await plain.send(new ListDocumentsCommand(input));
          const direct = await ours.qbusiness.send(new ListDocumentsCommand(input));
          expect(withoutMetadata(direct)).toEqual(withoutMetadata(sdk));
          expect(direct.documentDetailList?.[0]?.updatedAt).toBeInstanceOf(Date);
          expect(direct.$metadata.httpStatusCode).toBe(200);
          pages++;
          nextToken = direct.nextToken;
        } while (nextToken);
      }
    }
    expect(pages).toBe(2 * 2 * 3); // 230 documents a source: pages of 100, 100 and 30
  });

  it("leaves errors to the SDK (its exception, its status)", async () => {
    const error = await ours.qbusiness
      .send(new ListDocumentsCommand({ applicationId: "a".repeat(36), indexId: "i".repeat(36), maxResults: 10 }))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(error).toMatchObject({ name: expect.stringMatching(/Exception$/) });
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBeGreaterThanOrEqual(400);
  });

  it("reads timestamps and missing members as the SDK does", () => {
    expect(wireTimestamp(1751500800.5)?.toISOString()).toBe("2025-07-03T00:00:00.500Z");
    expect(wireTimestamp("1751500800")?.toISOString()).toBe("2025-07-03T00:00:00.000Z");
    expect(wireTimestamp("2025-07-03T00:00:00Z")?.toISOString()).toBe("2025-07-03T00:00:00.000Z");
    expect(wireTimestamp(null)).toBeUndefined();
    expect(documentsPageOf("")).toEqual({});
    expect(documentsPageOf('{"documentDetailList":[{"documentId":"d","status":"FAILED","error":{"errorCode":"InternalError","errorMessage":"x"}}]}')).toEqual({
      documentDetailList: [{ documentId: "d", status: "FAILED", error: { errorCode: "InternalError", errorMessage: "x" } }],
    });
  });
});

describe("shared per-client work", () => {
  it("builds one signer per client and auth scheme", async () => {
    const signer = (ours.qbusiness.config as unknown as { signer: (s?: unknown) => Promise<unknown> }).signer;
    expect(await signer()).toBe(await signer());
    const iamSigner = (ours.iam.config as unknown as { signer: (s?: unknown) => Promise<unknown> }).signer;
    expect(await iamSigner()).not.toBe(await signer());
  });

  it("counts every request with the middleware cached, across commands and services", async () => {
    const before = stats.calls;
    const [app] = (await ours.qbusiness.send(new ListApplicationsCommand({}))).applications ?? [];
    await Promise.all(Array.from({ length: 5 }, () => ours.qbusiness.send(new GetApplicationCommand({ applicationId: app.applicationId }))));
    const role = await ours.iam.send(new GetRoleCommand({ RoleName: "no-such-role-here" })).catch((e: unknown) => e as { name: string });
    expect(role).toMatchObject({ name: "NoSuchEntityException" });
    expect(stats.calls - before).toBe(1 + 5 + 1);
    expect(stats.byOperation["qbusiness:GetApplication"]).toBe(5);
  });
});
