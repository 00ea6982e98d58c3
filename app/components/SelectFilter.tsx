import { Link, useLocation } from "@remix-run/react";
import { accountLabel, type AccountNames } from "~/dashboard/account-names";

export interface SelectChoice {
  value: string;
  label: string;
}

/**
 * One labelled select of a filters form (uncontrolled: the form is keyed by
 * its filters, so a navigation remounts it). `any` is the first choice, the
 * empty value ("All accounts"); without it, one of `choices` is always picked.
 */
export function SelectFilter({
  id,
  name,
  label,
  value,
  any,
  choices,
}: {
  id: string;
  name: string;
  label: string;
  value: string | null | undefined;
  any?: string;
  choices: readonly SelectChoice[];
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value ?? ""}>
        {any !== undefined ? <option value="">{any}</option> : null}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The account filter's choices: each account by its organization's name when it has one ("Payments (222233334444)"). */
export const accountChoices = (accounts: readonly string[], names: AccountNames): SelectChoice[] =>
  accounts.map((value) => ({ value, label: accountLabel(value, names) }));

/** Choices whose label is the value itself (regions). */
export const asChoices = (values: readonly string[]): SelectChoice[] => values.map((value) => ({ value, label: value }));

/** A filters form's submit button and the link back to the page without filters. */
export function FilterActions() {
  const { pathname } = useLocation();
  return (
    <>
      <button type="submit">Apply filters</button>
      <Link to={pathname} className="clear">
        Clear filters
      </Link>
    </>
  );
}
