/**
 * Admission control for the dashboard's pages (issue 10, item 8): at most
 * `concurrency` requests are rendered at once, the rest wait in arrival order,
 * and past `maxQueued` waiting requests a new one is answered 503 at once with
 * Retry-After instead of adding to the pile.
 *
 * Without it, every request that arrives starts rendering at once and they all
 * share the one JavaScript thread: under 200 concurrent connections a request
 * that yields (a database call, a socket write of its HTML) goes to the back
 * of hundreds of others at every step, so some answered in 0.4 s and others
 * waited 10 s for the same page. In arrival order each waits only for those
 * ahead of it, and the renders in progress keep their memory bounded.
 *
 * A slot is held until the response is finished or the connection closed, and
 * for `slotTimeoutMs` at most (a client that reads its page very slowly keeps
 * its connection, not the slot). A request whose client went away while it
 * waited is dropped from the queue.
 *
 * Written here rather than taken from a library: the packages that queue
 * express requests (express-queue, express-rate-limit's concurrency mode)
 * either are unmaintained or bound requests per client, not in flight.
 */
import type { NextFunction, Request, Response } from "express";

export interface AdmissionOptions {
  /** Requests rendered at once. */
  concurrency: number;
  /** Requests allowed to wait; one more is answered 503. */
  maxQueued: number;
  /** A slot held longer than this is given back (the request goes on outside the count). */
  slotTimeoutMs: number;
  /** Paths answered at once, never queued (a load balancer's health check must not wait behind a burst of pages). */
  unqueuedPaths?: readonly string[];
}

export const DEFAULT_ADMISSION: AdmissionOptions = { concurrency: 4, maxQueued: 2000, slotTimeoutMs: 30_000, unqueuedPaths: ["/healthz"] };

export interface AdmissionStats {
  active: number;
  queued: number;
  /** Requests answered 503 because the queue was full, since the start. */
  refused: number;
}

type Middleware = ((req: Request, res: Response, next: NextFunction) => void) & { stats(): AdmissionStats };

export function admitRequests(options: AdmissionOptions = DEFAULT_ADMISSION): Middleware {
  let active = 0;
  let refused = 0;
  const queue: (() => void)[] = [];

  const admitNext = () => {
    while (active < options.concurrency && queue.length > 0) queue.shift()!();
  };

  const run = (res: Response, next: NextFunction) => {
    active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      active--;
      admitNext();
    };
    const timer = setTimeout(release, options.slotTimeoutMs);
    timer.unref();
    res.once("finish", release);
    res.once("close", release);
    next();
  };

  const unqueued = new Set(options.unqueuedPaths ?? []);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (unqueued.has(req.path)) return next();
    if (active < options.concurrency && queue.length === 0) return run(res, next);
    if (queue.length >= options.maxQueued) {
      refused++;
      res.status(503).set({ "Retry-After": "1", "Content-Type": "text/plain; charset=utf-8" });
      res.end(`The dashboard is busy: ${queue.length} requests are already waiting. Try again in a moment.\n`);
      return;
    }
    const entry = () => {
      res.off("close", dropped);
      run(res, next);
    };
    // The client gave up while waiting: nobody reads the answer, so it is not rendered.
    const dropped = () => {
      const at = queue.indexOf(entry);
      if (at >= 0) queue.splice(at, 1);
    };
    res.once("close", dropped);
    queue.push(entry);
  };
  return Object.assign(middleware, { stats: () => ({ active, queued: queue.length, refused }) });
}
