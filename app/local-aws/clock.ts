import type { Fixture } from "./fixture-types";
import type { EmuClock } from "./types";

/**
 * The emulator's clock: the machine's real time, plus whatever tests and demos
 * `advance()` it by. It is the one clock of a process that runs the local AWS
 * (ADR 0008): the product records its audits, plans and activity on it, and
 * the sync jobs it starts carry it, so nothing the dashboard shows is dated on
 * a second, fixture clock.
 */
export function createClock(): EmuClock {
  let advanced = 0;
  return {
    now: () => new Date(Date.now() + advanced),
    advance(ms: number) {
      if (!(ms >= 0)) throw new Error(`clock.advance: ms must be >= 0, got ${ms}`);
      advanced += ms;
    },
  };
}

const IN_FLIGHT = new Set(["SYNCING", "SYNCING_INDEXING", "STOPPING"]);

/**
 * The fixture's `clock` is the instant its story is told as of. Its history
 * (finished jobs, document and object dates) stays on its absolute dates: the
 * cutoff is an absolute instant (ADR 0004), so moving history would carry
 * syncs across it as the years pass and change verdicts. What the fixture
 * shows in flight at its clock (a job SYNCING or STOPPING, no end) is in
 * flight now: its start moves by (now - clock), so "started 5 s before the
 * clock" is "started 5 s ago". Mutates the live fleet state (a copy).
 */
export function carryInFlightJobs(fleet: Fixture, now: Date): void {
  if (!fleet.clock) return;
  const offsetMs = now.getTime() - Date.parse(fleet.clock);
  if (offsetMs === 0) return;
  for (const account of fleet.accounts) {
    for (const region of Object.values(account.regions)) {
      for (const job of region.applications.flatMap((a) => a.indices.flatMap((i) => i.dataSources.flatMap((d) => d.syncJobs)))) {
        if (IN_FLIGHT.has(job.status) && !job.endTime) job.startTime = new Date(Date.parse(job.startTime) + offsetMs).toISOString();
      }
    }
  }
}
