/**
 * S3 multipart upload and deletion through the SDK: what `aws s3 cp` of a
 * file over 8 MiB and a demo bucket's clean-up send.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { failure } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import type { Fixture } from "~/local-aws/fixture-types";

const ACCOUNT = "111122223333";
const MiB = 1024 * 1024;
const fixture: Fixture = {
  fixtureVersion: 1,
  clock: "2026-11-26T12:00:00Z",
  accounts: [
    {
      accountId: ACCOUNT,
      regions: {},
      s3: { buckets: { demo: { objects: { "a.txt": { text: "a" }, "b.txt": { text: "b" }, "c.txt": { text: "c" } } } } },
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
const s3 = () => t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).s3;

/** 12 MiB + 3 bytes of varied content: three parts at the SDK's 5 MiB part size. */
const big = Buffer.alloc(12 * MiB + 3);
for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 12)) & 0xff;

describe("S3 multipart upload", () => {
  it("the SDK's Upload sends a 12 MiB file in parts; GetObject gives back the same bytes with a multipart ETag", async () => {
    const upload = new Upload({ client: s3(), params: { Bucket: "demo", Key: "big/file.bin", Body: big, ContentType: "application/pdf" } });
    const parts: number[] = [];
    upload.on("httpUploadProgress", (p) => p.part && parts.push(p.part));
    const out = await upload.done();
    expect(parts.length).toBe(3);
    const md5s = [0, 1, 2].map((i) =>
      createHash("md5")
        .update(big.subarray(i * 5 * MiB, Math.min(big.length, (i + 1) * 5 * MiB)))
        .digest(),
    );
    expect(out.ETag).toBe(`"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-3"`);
    const got = await s3().send(new GetObjectCommand({ Bucket: "demo", Key: "big/file.bin" }));
    expect(got.ContentType).toBe("application/pdf");
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(big)).toBe(true);
  });

  it("refuses a part under 5 MiB that is not the last with EntityTooSmall, and unknown parts with InvalidPart", async () => {
    const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: "demo", Key: "small.bin" }));
    const one = await s3().send(new UploadPartCommand({ Bucket: "demo", Key: "small.bin", UploadId, PartNumber: 1, Body: Buffer.from("tiny") }));
    const two = await s3().send(new UploadPartCommand({ Bucket: "demo", Key: "small.bin", UploadId, PartNumber: 2, Body: Buffer.from("end") }));
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
      s3().send(new CompleteMultipartUploadCommand({ Bucket: "demo", Key: "small.bin", UploadId, MultipartUpload: { Parts } }));
    expect(
      await failure(
        complete([
          { PartNumber: 1, ETag: one.ETag },
          { PartNumber: 2, ETag: two.ETag },
        ]),
      ),
    ).toMatchObject({
      name: "EntityTooSmall",
      status: 400,
    });
    expect(await failure(complete([{ PartNumber: 3, ETag: one.ETag }]))).toMatchObject({ name: "InvalidPart", status: 400 });
    expect(
      await failure(
        complete([
          { PartNumber: 2, ETag: two.ETag },
          { PartNumber: 1, ETag: one.ETag },
        ]),
      ),
    ).toMatchObject({ name: "InvalidPartOrder" });
    // A single (last) part may be small.
    const done = await complete([{ PartNumber: 2, ETag: two.ETag }]);
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
    const got = await s3().send(new GetObjectCommand({ Bucket: "demo", Key: "small.bin" }));
    expect(await got.Body!.transformToString()).toBe("end");
  });

  it("AbortMultipartUpload drops the upload: its parts are refused after with NoSuchUpload, and no object appears", async () => {
    const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: "demo", Key: "aborted.bin" }));
    await s3().send(new UploadPartCommand({ Bucket: "demo", Key: "aborted.bin", UploadId, PartNumber: 1, Body: Buffer.from("x") }));
    await s3().send(new AbortMultipartUploadCommand({ Bucket: "demo", Key: "aborted.bin", UploadId }));
    const err = await failure(s3().send(new UploadPartCommand({ Bucket: "demo", Key: "aborted.bin", UploadId, PartNumber: 2, Body: Buffer.from("y") })));
    expect(err).toMatchObject({ name: "NoSuchUpload", status: 404 });
    expect(await failure(s3().send(new HeadObjectCommand({ Bucket: "demo", Key: "aborted.bin" })))).toMatchObject({ status: 404 });
  });

  it("refuses a part number outside 1..10000 with InvalidArgument", async () => {
    const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: "demo", Key: "n.bin" }));
    const err = await failure(s3().send(new UploadPartCommand({ Bucket: "demo", Key: "n.bin", UploadId, PartNumber: 10001, Body: Buffer.from("x") })));
    expect(err).toMatchObject({ name: "InvalidArgument", status: 400 });
  });
});

describe("S3 deletes", () => {
  it("DeleteObject removes a key (204), and answers 204 for a key that is not there", async () => {
    await s3().send(new DeleteObjectCommand({ Bucket: "demo", Key: "a.txt" }));
    expect(await failure(s3().send(new GetObjectCommand({ Bucket: "demo", Key: "a.txt" })))).toMatchObject({ name: "NoSuchKey", status: 404 });
    const again = await s3().send(new DeleteObjectCommand({ Bucket: "demo", Key: "a.txt" }));
    expect(again.$metadata.httpStatusCode).toBe(204);
  });

  it("DeleteObjects removes several keys and lists them as deleted", async () => {
    const out = await s3().send(new DeleteObjectsCommand({ Bucket: "demo", Delete: { Objects: [{ Key: "b.txt" }, { Key: "c.txt" }] } }));
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual(["b.txt", "c.txt"]);
    const left = await s3().send(new ListObjectsV2Command({ Bucket: "demo" }));
    expect(left.Contents?.map((c) => c.Key).filter((k) => k?.endsWith(".txt"))).toEqual([]);
  });

  it("the request log names these calls by their IAM actions (s3:PutObject for the parts, s3:DeleteObject for DeleteObjects)", async () => {
    t.aws.clearRequests();
    await s3().send(new DeleteObjectsCommand({ Bucket: "demo", Delete: { Objects: [{ Key: "zzz" }] } }));
    await s3().send(new CreateMultipartUploadCommand({ Bucket: "demo", Key: "log.bin" }));
    expect(t.aws.requests.map((r) => `${r.operation}=${r.action}`)).toEqual(["DeleteObjects=s3:DeleteObject", "CreateMultipartUpload=s3:PutObject"]);
  });
});
