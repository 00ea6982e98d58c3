// SVG presentation attributes do not resolve CSS variables everywhere: the
// charts take these literal colours (the same as app.css's --ready, ...).
export const CHART_COLORS = {
  ready: "#1d8102",
  notReady: "#d13212",
  unsupported: "#7d5ba6",
  unknown: "#8d6605",
  warn: "#b7791f",
  accent: "#0972d3",
  added: "#1d8102",
  modified: "#0972d3",
  deleted: "#5f6b7a",
  failed: "#d13212",
} as const;
