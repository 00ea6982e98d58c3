/** `npm run docs`: rewrite the README's check catalogue from the checks' metadata. */
import { readFileSync, writeFileSync } from "node:fs";
import { withCatalogueSection } from "../app/docs/catalogue";

const path = new URL("../README.md", import.meta.url);
const before = readFileSync(path, "utf8");
const after = withCatalogueSection(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? "README.md catalogue is up to date" : "README.md catalogue rewritten");
