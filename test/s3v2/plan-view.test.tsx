/**
 * The dashboard's full-sync plan and outcome for an S3V2 source, rendered as
 * the page renders them, from a real plan and apply against the local AWS:
 * no sync mode to switch, what apply does instead, and the next-step commands
 * ready to copy when documents stay stale.
 */
import { afterEach, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { FullSyncPlanView } from "../../app/components/fix-full-sync";
import { VerificationResult } from "../../app/components/fix-plan";
import { applyFullSync, planFullSync } from "../../app/fixes/full-sync";
import { startFixHarness, type FixHarness } from "../fixes/harness";
import { SOURCE_REF, s3v2Fleet } from "./fleet";

let h: FixHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

it("shows an S3V2 plan without a sync mode, and a still-stale result with its aws s3 cp commands", async () => {
  h = await startFixHarness(s3v2Fleet({ syncReingests: "changed" }));
  const plan = await planFullSync(h.ctx, SOURCE_REF);
  const planText = text(renderToStaticMarkup(<FullSyncPlanView plan={plan} />));
  expect(planText).toContain("Sync mode nownone: the S3 (v2) connector has no sync mode, so no full-sync setting");
  expect(planText).toContain("Deletion protectionon: a sync that would delete more than 15% of the documents is blocked");
  expect(planText).toMatch(/This connector has no full-sync setting, so nothing in the data source is changed/);
  expect(planText).not.toMatch(/FORCED_FULL_CRAWL|configuration\.syncMode/);

  const result = await applyFullSync(h.ctx, plan, { actor: "user:alice@example.com", confirmPlanHash: plan.planHash, wait: true });
  const shown = text(renderToStaticMarkup(<VerificationResult verification={result.verification!} />));
  expect(shown).toMatch(/^Still wrong Sync .* 2 of 3 documents are still from before the cutoff/);
  expect(shown).toContain(
    "Commands for step 1 (2)aws s3 cp 's3://acme-legal/contracts/Master services agreement.pdf' 's3://acme-legal/contracts/Master services agreement.pdf' --metadata-directive REPLACE\n" +
      "aws s3 cp s3://acme-legal/contracts/nda-2024.docx s3://acme-legal/contracts/nda-2024.docx --metadata-directive REPLACE",
  );
});
