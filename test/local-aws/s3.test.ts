import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { failure } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { presignS3Url } from "~/local-aws/index";
import type { Fixture, FixtureS3Object } from "~/local-aws/fixture-types";

const ACCOUNT = "111122223333";
const OTHER = "444455556666";
const REGION = "us-east-1";

/** 1100 tiny objects: more than one 1000-key page. */
const manyObjects: Record<string, FixtureS3Object> = {};
for (let i = 0; i < 1100; i++) manyObjects[`docs/${String(i).padStart(4, "0")}.txt`] = { text: `doc ${i}` };

const fixture: Fixture = {
  fixtureVersion: 1,
  clock: "2026-11-26T12:00:00Z",
  accounts: [
    {
      accountId: ACCOUNT,
      regions: {},
      s3: {
        buckets: {
          "acme-many": { objects: manyObjects },
          "acme-hr": {
            objects: {
              "hr-data/Employee health benefits policy.docx": { text: "benefits", lastModified: "2025-03-04T05:06:07Z" },
              "hr-data/handbook/intro.txt": { text: "intro" },
              "hr-data/handbook/rules.txt": { text: "rules" },
              "hr-data/leave+time.pdf": { base64: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]).toString("base64") },
              "top.txt": { text: "top" },
            },
          },
        },
      },
    },
    { accountId: OTHER, regions: {}, s3: { buckets: { "other-private": { objects: {} } } } },
  ],
};

let t: TestAws;
beforeAll(async () => {
  t = await startTestAws(fixture);
});
afterAll(async () => {
  await t.close();
});

const s3 = () => t.clients(ACCOUNT, REGION, { maxAttempts: 1 }).s3;

describe("S3 ListObjectsV2", () => {
  it("returns at most 1000 keys a page and a continuation token for the rest", async () => {
    const first = await s3().send(new ListObjectsV2Command({ Bucket: "acme-many" }));
    expect(first.KeyCount).toBe(1000);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextContinuationToken).toBeTruthy();
    const second = await s3().send(new ListObjectsV2Command({ Bucket: "acme-many", ContinuationToken: first.NextContinuationToken }));
    expect(second.KeyCount).toBe(100);
    expect(second.IsTruncated).toBe(false);
    expect(second.Contents![0].Key).toBe("docs/1000.txt");
  });

  it("lets the SDK paginator walk every key once, in order", async () => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3() }, { Bucket: "acme-many" })) {
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(keys).toEqual(Object.keys(manyObjects).sort());
  });

  it("filters by prefix and rolls keys up to common prefixes at the delimiter", async () => {
    const out = await s3().send(new ListObjectsV2Command({ Bucket: "acme-hr", Prefix: "hr-data/", Delimiter: "/" }));
    expect(out.Contents!.map((o) => o.Key)).toEqual(["hr-data/Employee health benefits policy.docx", "hr-data/leave+time.pdf"]);
    expect(out.CommonPrefixes).toEqual([{ Prefix: "hr-data/handbook/" }]);
  });

  it("pages through common prefixes without repeating one", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await s3().send(new ListObjectsV2Command({ Bucket: "acme-hr", Prefix: "hr-data/", Delimiter: "/", MaxKeys: 1, ContinuationToken: token }));
      seen.push(...(out.Contents ?? []).map((o) => o.Key!), ...(out.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = out.NextContinuationToken;
    } while (token);
    expect(seen).toEqual(["hr-data/Employee health benefits policy.docx", "hr-data/handbook/", "hr-data/leave+time.pdf"]);
  });

  it("answers a missing bucket with NoSuchBucket 404", async () => {
    const err = await failure(s3().send(new ListObjectsV2Command({ Bucket: "no-such-bucket" })));
    expect(err).toMatchObject({ name: "NoSuchBucket", status: 404, message: "The specified bucket does not exist" });
  });

  it("answers another account's bucket with AccessDenied 403", async () => {
    const err = await failure(s3().send(new ListObjectsV2Command({ Bucket: "other-private" })));
    expect(err).toMatchObject({ name: "AccessDenied", status: 403 });
  });
});

describe("S3 objects", () => {
  it("HeadObject gives size, MD5 ETag, fixture Last-Modified and a content type", async () => {
    const head = await s3().send(new HeadObjectCommand({ Bucket: "acme-hr", Key: "hr-data/Employee health benefits policy.docx" }));
    expect(head.ContentLength).toBe(8);
    expect(head.ETag).toBe(`"${createHash("md5").update("benefits").digest("hex")}"`);
    expect(head.LastModified?.toISOString()).toBe("2025-03-04T05:06:07.000Z");
    expect(head.ContentType).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  });

  it("GetObject returns the bytes of a base64 object, for a key with + in it", async () => {
    const out = await s3().send(new GetObjectCommand({ Bucket: "acme-hr", Key: "hr-data/leave+time.pdf" }));
    expect(Buffer.from(await out.Body!.transformToByteArray())).toEqual(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]));
    expect(out.ContentType).toBe("application/pdf");
  });

  it("PutObject stores bytes that GetObject then returns, stamped with the emulator's clock", async () => {
    const before = t.aws.clock.now().getTime();
    const put = await s3().send(new PutObjectCommand({ Bucket: "acme-hr", Key: "uploads/new file ü.md", Body: "# New\n", ContentType: "text/markdown" }));
    const got = await s3().send(new GetObjectCommand({ Bucket: "acme-hr", Key: "uploads/new file ü.md" }));
    expect(await got.Body!.transformToString()).toBe("# New\n");
    expect(got.ETag).toBe(put.ETag);
    expect(got.ContentType).toBe("text/markdown");
    // Last-Modified has second precision.
    expect(got.LastModified!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it("GetObject of a missing key is NoSuchKey 404", async () => {
    const err = await failure(s3().send(new GetObjectCommand({ Bucket: "acme-hr", Key: "nope.txt" })));
    expect(err).toMatchObject({ name: "NoSuchKey", status: 404, message: "The specified key does not exist." });
  });

  it("HeadObject of a missing key is a bodiless 404 the SDK calls NotFound", async () => {
    const err = await failure(s3().send(new HeadObjectCommand({ Bucket: "acme-hr", Key: "nope.txt" })));
    expect(err).toMatchObject({ name: "NotFound", status: 404 });
  });
});

describe("presigned S3 URLs", () => {
  const AT = { accountId: ACCOUNT, region: REGION, bucket: "acme-hr" };
  it("a presigned URL fetches the object without any SDK", async () => {
    const url = await presignS3Url(t.aws, { ...AT, key: "hr-data/Employee health benefits policy.docx", expiresSeconds: 300 });
    expect(url).toContain("X-Amz-Signature=");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("benefits");
  });

  it("a presigned URL with a tampered signature is refused with SignatureDoesNotMatch", async () => {
    const url = new URL(await presignS3Url(t.aws, { ...AT, key: "top.txt", expiresSeconds: 300 }));
    url.searchParams.set("X-Amz-Signature", "0".repeat(64));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("a presigned URL for another key than signed is refused", async () => {
    const url = (await presignS3Url(t.aws, { ...AT, key: "top.txt", expiresSeconds: 300 })).replace("/top.txt?", "/hr-data/handbook/rules.txt?");
    expect((await fetch(url)).status).toBe(403);
  });

  it("a presigned URL signed longer ago than its X-Amz-Expires is refused: Request has expired", async () => {
    const signingDate = new Date(Date.now() - 301_000);
    const url = await presignS3Url(t.aws, { ...AT, key: "top.txt", expiresSeconds: 300, signingDate });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>300</X-Amz-Expires>");
    expect(text).toContain(`<Expires>${new Date(Math.floor(signingDate.getTime() / 1000) * 1000 + 300_000).toISOString()}</Expires>`);
  });

  it("a presigned URL is judged by the real clock, not the fixture's: advancing the emulator does not age it", async () => {
    const url = await presignS3Url(t.aws, { ...AT, key: "top.txt", expiresSeconds: 300 });
    t.aws.clock.advance(3_600_000);
    expect((await fetch(url)).status).toBe(200);
  });

  it("a presigned URL dated more than 15 minutes ahead is refused: Request is not yet valid", async () => {
    const url = await presignS3Url(t.aws, { ...AT, key: "top.txt", expiresSeconds: 3600, signingDate: new Date(Date.now() + 20 * 60_000) });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>AccessDenied</Code><Message>Request is not yet valid</Message>");
  });

  it("a presigned URL valid for more than a week is refused with AuthorizationQueryParametersError", async () => {
    // The SDK's signer refuses to make such a URL, so the parameter is changed afterwards (checked before the signature).
    const url = new URL(await presignS3Url(t.aws, { ...AT, key: "top.txt", expiresSeconds: 300 }));
    url.searchParams.set("X-Amz-Expires", "604801");
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(
      "<Code>AuthorizationQueryParametersError</Code><Message>X-Amz-Expires must be less than a week (in seconds) that is 604800</Message>",
    );
  });
});
