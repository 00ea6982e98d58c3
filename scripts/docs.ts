/**
 * `npm run docs`: rewrite the check catalogue in README.md and docs/checks.md
 * from the checks' metadata. A section that already says the same (a
 * formatter may have aligned its tables) is left as it is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { CATALOGUE_FILES, catalogueIsCurrent, withCatalogueSection } from "../app/docs/catalogue";

for (const file of CATALOGUE_FILES) {
  const path = new URL(`../${file}`, import.meta.url);
  const text = readFileSync(path, "utf8");
  if (catalogueIsCurrent(text, file)) {
    console.log(`${file} catalogue is up to date`);
  } else {
    writeFileSync(path, withCatalogueSection(text, file));
    console.log(`${file} catalogue rewritten`);
  }
}
