import { Form, Link, useLocation } from "@remix-run/react";
import { STATUS_VALUES } from "~/dashboard/filters";
import type { FilterOptions, FindingFilters as Filters } from "~/dashboard/types";
import { SEVERITY_LABELS, severitiesInUse, STATUS_LABELS } from "~/dashboard/words";

/** The findings page's filters: a GET form, so every view has a URL and works without JavaScript. */
export function FindingFilters({ filters, options }: { filters: Filters; options: FilterOptions }) {
  const { pathname } = useLocation();
  return (
    // Keyed by the filters: the selects are uncontrolled, so a navigation (a tile, a sort link) must remount them.
    <Form key={JSON.stringify(filters)} method="get" className="filters" aria-label="Filter findings" preventScrollReset>
      <div className="field">
        <label htmlFor="finding-check">Check</label>
        <select id="finding-check" name="check" defaultValue={filters.check ?? ""}>
          <option value="">All checks</option>
          {options.checks.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="finding-severity">Severity</label>
        <select id="finding-severity" name="severity" defaultValue={filters.severity ?? ""}>
          <option value="">Any severity</option>
          {severitiesInUse(options.checks).map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="finding-status">Status</label>
        <select id="finding-status" name="status" defaultValue={filters.status ?? ""}>
          <option value="">Not passing</option>
          {STATUS_VALUES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
          <option value="all">All, passing included</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="finding-account">Account</label>
        <select id="finding-account" name="account" defaultValue={filters.account ?? ""}>
          <option value="">All accounts</option>
          {options.accounts.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="finding-region">Region</label>
        <select id="finding-region" name="region" defaultValue={filters.region ?? ""}>
          <option value="">All regions</option>
          {options.regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Apply filters</button>
      <Link to={pathname} className="clear">
        Clear filters
      </Link>
    </Form>
  );
}
