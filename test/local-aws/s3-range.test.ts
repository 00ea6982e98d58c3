/**
 * Ranged GETs of the local S3 through the SDK: what `aws s3 cp` sends, in
 * 8 MiB chunks, to download a large object (206 and Content-Range; a range
 * past the end is InvalidRange 416; an unparsable one gets the whole object).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { rejection } from "../helpers/sdk-errors";
import { account, fleet } from "../audit/fleet-builder";

const ACCOUNT = "111122223333";
let env: TestAws;
beforeAll(async () => {
  env = await startTestAws(fleet([account(ACCOUNT, {}, { s3: { buckets: { "range-bucket": { objects: { "k.txt": { text: "0123456789" } } } } } })]));
});
afterAll(async () => env.close());

const get = (Range?: string) => env.clients(ACCOUNT).s3.send(new GetObjectCommand({ Bucket: "range-bucket", Key: "k.txt", Range }));

it("answers bytes=first-last, first- and -suffix with 206 and that slice", async () => {
  for (const [range, body, contentRange] of [
    ["bytes=2-4", "234", "bytes 2-4/10"],
    ["bytes=7-", "789", "bytes 7-9/10"],
    ["bytes=-3", "789", "bytes 7-9/10"],
    ["bytes=8-100", "89", "bytes 8-9/10"],
  ]) {
    const out = await get(range);
    expect([range, out.$metadata.httpStatusCode, await out.Body!.transformToString(), out.ContentRange, out.ContentLength]).toEqual([
      range,
      206,
      body,
      contentRange,
      body.length,
    ]);
  }
});

it("refuses a range starting past the end (InvalidRange 416) and sends everything for no or an unparsable range", async () => {
  const error = await rejection(get("bytes=10-20"));
  expect([error.name, error.$metadata.httpStatusCode]).toEqual(["InvalidRange", 416]);
  for (const range of [undefined, "lines=1-2"]) {
    const out = await get(range);
    expect([out.$metadata.httpStatusCode, await out.Body!.transformToString()]).toEqual([200, "0123456789"]);
  }
});
