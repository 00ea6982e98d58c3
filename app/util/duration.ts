/**
 * How long something lasted, in words: "3 days", "5 hours", "less than an
 * hour" (whole units, rounded down). Pure: notifications and the dashboard.
 */
import { plural } from "./plural";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function duration(fromIso: string, toIso: string): string {
  const ms = Math.max(0, Date.parse(toIso) - Date.parse(fromIso));
  if (ms >= DAY_MS) return plural(Math.floor(ms / DAY_MS), "day");
  if (ms >= HOUR_MS) return plural(Math.floor(ms / HOUR_MS), "hour");
  return "less than an hour";
}

/** Whole days between two instants (0 when under a day, never negative). */
export const wholeDays = (fromIso: string, toIso: string) => Math.floor(Math.max(0, Date.parse(toIso) - Date.parse(fromIso)) / DAY_MS);
