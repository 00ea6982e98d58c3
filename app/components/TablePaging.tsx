/**
 * What the long tables share (issue 11): page links and sortable column
 * headers, all plain links so every view has a URL and works without
 * JavaScript. The loaders page and sort in SQL; these only link.
 */
import { Link } from "@remix-run/react";
import { formatCount, pageWindow, type Paging } from "~/dashboard/paging";

/** "Showing 51–100 of 8,631 findings": what part of the whole the table shows. */
export function PagingSummary({ paging, noun, testId }: { paging: Paging; noun: string; testId: string }) {
  const { from, to, matching } = paging;
  return (
    <span data-testid={testId}>{matching === 0 ? `No ${noun}` : `Showing ${formatCount(from)}–${formatCount(to)} of ${formatCount(matching)} ${noun}`}</span>
  );
}

/** Previous, the first and last page, two either side of this one, next. */
export function Pager({ paging, hrefOf, label }: { paging: Paging; hrefOf: (page: number) => string; label: string }) {
  if (paging.pages <= 1) return null;
  const { page, pages } = paging;
  return (
    <nav className="pager" aria-label={label}>
      {page > 1 ? (
        <Link to={hrefOf(page - 1)} rel="prev" preventScrollReset>
          ‹ Previous
        </Link>
      ) : (
        <span className="muted">‹ Previous</span>
      )}
      {pageWindow(page, pages).map((n, i) =>
        n === null ? (
          <span key={`gap-${i}`} className="muted" aria-hidden="true">
            …
          </span>
        ) : n === page ? (
          <span key={n} aria-current="page" className="current">
            {n}
          </span>
        ) : (
          <Link key={n} to={hrefOf(n)} aria-label={`Page ${n} of ${pages}`} preventScrollReset>
            {n}
          </Link>
        ),
      )}
      {page < pages ? (
        <Link to={hrefOf(page + 1)} rel="next" preventScrollReset>
          Next ›
        </Link>
      ) : (
        <span className="muted">Next ›</span>
      )}
    </nav>
  );
}

/** A column header sorting the table by its column: asc first, a second click reverses. */
export function SortHeader<S extends string>({
  label,
  sort,
  current,
  hrefOf,
}: {
  label: string;
  sort: S;
  current: { sort: S; dir: "asc" | "desc" };
  hrefOf: (sort: S, dir: "asc" | "desc") => string;
}) {
  const active = current.sort === sort;
  const next = active && current.dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={active ? (current.dir === "asc" ? "ascending" : "descending") : "none"}>
      <SortLink label={label} sort={sort} current={current} hrefOf={hrefOf} next={next} />
    </th>
  );
}

/** The link inside a sort header (a header may hold two, as "First seen · Last seen" does). */
export function SortLink<S extends string>({
  label,
  sort,
  current,
  hrefOf,
  next,
}: {
  label: string;
  sort: S;
  current: { sort: S; dir: "asc" | "desc" };
  hrefOf: (sort: S, dir: "asc" | "desc") => string;
  next?: "asc" | "desc";
}) {
  const active = current.sort === sort;
  const dir = next ?? (active && current.dir === "asc" ? "desc" : "asc");
  return (
    <Link to={hrefOf(sort, dir)} preventScrollReset>
      {label}
      {active ? (current.dir === "asc" ? " ▲" : " ▼") : ""}
    </Link>
  );
}
