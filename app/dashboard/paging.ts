/**
 * Server-side paging of the dashboard's long tables (issue 11, findings at
 * scale): a page number from the URL, and what the page shows of the whole
 * ("51–100 of 8,631"). Pure: loaders and components share it.
 */

/** Rows per page: small enough that the findings page's HTML stays far under 150 KB on any filter. */
export const PAGE_SIZE = 50;

export interface Paging {
  /** 1-based, within 1..pages. */
  page: number;
  pageSize: number;
  /** Pages in all (at least 1, so an empty result is "page 1 of 1"). */
  pages: number;
  /** Rows matching the filters, every page. */
  matching: number;
  /** The rows shown are from..to (1-based, inclusive); 0..0 when none match. */
  from: number;
  to: number;
}

/** `?page=N`: a positive integer, else 1 (anything else is never trusted). */
export function parsePage(value: string | null): number {
  return value && /^\d{1,6}$/.test(value) && Number(value) >= 1 ? Number(value) : 1;
}

/** The page asked for, clamped to the pages there are (a shared link to page 9 of a result that shrank shows the last page). */
export function pagingOf(requested: number, matching: number, pageSize = PAGE_SIZE): Paging {
  const pages = Math.max(1, Math.ceil(matching / pageSize));
  const page = Math.min(Math.max(1, requested), pages);
  const from = matching === 0 ? 0 : (page - 1) * pageSize + 1;
  return { page, pageSize, pages, matching, from, to: Math.min(matching, page * pageSize) };
}

/** The SQL offset of a page. */
export const offsetOf = (paging: Paging) => (paging.page - 1) * paging.pageSize;

/**
 * The page numbers a pager links: the first, the last, and two either side of
 * the current one; null marks a gap ("…").
 */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const wanted = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pages));
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (typeof last === "number" && n - last > 1) out.push(null);
    out.push(n);
  }
  return out;
}

/** A count in the way the page writes it: 8,631. */
export const formatCount = (n: number) => n.toLocaleString("en-US");
