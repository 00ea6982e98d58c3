/**
 * Loaders return plain JSON types, so what a route reads from
 * useLoaderData/useActionData has the loader's own types: no route casts
 * them back (`as unknown as`), which would hide a loader returning a shape
 * that does not survive the wire (a Date, an `unknown` member).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const routes = path.resolve(__dirname, "../../app/routes");

describe("routes", () => {
  it("cast no loader or action data through unknown", () => {
    const files = fs.readdirSync(routes).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(10);
    const casts = files.filter((f) => /as unknown as/.test(fs.readFileSync(path.join(routes, f), "utf8")));
    expect(casts).toEqual([]);
  });
});
