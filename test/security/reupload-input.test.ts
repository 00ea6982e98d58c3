/**
 * Re-upload input that must not reach Amazon Q Business as it is: an empty
 * file (it would blank the document, which then counts as fixed), a file whose
 * content is not what its name says, two files with one name, and symbolic
 * links in a folder. Through the real SDK against the local AWS, from a folder
 * (the CLI), browser uploads (the dashboard) and the fix CLI itself.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ListDocumentsCommand } from "@aws-sdk/client-qbusiness";
import { applyReupload, planReupload } from "~/fixes/reupload-files";
import { contentTypeWarning, sniffContent } from "~/fixes/file-content";
import { UPLOADED_DOCS_DATA_SOURCE_ID } from "~/local-aws/fixture-types";
import type { FileSource } from "~/fixes/types";
import { ACCOUNT, APP, INDEX, REGION, fixFleet } from "../fixes/fleet";
import { startFixHarness, type FixHarness } from "../fixes/harness";
import { runScript } from "../helpers/cli";
import { args, BASE, sessionOf, type Who } from "../helpers/dashboard-requests";
import { startTestAws } from "../helpers/local-aws";
import { CSRF_FIELD } from "~/auth/csrf-input";
import { hashPassword } from "~/auth/password.server";
import { loadConfig, setConfig } from "~/config.server";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { dashboardDb } from "~/dashboard/db.server";
import { configureDashboardFixes } from "~/dashboard/fixes.server";
import * as reuploadRoute from "~/routes/fix.reupload-files";

const REF = { accountId: ACCOUNT, region: REGION, applicationId: APP, indexId: INDEX };
const PDF = "%PDF-1.4 the handbook";
const HTML = "<!DOCTYPE html><html><body>Sign in to continue</body></html>";

let h: FixHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder with these files (paths may name subfolders). */
function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-reupload-input-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function uploadedDates(): Promise<Record<string, string>> {
  const { qbusiness } = h!.t.clients(ACCOUNT, REGION);
  const answer = await qbusiness.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [UPLOADED_DOCS_DATA_SOURCE_ID] }));
  return Object.fromEntries((answer.documentDetailList ?? []).map((d) => [d.documentId, d.updatedAt!.toISOString()]));
}

const browserFiles = (files: Record<string, string>): FileSource => ({
  kind: "buffers",
  files: Object.entries(files).map(([name, text]) => ({ name, data: new TextEncoder().encode(text) })),
});

describe("an empty re-upload file", () => {
  it.each([
    ["a folder (CLI)", () => ({ kind: "folder", path: folderWith({ "handbook.pdf": "" }) }) as FileSource],
    ["the browser", () => browserFiles({ "handbook.pdf": "" })],
  ])("from %s is refused with the reason, and nothing is uploaded", async (_from, source) => {
    h = await startFixHarness(fixFleet());
    const before = await uploadedDates();
    const files = source();
    const plan = await planReupload(h.ctx, { ...REF, files });
    expect(plan.status).toBe("refused");
    expect(plan.details.matched).toEqual([]);
    expect(plan.details.refusedFiles).toEqual([
      {
        documentId: "handbook.pdf",
        file: expect.stringMatching(/handbook\.pdf$/),
        reason: expect.stringMatching(/is empty \(0 bytes\): uploading it would blank handbook\.pdf\. It is not sent\.$/),
      },
    ]);
    expect(plan.reasons.join("\n")).toMatch(/empty \(0 bytes\)/);
    const result = await applyReupload(h.ctx, plan, { actor: "cli:alice", confirmPlanHash: plan.planHash, files });
    expect(result.outcome).toBe("refused");
    expect(result.files.filter((f) => f.outcome === "uploaded")).toEqual([]);
    expect(await uploadedDates()).toEqual(before);
  });

  it("does not hold back the other documents' files", async () => {
    h = await startFixHarness(fixFleet());
    const files = browserFiles({ "handbook.pdf": "", "org-chart.md": "# Org chart" });
    const plan = await planReupload(h.ctx, { ...REF, files });
    expect(plan.status).toBe("ready");
    expect(plan.details.matched.map((m) => m.documentId)).toEqual(["org-chart.md"]);
    const result = await applyReupload(h.ctx, plan, { actor: "cli:alice", confirmPlanHash: plan.planHash, files });
    expect(result.outcome).toBe("partial");
    expect(result.notDone.join("\n")).toMatch(/handbook\.pdf: .*empty \(0 bytes\)/);
    expect(result.verification?.ok).toBe(true);
  });
});

describe("a file whose content is not what its name says", () => {
  it("is warned about in the plan, before anything is sent", async () => {
    h = await startFixHarness(fixFleet());
    const before = await uploadedDates();
    const plan = await planReupload(h.ctx, { ...REF, files: browserFiles({ "handbook.pdf": HTML, "org-chart.md": "# Org" }) });
    const handbook = plan.details.matched.find((m) => m.documentId === "handbook.pdf")!;
    expect(handbook.typeWarning).toBe("handbook.pdf is named as PDF but its content is HTML: check it is the right file before uploading it.");
    expect(plan.details.matched.find((m) => m.documentId === "org-chart.md")!.typeWarning).toBeUndefined();
    expect(plan.reasons).toContain(`Warning: ${handbook.typeWarning}`);
    expect(await uploadedDates()).toEqual(before);
  });

  it.each([
    ["report.pdf", PDF, undefined],
    ["report.pdf", HTML, "HTML"],
    ["deck.pptx", "PK\u0003\u0004rest of the zip", undefined],
    ["deck.pptx", PDF, "a PDF"],
    ["sheet.xlsx", "plain words", "plain text"],
    ["letter.docx", "(JPEG bytes)", "binary data"],
    ["page.html", "  <html><body>hi</body></html>", undefined],
    ["page.html", PDF, "a PDF"],
    ["notes.txt", "just notes", undefined],
    ["notes.txt", "PK\u0003\u0004", "a zip archive"],
    ["photo.jpg", HTML, undefined],
  ])("%s holding %j: warning names %s", (name, text, kind) => {
    const data = name === "letter.docx" ? new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) : new TextEncoder().encode(text);
    const warning = contentTypeWarning(name, data);
    if (kind === undefined) expect(warning).toBeUndefined();
    else expect(warning).toContain(`its content is ${kind}`);
  });

  it("tells old Office files, zip archives and PDFs apart by their magic bytes", () => {
    expect(sniffContent(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]))).toBe("ole");
    expect(sniffContent(new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).toBe("zip");
    expect(sniffContent(new TextEncoder().encode("\ufeff<?xml version='1.0'?><a/>"))).toBe("xml");
  });
});

describe("a folder with two files of one name, and symbolic links", () => {
  it("reports both files instead of taking the first, and lists the links it did not follow", async () => {
    h = await startFixHarness(fixFleet());
    const dir = folderWith({ "handbook.pdf": PDF, "old/handbook.pdf": "%PDF-1.4 an older handbook" });
    const outside = folderWith({ "org-chart.md": "# Somewhere else" });
    fs.symlinkSync(path.join(outside, "org-chart.md"), path.join(dir, "org-chart.md"));
    const plan = await planReupload(h.ctx, { ...REF, files: { kind: "folder", path: dir } });
    expect(plan.status).toBe("refused");
    expect(plan.details.matched).toEqual([]);
    const [refused] = plan.details.refusedFiles!;
    expect(refused.documentId).toBe("handbook.pdf");
    expect(refused.reason).toContain(path.join(dir, "handbook.pdf"));
    expect(refused.reason).toContain(path.join(dir, "old/handbook.pdf"));
    expect(refused.reason).toMatch(/^2 files are named like handbook\.pdf .*keep only the right one; none of them is sent\.$/);
    expect(plan.details.skippedEntries).toEqual([`${path.join(dir, "org-chart.md")} (symbolic link, not followed)`]);
    expect(plan.details.missingFiles).toEqual(["org-chart.md"]);
  });
});

describe("npm run fix -- reupload-files --plan", () => {
  it("prints the refused empty file, the duplicate names, the type warning and the skipped link", async () => {
    const dir = folderWith({ "handbook.pdf": "", "a/org-chart.md": "# one", "b/org-chart.md": "# two", "fresh.txt": HTML.replace("html", "htm") });
    fs.symlinkSync("/etc/hostname", path.join(dir, "linked.txt"));
    const work = folderWith({ "fleet.json": JSON.stringify(fixFleet()) });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: work, QBR_DB: path.join(work, "fix.sqlite"), NODE_ENV: "test" };
    const run = await runScript("scripts/fix.ts", ["reupload-files", "--all", "--fixture", path.join(work, "fleet.json"), "--files", dir, "--plan"], env);
    expect(run.stdout).toMatch(/REFUSED: .*handbook\.pdf → handbook\.pdf: .*is empty \(0 bytes\)/);
    expect(run.stdout).toMatch(/REFUSED: .*a\/org-chart\.md, .*b\/org-chart\.md → org-chart\.md: 2 files are named like org-chart\.md/);
    expect(run.stdout).toContain(`skipped: ${path.join(dir, "linked.txt")} (symbolic link, not followed)`);
    expect(run.stdout).not.toMatch(/^\s+upload: /m);
    expect(run.code).toBe(1);
  }, 60_000);
});

describe("the dashboard's re-upload page", () => {
  const DEMO_FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
  const TRAVEL_UPLOADS = {
    accountId: "111122223333",
    region: "us-west-2",
    applicationId: "2692c40a-7c9f-41be-a90f-8a6c9b1abf13",
    indexId: "9113503a-da44-49f7-a54f-cf2cda578e55",
  };
  const [PDF_DOC, DOCX_DOC] = ["national_park_services_infograph.pdf", "Offsite agenda Yosemite 2025.docx"];
  const page = `/fix/reupload-files?${new URLSearchParams(TRAVEL_UPLOADS)}`;

  function postFiles(who: Who, fields: Record<string, string>, files: { name: string; text: string }[]) {
    const form = new FormData();
    form.append(CSRF_FIELD, who.csrf);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const file of files) form.append("files", new File([file.text], file.name));
    return new Request(`${BASE}${page}`, { method: "POST", headers: { cookie: who.cookie, origin: BASE }, body: form });
  }

  it("refuses an empty file with the reason and warns about HTML named .docx, before anything is sent; apply sends only the other", async () => {
    const work = folderWith({});
    setConfig({ ...loadConfig({ QBR_OPERATORS: `olivia:${await hashPassword("password")}` }), db: path.join(work, "dashboard.sqlite") });
    const aws = await startTestAws(DEMO_FIXTURE);
    try {
      configureDashboardFixes({ localAws: aws.aws, sleep: async (ms) => aws.aws.clock.advance(ms) });
      await runAudit({ targets: targetsForFixture(aws.aws.fleet), endpoint: aws.aws.endpoint, db: await dashboardDb() });
      const olivia = await sessionOf("olivia");
      const files = [
        { name: PDF_DOC, text: "" },
        { name: DOCX_DOC, text: HTML },
      ];

      const { checked } = await reuploadRoute.action(args(postFiles(olivia, { intent: "check" }, files)));
      expect(checked!.details.refusedFiles).toEqual([
        { documentId: PDF_DOC, file: PDF_DOC, reason: `${PDF_DOC} is empty (0 bytes): uploading it would blank ${PDF_DOC}. It is not sent.` },
      ]);
      expect(checked!.details.matched.map((m) => [m.documentId, m.typeWarning])).toEqual([
        [DOCX_DOC, `${DOCX_DOC} is named as Word (.docx) but its content is HTML: check it is the right file before uploading it.`],
      ]);

      const { result } = await reuploadRoute.action(args(postFiles(olivia, { intent: "apply", planHash: checked!.planHash }, files)));
      expect(result!.outcome).toBe("partial");
      expect((result!.files as { documentId: string; outcome: string }[]).map((f) => [f.documentId, f.outcome])).toEqual([[DOCX_DOC, "uploaded"]]);
      expect(result!.notDone.join("\n")).toContain(`${PDF_DOC}: ${PDF_DOC} is empty (0 bytes)`);
    } finally {
      configureDashboardFixes({});
      await aws.close();
    }
  }, 60_000);
});
