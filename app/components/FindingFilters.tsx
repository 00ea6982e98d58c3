import { Form, Link, useLocation } from "@remix-run/react";
import { FINDING_SORT_VALUES, STATUS_VALUES } from "~/dashboard/filters";
import { accountLabel, type AccountNames } from "~/dashboard/account-names";
import type { FilterOptions, FindingFilters as Filters, FindingSort } from "~/dashboard/types";
import { SEVERITY_LABELS, severitiesInUse, STATUS_LABELS } from "~/dashboard/words";

/** The findings page's filters: a GET form, so every view has a URL and works without JavaScript. */
const SORT_LABELS: Record<FindingSort, string> = {
  status: "Status (most urgent first)",
  severity: "Severity",
  check: "Check",
  application: "Application",
  account: "Account and region",
  "first-seen": "First seen",
  "last-seen": "Last seen",
};

export function FindingFilters({ filters, options, accountNames }: { filters: Filters; options: FilterOptions; accountNames: AccountNames }) {
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
        <label htmlFor="finding-suppressed">Accepted exceptions</label>
        <select id="finding-suppressed" name="suppressed" defaultValue={filters.suppressed ?? ""}>
          <option value="">Hide suppressed</option>
          <option value="show">Show suppressed</option>
          <option value="only">Only suppressed</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="finding-account">Account</label>
        <select id="finding-account" name="account" defaultValue={filters.account ?? ""}>
          <option value="">All accounts</option>
          {options.accounts.map((a) => (
            <option key={a} value={a}>
              {accountLabel(a, accountNames)}
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
      <div className="field">
        <label htmlFor="finding-application">Application (name or id)</label>
        <input type="text" id="finding-application" name="application" defaultValue={filters.application ?? ""} />
      </div>
      <div className="field">
        <label htmlFor="finding-q">Search</label>
        <input
          type="search"
          id="finding-q"
          name="q"
          defaultValue={filters.q ?? ""}
          placeholder="name, id, ARN, role, data source"
          aria-describedby="finding-q-help"
        />
        <span id="finding-q-help" className="visually-hidden">
          Application name or id, an ARN, a role name or ARN, a data source, index or web experience id
        </span>
      </div>
      <div className="field">
        <label htmlFor="finding-sort">Sort by</label>
        <select id="finding-sort" name="sort" defaultValue={filters.sort}>
          {FINDING_SORT_VALUES.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="finding-dir">Order</label>
        <select id="finding-dir" name="dir" defaultValue={filters.dir}>
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </select>
      </div>
      <button type="submit">Apply filters</button>
      <Link to={pathname} className="clear">
        Clear filters
      </Link>
    </Form>
  );
}
