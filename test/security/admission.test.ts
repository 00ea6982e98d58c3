/**
 * Admission control (issue 10, item 8): pages rendered a few at a time, the
 * others answered in arrival order, and a full queue answered 503 with
 * Retry-After at once. A real express server on loopback, real HTTP clients.
 */
import type { AddressInfo } from "node:net";
import { request as httpRequest } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { admitRequests, type AdmissionOptions } from "~/util/admission.server";

interface Harness {
  base: string;
  started: string[];
  release(name: string): void;
  stats(): { active: number; queued: number; refused: number };
  close(): Promise<void>;
}

const servers: Harness[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** `/hold/<name>` answers only when the test releases it; `started` lists the names in the order they were admitted. */
async function serve(options: AdmissionOptions): Promise<Harness> {
  const started: string[] = [];
  const waiting = new Map<string, () => void>();
  const admission = admitRequests(options);
  const app = express();
  app.use(admission);
  app.get("/healthz", (_req, res) => res.type("text/plain").send("ok"));
  app.get("/hold/:name", (req, res) => {
    started.push(req.params.name);
    waiting.set(req.params.name, () => res.type("text/plain").send(`done ${req.params.name}`));
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const harness: Harness = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    started,
    release: (name) => waiting.get(name)!(),
    stats: () => admission.stats(),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(harness);
  return harness;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

const get = (url: string) => fetch(url).then(async (r) => ({ status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.text() }));

describe("admission control", () => {
  it("renders at most `concurrency` requests at once and admits the others in arrival order", async () => {
    const s = await serve({ concurrency: 2, maxQueued: 10, slotTimeoutMs: 30_000 });
    const answers = ["a", "b"].map((n) => get(`${s.base}/hold/${n}`));
    await until(() => s.started.length === 2);
    const later: Promise<{ body: string }>[] = [];
    for (const n of ["c", "d", "e"]) {
      later.push(get(`${s.base}/hold/${n}`));
      await until(() => s.stats().queued === later.length);
    }
    expect(s.started).toEqual(["a", "b"]);
    s.release("b");
    await until(() => s.started.length === 3);
    expect(s.started).toEqual(["a", "b", "c"]);
    s.release("a");
    await until(() => s.started.length === 4);
    expect(s.started[3]).toBe("d");
    for (const n of ["c", "d"]) s.release(n);
    await until(() => s.started.length === 5);
    s.release("e");
    expect((await Promise.all([...answers, ...later])).map((a) => a.body)).toEqual(["done a", "done b", "done c", "done d", "done e"]);
    expect(s.stats()).toEqual({ active: 0, queued: 0, refused: 0 });
  });

  it("answers 503 with Retry-After and a reason when the queue is full, and changes nothing for those admitted", async () => {
    const s = await serve({ concurrency: 1, maxQueued: 1, slotTimeoutMs: 30_000 });
    const first = get(`${s.base}/hold/a`);
    await until(() => s.started.length === 1);
    const second = get(`${s.base}/hold/b`);
    await until(() => s.stats().queued === 1);
    const refused = await get(`${s.base}/hold/c`);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("1");
    expect(refused.body).toMatch(/busy: 1 requests are already waiting/);
    expect(s.started).toEqual(["a"]);
    s.release("a");
    await until(() => s.started.length === 2);
    s.release("b");
    expect((await first).body).toBe("done a");
    expect((await second).body).toBe("done b");
    expect(s.stats().refused).toBe(1);
  });

  it("answers an unqueued path (the health check) at once while pages wait, without taking a slot", async () => {
    const s = await serve({ concurrency: 1, maxQueued: 10, slotTimeoutMs: 30_000, unqueuedPaths: ["/healthz"] });
    const first = get(`${s.base}/hold/a`);
    await until(() => s.started.length === 1);
    const waiting = get(`${s.base}/hold/b`);
    await until(() => s.stats().queued === 1);
    expect((await get(`${s.base}/healthz`)).body).toBe("ok");
    expect(s.stats()).toEqual({ active: 1, queued: 1, refused: 0 });
    s.release("a");
    await until(() => s.started.length === 2);
    s.release("b");
    await Promise.all([first, waiting]);
  });

  it("drops a waiting request whose client went away, so it is never rendered", async () => {
    const s = await serve({ concurrency: 1, maxQueued: 10, slotTimeoutMs: 30_000 });
    const first = get(`${s.base}/hold/a`);
    await until(() => s.started.length === 1);
    const gone = httpRequest(`${s.base}/hold/gone`);
    gone.on("error", () => undefined);
    gone.end();
    await until(() => s.stats().queued === 1);
    gone.destroy();
    await until(() => s.stats().queued === 0);
    const next = get(`${s.base}/hold/b`);
    await until(() => s.stats().queued === 1);
    s.release("a");
    await until(() => s.started.length === 2);
    expect(s.started).toEqual(["a", "b"]);
    s.release("b");
    await Promise.all([first, next]);
  });

  it("gives a slot back after slotTimeoutMs, so one slow answer does not hold the others", async () => {
    const s = await serve({ concurrency: 1, maxQueued: 10, slotTimeoutMs: 200 });
    const slow = get(`${s.base}/hold/slow`);
    await until(() => s.started.length === 1);
    const next = get(`${s.base}/hold/next`);
    await until(() => s.started.length === 2);
    expect(s.started).toEqual(["slow", "next"]);
    s.release("next");
    s.release("slow");
    await Promise.all([slow, next]);
  });
});
