// SVG presentation attributes do not resolve CSS variables everywhere: the
// charts take these literal colours (the same as app.css's --ready, ...).
// Text drawn in a chart (labels, ticks) uses `text` or a colour at 4.5:1 or
// more on white; the fills of bars and slices only need to tell series apart.
export const CHART_COLORS = {
  ready: "#1d8102",
  notReady: "#d13212",
  unsupported: "#7d5ba6",
  unknown: "#8d6605",
  warn: "#b7791f",
  accent: "#0561bd",
  added: "#1d8102",
  modified: "#0561bd",
  deleted: "#5f6b7a",
  failed: "#d13212",
  /** Fixes and rollbacks marked on the readiness trend. */
  fix: "#0561bd",
  rollback: "#7d5ba6",
  text: "#16191f",
} as const;
