/**
 * "1 finding", "3 findings", "1 entry", "2 entries": a count with its noun in
 * the right number, instead of "finding(s)". Pure: used by the dashboard,
 * the fixes' messages and the CLIs alike.
 */
export function plural(count: number, singular: string, pluralForm?: string): string {
  return `${count} ${count === 1 ? singular : (pluralForm ?? defaultPlural(singular))}`;
}

/** English's regular plurals: "entry" → "entries", "sync" → "syncs", "class" → "classes". */
function defaultPlural(singular: string): string {
  if (/[^aeiou]y$/i.test(singular)) return `${singular.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(singular)) return `${singular}es`;
  return `${singular}s`;
}
