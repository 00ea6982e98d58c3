import { Form, Link } from "@remix-run/react";
import { SEVERITY_VALUES, STATUS_VALUES } from "~/dashboard/filters";
import type { FilterOptions, FindingFilters as Filters } from "~/dashboard/types";
import { STATUS_LABELS } from "~/dashboard/words";

/** The findings page's filters: a GET form, so every view has a URL and works without JavaScript. */
export function FindingFilters({ filters, options }: { filters: Filters; options: FilterOptions }) {
  return (
    <Form method="get" className="filters" aria-label="Filter findings" preventScrollReset>
      <label>
        Check
        <select name="check" defaultValue={filters.check ?? ""}>
          <option value="">All checks</option>
          {options.checks.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
        </select>
      </label>
      <label>
        Severity
        <select name="severity" defaultValue={filters.severity ?? ""}>
          <option value="">Any severity</option>
          {SEVERITY_VALUES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <label>
        Status
        <select name="status" defaultValue={filters.status ?? ""}>
          <option value="">Not passing</option>
          {STATUS_VALUES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
          <option value="all">All, passing included</option>
        </select>
      </label>
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
      <button type="submit">Apply filters</button>
      <Link to="." className="clear">Clear</Link>
    </Form>
  );
}
