/**
 * The local AWS refuses an oversized or unsigned body without buffering it:
 * measured on the emulator in its own process (npm run local-aws), by its
 * peak resident memory (VmHWM) before and after 200 MB bodies are thrown at it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Fixture } from "~/local-aws/fixture-types";

const root = path.resolve(__dirname, "../..");
const MB = 1024 * 1024;
const fixture: Fixture = {
  fixtureVersion: 1,
  accounts: [{ accountId: "111122223333", regions: {}, s3: { buckets: { "acme-hr": { objects: {} } } } }],
};

let child: ChildProcess;
let endpoint: URL;

beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "local-aws-mem-")), "fleet.json");
  writeFileSync(file, JSON.stringify(fixture));
  // node --import tsx runs the script in this very process, so its pid is the emulator's.
  child = spawn(process.execPath, ["--import", "tsx", "scripts/local-aws.ts", "--fixture", file, "--port", "0"], { cwd: root });
  endpoint = await new Promise<URL>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Local AWS listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(new URL(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`local-aws exited ${code}: ${out}`)));
  });
}, 60_000);

afterAll(() => {
  child?.kill("SIGKILL");
});

/** The emulator's peak resident set so far, in bytes. */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

/** Stream `totalBytes` in 64 KiB writes until the server answers and closes; how much went out. */
function throwBody(opts: { method: string; path: string; headers: Record<string, string>; totalBytes: number }) {
  return new Promise<{ status?: number; bytesWritten: number }>((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let bytesWritten = 0;
    let status: number | undefined;
    const req = http.request({ host: endpoint.hostname, port: endpoint.port, method: opts.method, path: opts.path, headers: opts.headers });
    const done = () => resolve({ status, bytesWritten });
    req.on("response", (res) => {
      status = res.statusCode;
      res.resume();
      res.on("end", done);
    });
    req.on("error", done);
    const pump = () => {
      while (bytesWritten < opts.totalBytes && !req.destroyed) {
        bytesWritten += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe("bodies the emulator refuses unread", () => {
  it("four 200 MB unsigned bodies (S3 PUT, IAM POST, chunked, Q Business) leave its peak memory within 40 MB of where it was", async () => {
    const before = peakRss();
    const sent = [
      await throwBody({ method: "PUT", path: "/acme-hr/big.bin", headers: { "content-length": String(200 * MB) }, totalBytes: 200 * MB }),
      await throwBody({
        method: "POST",
        path: "/",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(200 * MB) },
        totalBytes: 200 * MB,
      }),
      await throwBody({ method: "POST", path: "/", headers: { "transfer-encoding": "chunked" }, totalBytes: 200 * MB }),
      await throwBody({
        method: "POST",
        path: "/applications",
        headers: { "content-type": "application/json", "content-length": String(200 * MB) },
        totalBytes: 200 * MB,
      }),
    ];
    const after = peakRss();
    console.log(
      `local-aws peak RSS before ${(before / MB).toFixed(1)} MB, after ${(after / MB).toFixed(1)} MB; ` +
        `bytes the client got out per 200 MB body: ${sent.map((s) => (s.bytesWritten / MB).toFixed(1)).join(", ")} MB`,
    );
    expect(after - before).toBeLessThan(40 * MB);
    for (const s of sent) expect(s.bytesWritten).toBeLessThan(100 * MB);
    expect(sent.filter((s) => s.status !== undefined).every((s) => s.status === 403)).toBe(true);
    // The emulator still answers afterwards.
    expect((await fetch(`${endpoint.origin}/acme-hr/x`)).status).toBe(403);
  }, 120_000);
});
