import { Form, Link, useLocation } from "@remix-run/react";
import { READINESS_VALUES } from "~/dashboard/filters";
import type { ApplicationFilters as Filters, FilterOptions } from "~/dashboard/types";
import { READINESS_LABELS } from "~/dashboard/words";

/** The applications table's filters: a GET form, so it works before (and without) JavaScript. */
export function ApplicationFilters({ filters, options }: { filters: Filters; options: FilterOptions }) {
  const { pathname } = useLocation();
  return (
    // Keyed by the filters: the selects are uncontrolled, so a navigation (a tile, a sort link) must remount them.
    <Form key={JSON.stringify(filters)} method="get" className="filters" aria-label="Filter applications" preventScrollReset>
      <div className="field">
        <label htmlFor="app-account">Account</label>
        <select id="app-account" name="account" defaultValue={filters.account ?? ""}>
          <option value="">All accounts</option>
          {options.accounts.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="app-region">Region</label>
        <select id="app-region" name="region" defaultValue={filters.region ?? ""}>
          <option value="">All regions</option>
          {options.regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="app-readiness">Readiness</label>
        <select id="app-readiness" name="readiness" defaultValue={filters.readiness ?? ""}>
          <option value="">Any readiness</option>
          {READINESS_VALUES.map((r) => (
            <option key={r} value={r}>
              {READINESS_LABELS[r]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="app-check">Failing check</label>
        <select id="app-check" name="check" defaultValue={filters.check ?? ""}>
          <option value="">Any check</option>
          {options.checks.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="app-q">Name or id</label>
        <input type="search" id="app-q" name="q" defaultValue={filters.q ?? ""} placeholder="e.g. hr-assistant" />
      </div>
      <input type="hidden" name="sort" value={filters.sort} />
      <input type="hidden" name="dir" value={filters.dir} />
      <button type="submit">Apply filters</button>
      <Link to={pathname} className="clear">
        Clear filters
      </Link>
    </Form>
  );
}
