/** `npm run docs`: rewrite the check catalogue in README.md and docs/checks.md from the checks' metadata. */
import { readFileSync, writeFileSync } from "node:fs";
import { CATALOGUE_FILES, withCatalogueSection } from "../app/docs/catalogue";

for (const file of CATALOGUE_FILES) {
  const path = new URL(`../${file}`, import.meta.url);
  const before = readFileSync(path, "utf8");
  const after = withCatalogueSection(before, file);
  if (after !== before) writeFileSync(path, after);
  console.log(after === before ? `${file} catalogue is up to date` : `${file} catalogue rewritten`);
}
