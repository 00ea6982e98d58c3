/**
 * Checks on a fixture's shape made before the schema sees it, walking it
 * without recursion so that no input can overflow the stack: keys that would
 * reach an object's prototype (`__proto__`, `constructor`, `prototype`; a
 * policy named `__proto__` would otherwise vanish when copied), and nesting
 * deeper than any fixture needs.
 */
import { formatJsonPath } from "./fixture";

/** The deepest a fixture goes is about 15 levels (a policy condition in a role); this leaves ample room. */
export const MAX_FIXTURE_DEPTH = 100;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Enough issues to act on; the rest would be the same mistake repeated. */
const MAX_ISSUES = 20;

export function structureIssues(json: unknown): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: json, path: [] }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (path.length >= MAX_FIXTURE_DEPTH) {
      issues.push({ path: formatJsonPath(path), message: `nesting too deep: more than ${MAX_FIXTURE_DEPTH} levels of objects and arrays here` });
      continue;
    }
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries.reverse()) {
      if (typeof key === "string" && FORBIDDEN_KEYS.has(key)) {
        issues.push({ path: formatJsonPath([...path, key]), message: `the key "${key}" is not allowed (it names an object's prototype in JavaScript)` });
        continue;
      }
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return issues;
}
