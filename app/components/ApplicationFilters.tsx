import { Form } from "@remix-run/react";
import type { AccountNames } from "~/dashboard/account-names";
import { READINESS_VALUES } from "~/dashboard/filters";
import type { ApplicationFilters as Filters, FilterOptions } from "~/dashboard/types";
import { READINESS_LABELS } from "~/dashboard/words";
import { accountChoices, asChoices, FilterActions, SelectFilter } from "./SelectFilter";

/** The applications table's filters: a GET form, so it works before (and without) JavaScript. */
export function ApplicationFilters({ filters, options, accountNames }: { filters: Filters; options: FilterOptions; accountNames: AccountNames }) {
  return (
    // Keyed by the filters: the selects are uncontrolled, so a navigation (a tile, a sort link) must remount them.
    <Form key={JSON.stringify(filters)} method="get" className="filters" aria-label="Filter applications" preventScrollReset>
      <SelectFilter
        id="app-account"
        name="account"
        label="Account"
        value={filters.account}
        any="All accounts"
        choices={accountChoices(options.accounts, accountNames)}
      />
      <SelectFilter id="app-region" name="region" label="Region" value={filters.region} any="All regions" choices={asChoices(options.regions)} />
      <SelectFilter
        id="app-readiness"
        name="readiness"
        label="Readiness"
        value={filters.readiness}
        any="Any readiness"
        choices={READINESS_VALUES.map((r) => ({ value: r, label: READINESS_LABELS[r] }))}
      />
      <SelectFilter
        id="app-check"
        name="check"
        label="Failing check"
        value={filters.check}
        any="Any check"
        choices={options.checks.map((c) => ({ value: c.id, label: c.title }))}
      />
      <div className="field">
        <label htmlFor="app-q">Name or id</label>
        <input type="search" id="app-q" name="q" defaultValue={filters.q ?? ""} placeholder="e.g. hr-assistant" />
      </div>
      <input type="hidden" name="sort" value={filters.sort} />
      <input type="hidden" name="dir" value={filters.dir} />
      <FilterActions />
    </Form>
  );
}
