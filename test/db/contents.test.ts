/**
 * The packer that reuses deflate streams (ADR 0017): every text reads back
 * exactly, and it packs as small as a zlib handle per text does. (The bytes
 * may differ: a reset stream keeps stale match history, which changes which
 * equally valid matches zlib picks.)
 */
import { describe, expect, it } from "vitest";
import { packText, textPacker, trainDictionary, unpackText, type Dictionary } from "~/db/contents";

/** Texts like the store's (enough to train a dictionary): JSON of findings, some alike, one empty, one past zlib's 16 KB output chunk, some not ASCII. */
function sampleTexts(): string[] {
  const texts = Array.from({ length: 2500 }, (_, i) =>
    JSON.stringify({
      checkId: `check-${i % 7}`,
      status: i % 3 ? "pass" : "fail",
      resource: { name: `data source ${i} — Zürich`, index: i },
      evidence: { seen: i * 17 },
    }),
  );
  const noisy = Array.from({ length: 40_000 }, (_, i) => ((i * 7919) % 1000).toString(36)).join("");
  return [...texts, "", noisy, "日本語のテキスト".repeat(50)];
}

describe("textPacker", () => {
  const texts = sampleTexts();
  const bytes = trainDictionary(texts);
  const dictionary: Dictionary = { id: 7, bytes: bytes! };

  it.each([
    ["without a dictionary", undefined],
    ["with a dictionary", dictionary],
  ])("packs %s as small as packText does, over several calls, and each text reads back exactly", async (_, dict) => {
    const packer = textPacker(dict);
    try {
      const first = await packer.pack(1200, (i) => texts[i]!);
      const rest = await packer.pack(texts.length - 1200, (i) => texts[1200 + i]!);
      const packed = [...first, ...rest];
      expect(packed).toHaveLength(texts.length);
      const size = (buffers: Buffer[]) => buffers.reduce((n, b) => n + b.length, 0);
      const alone = texts.map((t) => packText(t, dict));
      expect(Math.abs(size(packed) / size(alone) - 1)).toBeLessThan(0.01);
      packed.forEach((p, i) => expect(p.subarray(0, dict ? 5 : 1).equals(alone[i]!.subarray(0, dict ? 5 : 1))).toBe(true));
      const dictionaries = new Map(dict ? [[dict.id, dict.bytes]] : []);
      expect(packed.map((p) => unpackText(p, dictionaries))).toEqual(texts);
    } finally {
      packer.close();
    }
  });

  it("packs with a dictionary smaller than without one", async () => {
    expect(bytes).toBeDefined();
    const packer = textPacker(dictionary);
    const plain = textPacker();
    try {
      const size = (buffers: Buffer[]) => buffers.reduce((n, b) => n + b.length, 0);
      expect(size(await packer.pack(2500, (i) => texts[i]!))).toBeLessThan(size(await plain.pack(2500, (i) => texts[i]!)) / 2);
    } finally {
      packer.close();
      plain.close();
    }
  });
});
