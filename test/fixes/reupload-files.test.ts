/**
 * reupload-files through the real SDK against the local AWS: uploaded files
 * from before the cutoff refused to end users, uploaded again from a folder,
 * an S3 prefix or in-memory files, matched by name, nothing deleted.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetDocumentContentCommand, ListDocumentsCommand } from "@aws-sdk/client-qbusiness";
import { applyReupload, contentTypeOf, planReupload } from "../../app/fixes/reupload-files";
import { getActivity } from "../../app/fixes/activity-log";
import { UPLOADED_DOCS_DATA_SOURCE_ID } from "../../app/local-aws/fixture-types";
import { BEFORE } from "../audit/fleet-builder";
import { ACCOUNT, APP, INDEX, REGION, fixFleet } from "./fleet";
import { startFixHarness, type FixHarness } from "./harness";

let h: FixHarness;
const folders: string[] = [];
afterEach(async () => {
  await h?.close();
  for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true });
});

const REF = { accountId: ACCOUNT, region: REGION, applicationId: APP, indexId: INDEX };
const ACTOR = { actor: "cli:alice" };

function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-reupload-"));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function downloadError(documentId: string): Promise<string | undefined> {
  const { qbusiness } = h.t.clients(ACCOUNT, REGION);
  try {
    await qbusiness.send(new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, documentId, dataSourceId: UPLOADED_DOCS_DATA_SOURCE_ID }));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function uploaded(): Promise<Record<string, string>> {
  const { qbusiness } = h.t.clients(ACCOUNT, REGION);
  const answer = await qbusiness.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [UPLOADED_DOCS_DATA_SOURCE_ID] }));
  return Object.fromEntries((answer.documentDetailList ?? []).map((d) => [d.documentId, d.updatedAt!.toISOString()]));
}

describe("reupload-files", () => {
  it("makes stale uploaded files downloadable again, matched by name from a folder, deleting nothing", async () => {
    h = await startFixHarness(fixFleet());
    expect(await downloadError("handbook.pdf")).toMatch(/requires a full connector sync performed after 07\/02\/2025/);
    const before = await uploaded();
    const dir = folderWith({ "handbook.pdf": "%PDF-1.4 new handbook", "org-chart.md": "# Org", "notes.txt": "not in the index" });

    const plan = await planReupload(h.ctx, { ...REF, files: { kind: "folder", path: dir } });
    expect(plan.status).toBe("ready");
    expect(plan.details.staleDocuments.map((d) => d.documentId)).toEqual(["handbook.pdf", "org-chart.md"]);
    expect(plan.details.staleDocuments[0].updatedAt).toBe(BEFORE);
    expect(plan.details.matched.map((m) => [m.documentId, m.contentType])).toEqual([
      ["handbook.pdf", "PDF"],
      ["org-chart.md", "MD"],
    ]);
    expect(plan.details.unmatchedFiles).toEqual([path.join(dir, "notes.txt")]);
    expect(plan.details.missingFiles).toEqual([]);

    const result = await applyReupload(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files: { kind: "folder", path: dir } });
    expect(result.outcome).toBe("succeeded");
    expect(result.files.map((f) => f.outcome)).toEqual(["uploaded", "uploaded"]);
    expect(result.verification?.ok).toBe(true);
    expect(await downloadError("handbook.pdf")).toBeUndefined();
    const after = await uploaded();
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(after["fresh.txt"]).toBe(before["fresh.txt"]);
    expect(result.reaudit?.stillWrong.map((f) => f.checkId)).not.toContain("uploaded-documents-stale");
    expect((await getActivity(h.db, result.activityId!))!.status).toBe("succeeded");
  });

  it("takes files from an S3 prefix and lists the stale document without a file and the file without a document", async () => {
    h = await startFixHarness(fixFleet());
    const files = { kind: "s3" as const, uri: "s3://acme-uploads/originals/" };
    const plan = await planReupload(h.ctx, { ...REF, files });
    expect(plan.details.matched.map((m) => m.file)).toEqual(["s3://acme-uploads/originals/handbook.pdf"]);
    expect(plan.details.unmatchedFiles).toEqual(["s3://acme-uploads/originals/other.docx"]);
    expect(plan.details.missingFiles).toEqual(["org-chart.md"]);

    const result = await applyReupload(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files });
    expect(result.outcome).toBe("partial");
    expect(result.done).toEqual(["uploaded s3://acme-uploads/originals/handbook.pdf as handbook.pdf"]);
    expect(result.notDone).toEqual(["org-chart.md: no file given"]);
    expect(await downloadError("handbook.pdf")).toBeUndefined();
    expect(await downloadError("org-chart.md")).toMatch(/full connector sync/);
  });

  it("refuses a file over 50 MB before sending it and uploads the others", async () => {
    h = await startFixHarness(fixFleet());
    const files = {
      kind: "buffers" as const,
      files: [
        { name: "handbook.pdf", data: new Uint8Array(50 * 1024 * 1024 + 1) },
        { name: "org-chart.md", data: new TextEncoder().encode("# Org") },
      ],
    };
    const plan = await planReupload(h.ctx, { ...REF, files });
    expect(plan.details.matched.find((m) => m.documentId === "handbook.pdf")?.tooLarge).toBe(true);
    expect(plan.reasons[0]).toMatch(/over BatchPutDocument's 50 MB/);
    const result = await applyReupload(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files });
    expect(result.files).toEqual([
      { documentId: "handbook.pdf", file: "handbook.pdf", outcome: "refused-too-large", error: "52428801 bytes: over the 50 MB limit" },
      { documentId: "org-chart.md", file: "org-chart.md", outcome: "uploaded" },
    ]);
    expect(result.outcome).toBe("partial");
    expect(h.t.aws.stats.byOperation["qbusiness:BatchPutDocument"]).toBe(1);
  });

  it("reports each document of a batch AWS refused as failed, with the reason, and deletes nothing", async () => {
    h = await startFixHarness(fixFleet());
    const before = await uploaded();
    const files = { kind: "buffers" as const, files: [{ name: "handbook.pdf", data: new TextEncoder().encode("%PDF") }] };
    const plan = await planReupload(h.ctx, { ...REF, files });
    h.t.aws.fleet.accounts[0].denied = [{ service: "qbusiness", operation: "BatchPutDocument" }];
    const result = await applyReupload(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files });
    expect(result.outcome).toBe("failed");
    expect(result.files[0]).toMatchObject({ documentId: "handbook.pdf", outcome: "failed" });
    expect(result.files[0].error).toMatch(/denied qbusiness:BatchPutDocument/);
    expect(result.notDone[0]).toMatch(/^handbook\.pdf/);
    expect(await uploaded()).toEqual(before);
  });

  it("sends at most 10 documents per BatchPutDocument", async () => {
    const fixture = fixFleet();
    const stale = Array.from({ length: 12 }, (_, i) => ({ documentId: `memo-${i}.txt`, status: "INDEXED" as const, createdAt: BEFORE, updatedAt: BEFORE }));
    fixture.accounts[0].regions[REGION].applications[0].indices[0].uploadedDocuments = stale;
    h = await startFixHarness(fixture);
    const files = { kind: "buffers" as const, files: stale.map((d) => ({ name: d.documentId, data: new TextEncoder().encode(d.documentId) })) };
    const plan = await planReupload(h.ctx, { ...REF, files });
    const result = await applyReupload(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files });
    expect(result.outcome).toBe("succeeded");
    expect(h.t.aws.stats.byOperation["qbusiness:BatchPutDocument"]).toBe(2);
  });

  it("does not upload when a file changed since the plan was shown", async () => {
    h = await startFixHarness(fixFleet());
    const dir = folderWith({ "handbook.pdf": "%PDF v1" });
    const plan = await planReupload(h.ctx, { ...REF, files: { kind: "folder", path: dir } });
    fs.writeFileSync(path.join(dir, "handbook.pdf"), "%PDF v2, edited after the plan was shown");
    const result = await applyReupload(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files: { kind: "folder", path: dir } });
    expect(result.outcome).toBe("stale-plan");
    expect(h.t.aws.stats.byOperation["qbusiness:BatchPutDocument"]).toBeUndefined();
  });

  it("detects the content type from the file extension", () => {
    expect(
      ["a.pdf", "b.DOCX", "c.pptx", "d.xlsx", "e.htm", "f.txt", "g.csv", "h.json", "i.md", "j.rtf", "k.xml", "l.xslt", "m.bin"].map(contentTypeOf),
    ).toEqual(["PDF", "MS_WORD", "PPT", "MS_EXCEL", "HTML", "PLAIN_TEXT", "CSV", "JSON", "MD", "RTF", "XML", "XSLT", undefined]);
  });
});
