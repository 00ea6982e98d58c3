/**
 * The findings exports are streams (issue 11.3): the body arrives in many
 * chunks as the rows are read 500 at a time, holds exactly the rows asked
 * for, and the JSON of everything is the stored report byte for byte. On a
 * real SQLite file holding the generated 300-application history.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "~/audit/types";
import { hashPassword } from "~/auth/password.server";
import { loadConfig, setConfig } from "~/config.server";
import * as exportRoute from "~/routes/findings.export.$format";
import { parseCsv } from "../helpers/csv";
import { args, getRequest, sessionOf, type Who } from "../helpers/dashboard-requests";
import { NAMED_ACCOUNT, TOTAL_FINDINGS, writeLargeHistory } from "./findings-fleet";

let dir: string;
let report: AuditReport;
let viewer: Who;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-findings-export-"));
  const db = path.join(dir, "history.sqlite");
  report = await writeLargeHistory(db);
  setConfig({ ...loadConfig({ QBR_VIEWERS: `victor:${await hashPassword("password")}` }), db });
  viewer = await sessionOf("victor");
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The body's chunks as they arrive. */
async function chunks(response: Response): Promise<string[]> {
  const decoder = new TextDecoder();
  const parts: string[] = [];
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parts.push(decoder.decode(chunk, { stream: true }));
  return parts;
}

const exported = (query: string, format = "csv") =>
  exportRoute.loader(args(getRequest(`/findings/export/${format}${query}`, viewer), { format })) as Promise<Response>;

describe("findings exports on the large history", () => {
  it("streams every finding in chunks (?all=1), the header once", async () => {
    const parts = await chunks(await exported("?all=1"));
    expect(parts.length).toBeGreaterThan(10);
    const [header, ...rows] = parseCsv(parts.join(""));
    expect(header.slice(-6)).toEqual(["accountName", "firstSeen", "lastSeen", "fixedAt", "fixedReason", "reopened"]);
    expect(rows.length).toBe(TOTAL_FINDINGS);
  });

  it("streams exactly the filtered findings, in the page's order", async () => {
    const query = `?status=warn&account=${NAMED_ACCOUNT.accountId}&sort=application&dir=desc`;
    const [header, ...rows] = parseCsv((await chunks(await exported(query))).join(""));
    const expected = report.findings.filter((f) => f.status === "warn" && f.resource.accountId === NAMED_ACCOUNT.accountId);
    expect(rows.length).toBe(expected.length);
    const names = rows.map((r) => r[header.indexOf("applicationName")]);
    expect(names).toEqual([...names].sort().reverse());
    expect(new Set(rows.map((r) => r[header.indexOf("accountName")]))).toEqual(new Set([NAMED_ACCOUNT.name]));
  });

  it("writes the filtered JSON with its filters and count, and everything as the stored report", async () => {
    const filtered = JSON.parse((await chunks(await exported("?status=fail&q=app-001", "json"))).join("")) as {
      filters: { status: string; q: string };
      findings: AuditReport["findings"];
      count: number;
    };
    const expected = report.findings.filter((f) => f.status === "fail" && f.resource.applicationId === report.applications[1].applicationId);
    expect(filtered.filters).toMatchObject({ status: "fail", q: "app-001" });
    expect(filtered.count).toBe(expected.length);
    expect(filtered.findings.map((f) => f.resource.dataSourceId).sort()).toEqual(expected.map((f) => f.resource.dataSourceId).sort());
    const parts = await chunks(await exported("?all=1", "json"));
    expect(parts.length).toBeGreaterThan(1);
    expect(JSON.parse(parts.join(""))).toEqual(report);
  });
});
