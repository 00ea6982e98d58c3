import { Form } from "@remix-run/react";
import { FINDING_SORT_VALUES, STATUS_VALUES } from "~/dashboard/filters";
import type { AccountNames } from "~/dashboard/account-names";
import type { FilterOptions, FindingFilters as Filters, FindingSort } from "~/dashboard/types";
import { SEVERITY_LABELS, severitiesInUse, STATUS_LABELS } from "~/dashboard/words";
import { accountChoices, asChoices, FilterActions, SelectFilter } from "./SelectFilter";

const SORT_LABELS: Record<FindingSort, string> = {
  status: "Status (most urgent first)",
  severity: "Severity",
  check: "Check",
  application: "Application",
  account: "Account and region",
  "first-seen": "First seen",
  "last-seen": "Last seen",
};

const SUPPRESSED_CHOICES = [
  { value: "show", label: "Show suppressed" },
  { value: "only", label: "Only suppressed" },
];

const DIR_CHOICES = [
  { value: "asc", label: "Ascending" },
  { value: "desc", label: "Descending" },
];

/** The findings page's filters: a GET form, so every view has a URL and works without JavaScript. */
export function FindingFilters({ filters, options, accountNames }: { filters: Filters; options: FilterOptions; accountNames: AccountNames }) {
  return (
    // Keyed by the filters: the selects are uncontrolled, so a navigation (a tile, a sort link) must remount them.
    <Form key={JSON.stringify(filters)} method="get" className="filters" aria-label="Filter findings" preventScrollReset>
      <SelectFilter
        id="finding-check"
        name="check"
        label="Check"
        value={filters.check}
        any="All checks"
        choices={options.checks.map((c) => ({ value: c.id, label: c.title }))}
      />
      <SelectFilter
        id="finding-severity"
        name="severity"
        label="Severity"
        value={filters.severity}
        any="Any severity"
        choices={severitiesInUse(options.checks).map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
      />
      <SelectFilter
        id="finding-status"
        name="status"
        label="Status"
        value={filters.status}
        any="Not passing"
        choices={[...STATUS_VALUES.map((s) => ({ value: s, label: STATUS_LABELS[s] })), { value: "all", label: "All, passing included" }]}
      />
      <SelectFilter
        id="finding-suppressed"
        name="suppressed"
        label="Accepted exceptions"
        value={filters.suppressed}
        any="Hide suppressed"
        choices={SUPPRESSED_CHOICES}
      />
      <SelectFilter
        id="finding-account"
        name="account"
        label="Account"
        value={filters.account}
        any="All accounts"
        choices={accountChoices(options.accounts, accountNames)}
      />
      <SelectFilter id="finding-region" name="region" label="Region" value={filters.region} any="All regions" choices={asChoices(options.regions)} />
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
      <SelectFilter
        id="finding-sort"
        name="sort"
        label="Sort by"
        value={filters.sort}
        choices={FINDING_SORT_VALUES.map((s) => ({ value: s, label: SORT_LABELS[s] }))}
      />
      <SelectFilter id="finding-dir" name="dir" label="Order" value={filters.dir} choices={DIR_CHOICES} />
      <FilterActions />
    </Form>
  );
}
