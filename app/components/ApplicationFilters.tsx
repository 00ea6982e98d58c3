import { Form, Link } from "@remix-run/react";
import { READINESS_VALUES } from "~/dashboard/filters";
import type { ApplicationFilters as Filters, FilterOptions } from "~/dashboard/types";
import { READINESS_LABELS } from "~/dashboard/words";

/** The applications table's filters: a GET form, so it works before (and without) JavaScript. */
export function ApplicationFilters({ filters, options }: { filters: Filters; options: FilterOptions }) {
  return (
    <Form method="get" className="filters" aria-label="Filter applications" preventScrollReset>
      <label>
        Account
        <select name="account" defaultValue={filters.account ?? ""}>
          <option value="">All accounts</option>
          {options.accounts.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </label>
      <label>
        Region
        <select name="region" defaultValue={filters.region ?? ""}>
          <option value="">All regions</option>
          {options.regions.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      <label>
        Readiness
        <select name="readiness" defaultValue={filters.readiness ?? ""}>
          <option value="">Any readiness</option>
          {READINESS_VALUES.map((r) => <option key={r} value={r}>{READINESS_LABELS[r]}</option>)}
        </select>
      </label>
      <label>
        Failing check
        <select name="check" defaultValue={filters.check ?? ""}>
          <option value="">Any check</option>
          {options.checks.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
        </select>
      </label>
      <label>
        Name or id
        <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="e.g. hr-assistant" />
      </label>
      <input type="hidden" name="sort" value={filters.sort} />
      <input type="hidden" name="dir" value={filters.dir} />
      <button type="submit">Apply filters</button>
      <Link to="." className="clear">Clear</Link>
    </Form>
  );
}
