/**
 * Flat memory (issue 15 item 4, ADR 0017): documents are counted as their
 * pages stream, never held. The same fleet with 12 times the documents per
 * data source gives an inventory of the same size, whose document scans hold
 * counts and at most five examples; only the counts grow. Audited over HTTP
 * through the in-process local AWS, as `npm run audit -- --fixture` does.
 */
import { describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import type { ApplicationInventory, Inventory } from "~/audit/types";
import { generateFleet } from "~/local-aws/generate-fleet";

const SCAN_KEYS = ["capped", "error", "failedCount", "freshCount", "reusedFrom", "scanned", "staleCount", "staleExamples", "startedAt"];

/** The audit's statistics and its applications' inventories as stored. */
async function inventoryWith(documents: number): Promise<{ stats: Inventory["stats"]; applications: ApplicationInventory[] }> {
  const fixture = generateFleet({ accounts: 1, regions: 1, apps: 2, dataSources: 3, syncJobs: 4, documents, seed: 21 });
  const { inventory } = await runAudit({ fixture, notify: false, securityHub: false });
  return { stats: inventory.stats, applications: inventory.applications.map((a) => a.stored()) };
}

const sources = (inventory: { applications: ApplicationInventory[] }) => inventory.applications.flatMap((a) => a.indices.flatMap((i) => i.dataSources));

describe("the collector holds no document lists", () => {
  it("keeps the inventory's size flat as documents per source grow 12-fold, counting every one", async () => {
    const few = await inventoryWith(50);
    const many = await inventoryWith(600);
    expect(sources(many).length).toBe(6);
    for (const ds of sources(many)) {
      expect(ds.documents.scanned).toBe(600);
      expect(Object.keys(ds.documents).every((k) => SCAN_KEYS.includes(k))).toBe(true);
      expect(ds.documents.staleExamples.length).toBeLessThanOrEqual(5);
      expect(ds.documents.staleCount + ds.documents.freshCount).toBeLessThanOrEqual(600);
    }
    for (const ds of sources(few)) expect(ds.documents.scanned).toBe(50);
    // Only digits of the counts may differ: 12 times the documents, not 12 times the bytes.
    const size = (inventory: { applications: ApplicationInventory[] }) => JSON.stringify(inventory.applications).length;
    expect(size(many)).toBeLessThan(size(few) * 1.05);
    expect(many.stats?.byOperation["qbusiness:ListDocuments"]).toBeGreaterThanOrEqual(6 * 6);
  });
});
