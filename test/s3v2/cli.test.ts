/**
 * npm run fix -- full-sync on an S3V2 data source, as an admin runs it
 * (scripts/fix.ts in a child process against a standalone local AWS): the
 * plan says there is no sync mode, and when the sync leaves documents stale
 * the output lists the next steps with one pasteable command per stale key.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { accountCredentials } from "../../app/local-aws/fixture-types";
import { runScript } from "../helpers/cli";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { ACCOUNT, REGION, SOURCE, s3v2Fleet } from "./fleet";

let t: TestAws | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  t = dir = undefined;
});

it("prints the S3V2 plan without a sync mode, and after the sync the stale count, the next steps and the exact aws s3 cp commands", async () => {
  t = await startTestAws(s3v2Fleet({ syncReingests: "changed", syncDurationSeconds: 1 }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-s3v2-cli-"));
  const keys = accountCredentials(ACCOUNT);
  const run = await runScript("scripts/fix.ts", ["full-sync", "--data-source", SOURCE, "--yes", "--wait"], {
    PATH: process.env.PATH,
    HOME: dir,
    USER: "tester",
    NODE_ENV: "test",
    QBR_DB: path.join(dir, "db.sqlite"),
    AWS_ENDPOINT_URL: t.aws.endpoint,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: REGION,
  } as NodeJS.ProcessEnv);
  expect(run.stdout).toContain("sync mode: none (S3 v2 connector: no full-sync setting); bucket: acme-legal");
  expect(run.stdout).toContain("deletion protection: on, threshold 15%");
  expect(run.stdout).not.toMatch(/FORCED_FULL_CRAWL|syncMode/);
  expect(run.stdout).toMatch(/-> partial: Sync .* succeeded, but 2 of 3 documents are still from before the cutoff/);
  expect(run.stdout).toContain("   next steps, cheapest first:");
  expect(run.stdout).toContain(
    "     aws s3 cp 's3://acme-legal/contracts/Master services agreement.pdf' 's3://acme-legal/contracts/Master services agreement.pdf' --metadata-directive REPLACE\n" +
      "     aws s3 cp s3://acme-legal/contracts/nda-2024.docx s3://acme-legal/contracts/nda-2024.docx --metadata-directive REPLACE\n" +
      "   2. Or recreate the data source",
  );
  expect(run.code).not.toBe(0);
}, 90_000);
