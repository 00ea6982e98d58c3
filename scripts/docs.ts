/**
 * `npm run docs`: rewrite the check catalogue in README.md and docs/checks.md
 * from the checks' metadata (a section that already says the same, perhaps
 * aligned by a formatter, is left as it is), and the audit and fix roles
 * under docs/deploy/roles from the checks' and the fixes' permissions.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { CATALOGUE_FILES, catalogueIsCurrent, withCatalogueSection } from "../app/docs/catalogue";
import { deployFileIsCurrent, deployRoleFiles } from "../app/docs/roles";

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

// The audit and fix roles as code (docs/deploy/roles), from the checks' and the fixes' declared permissions.
for (const [name, text] of Object.entries(deployRoleFiles())) {
  const path = fileURLToPath(new URL(`../docs/deploy/roles/${name}`, import.meta.url));
  const current = (() => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  })();
  if (deployFileIsCurrent(name, current, text)) continue;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`docs/deploy/roles/${name} written`);
}
