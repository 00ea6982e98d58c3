import type { EmuClock } from "./types";

/**
 * The emulator's clock: starts at the fixture's `clock` (or real now), then
 * moves with real time, plus whatever tests and demos `advance()` it by.
 */
export function createClock(start?: string): EmuClock {
  const startMs = start ? Date.parse(start) : Date.now();
  if (Number.isNaN(startMs)) throw new Error(`clock: not an ISO-8601 time: ${start}`);
  const realStart = Date.now();
  let advanced = 0;
  return {
    now: () => new Date(startMs + (Date.now() - realStart) + advanced),
    advance(ms: number) {
      if (!(ms >= 0)) throw new Error(`clock.advance: ms must be >= 0, got ${ms}`);
      advanced += ms;
    },
  };
}
