/**
 * Stored by content (migration 0009, ADR 0014): a finding's report JSON text
 * and an application's inventory JSON text are kept once however many audits
 * hold them, keyed by the SHA-256 of the text, and compressed (raw DEFLATE,
 * the format both engines store as bytes: SQLite BLOB, PostgreSQL bytea).
 * The text read back is byte-for-byte the text stored.
 */
import { hash } from "node:crypto";
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync, type DeflateRaw } from "node:zlib";

/** The content key of a text: the first 128 bits of the SHA-256 of its UTF-8 bytes, hex (32 characters). */
export function contentHash(text: string): string {
  // One-shot: no Hash object (and its native state) per text.
  return hash("sha256", text, "hex").slice(0, 32);
}

/** A compression dictionary (content_dictionaries row): texts like the ones it was trained on compress several times smaller. */
export interface Dictionary {
  id: number;
  bytes: Buffer;
}

/** Stored forms start with their format: 0 raw DEFLATE; 1 raw DEFLATE with a dictionary, whose id (4 bytes, big-endian) follows. */
const PLAIN = 0;
const WITH_DICTIONARY = 1;

/** What a stored form starts with: its format, and the dictionary's id when it has one. */
function headOf(dictionary?: Dictionary): Buffer {
  if (!dictionary) return Buffer.of(PLAIN);
  const head = Buffer.alloc(5);
  head.writeUInt8(WITH_DICTIONARY, 0);
  head.writeUInt32BE(dictionary.id, 1);
  return head;
}

/** The stored form of a text (compressed UTF-8, with the dictionary when given). */
export function packText(text: string, dictionary?: Dictionary): Buffer {
  const utf8 = Buffer.from(text, "utf8");
  return Buffer.concat([headOf(dictionary), dictionary ? deflateRawSync(utf8, { dictionary: dictionary.bytes }) : deflateRawSync(utf8)]);
}

/** Packs many texts with one dictionary; close it when done. */
export interface TextPacker {
  /**
   * The stored forms of `count` texts, in order (each unpacks to its text, as
   * packText's does). Each text is made by `textAt` just before it is packed.
   */
  pack(count: number, textAt: (index: number) => string): Promise<Buffer[]>;
  close(): void;
}

/** Deflate streams a packer keeps, each packing one text at a time in the thread pool (four: 0.85 s for a large audit's texts, one: 1.4 s). */
const PACKER_STREAMS = 4;

/**
 * A packer that reuses a few deflate streams (zlib's reset between texts)
 * instead of a new zlib handle per text as packText does. Each handle holds
 * native memory until it is collected: a large audit's ~9,000 new texts left
 * ~70 MB of it behind (measured, ADR 0017). The sizes are the same (the
 * bytes may differ: a reset stream keeps stale match history, so zlib can
 * pick other, equally valid matches).
 */
export function textPacker(dictionary?: Dictionary, streams = PACKER_STREAMS): TextPacker {
  const head = headOf(dictionary);
  const pool = Array.from({ length: streams }, () => deflateStream(dictionary));
  return {
    async pack(count, textAt) {
      const packed: Buffer[] = new Array<Buffer>(count);
      let next = 0;
      const work = async (stream: DeflateStream) => {
        for (let i = next++; i < count; i = next++) packed[i] = Buffer.concat([head, await stream.deflate(Buffer.from(textAt(i), "utf8"))]);
      };
      await Promise.all(pool.map(work));
      return packed;
    },
    close: () => pool.forEach((stream) => stream.close()),
  };
}

interface DeflateStream {
  /** One whole raw DEFLATE stream of these bytes (the dictionary preset), then reset for the next. */
  deflate(bytes: Buffer): Promise<Buffer>;
  close(): void;
}

function deflateStream(dictionary?: Dictionary): DeflateStream {
  // Every write is a whole text: finished (Z_FINISH) in one pass, then reset() presets the dictionary again for the next.
  const engine: DeflateRaw = createDeflateRaw({ flush: constants.Z_FINISH, ...(dictionary ? { dictionary: dictionary.bytes } : {}) });
  let chunks: Buffer[] = [];
  let failure: Error | undefined;
  engine.on("data", (chunk: Buffer) => chunks.push(chunk));
  engine.on("error", (error: Error) => (failure = error));
  return {
    deflate: (bytes) =>
      new Promise<Buffer>((resolve, reject) => {
        if (failure) return reject(failure);
        engine.write(bytes, (error) => {
          if (error || failure) return reject(error ?? failure);
          const out = Buffer.concat(chunks);
          chunks = [];
          engine.reset();
          resolve(out);
        });
      }),
    close: () => engine.close(),
  };
}

/** The dictionary a stored form needs (its id), or undefined. */
export function dictionaryIdOf(stored: Uint8Array): number | undefined {
  return stored[0] === WITH_DICTIONARY ? Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).readUInt32BE(1) : undefined;
}

/** The text a stored form holds; `dictionaries` gives the dictionary by id (app/db/dictionaries.ts). */
export function unpackText(stored: Uint8Array, dictionaries?: ReadonlyMap<number, Buffer>): string {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bytes[0] === PLAIN) return inflateRawSync(bytes.subarray(1)).toString("utf8");
  if (bytes[0] !== WITH_DICTIONARY) throw new Error(`A stored text has an unknown format (${bytes[0]}).`);
  const id = bytes.readUInt32BE(1);
  const dictionary = dictionaries?.get(id);
  if (!dictionary) throw new Error(`A stored text needs compression dictionary ${id}, which the database does not have.`);
  return inflateRawSync(bytes.subarray(5), { dictionary }).toString("utf8");
}

/** Bytes of text a dictionary is trained from, and the least new text worth training one. */
const DICTIONARY_BYTES = 32 * 1024;
export const TRAINING_MINIMUM = 256 * 1024;

/** Texts a dictionary may be trained from, made one at a time when asked (a fleet's texts are not all held at once). */
export interface TrainingTexts {
  count: number;
  /** The characters of all the texts together. */
  totalLength: number;
  textAt(index: number): string;
}

/**
 * A dictionary from sample texts: evenly spaced ones until 32 KB (DEFLATE
 * reaches back 32 KB). Undefined when there is too little text to learn from.
 */
export function trainDictionary(texts: readonly string[] | TrainingTexts): Buffer | undefined {
  const source = "textAt" in texts ? texts : textsOf(texts);
  const total = source.totalLength;
  if (total < TRAINING_MINIMUM) return undefined;
  const picked: string[] = [];
  let size = 0;
  const step = Math.max(1, Math.floor(total / DICTIONARY_BYTES));
  for (let i = 0; i < source.count && size < DICTIONARY_BYTES; i += step) {
    const text = source.textAt(i);
    picked.push(text);
    size += text.length;
  }
  return Buffer.from(picked.join("\n"), "utf8").subarray(-DICTIONARY_BYTES);
}

function textsOf(texts: readonly string[]): TrainingTexts {
  return { count: texts.length, totalLength: texts.reduce((n, t) => n + t.length, 0), textAt: (i) => texts[i]! };
}

/** What stands for the findings array while the rest of a report is serialised (a string no JSON of a report holds). */
const FINDINGS_MARK = "\u0000qbr:findings\u0000";
const MARK_JSON = JSON.stringify(FINDINGS_MARK);

/** A report's JSON text without its findings array, and where the array goes. */
export interface ReportSkeleton {
  /** The report's JSON text with the findings array taken out. */
  text: string;
  /** The character offset in `text` where `[` + the findings' texts joined by `,` + `]` goes. */
  at: number;
}

/**
 * The skeleton of a report object: JSON.stringify of the report equals
 * skeleton.text.slice(0, at) + "[" + findings.map(JSON.stringify).join(",")
 * + "]" + skeleton.text.slice(at) (an array serialises as exactly that).
 * Undefined when the report has no findings array.
 */
export function reportSkeleton(report: { findings?: unknown }): ReportSkeleton | undefined {
  if (!Array.isArray(report.findings)) return undefined;
  const text = JSON.stringify({ ...report, findings: FINDINGS_MARK });
  const at = text.indexOf(MARK_JSON);
  if (at < 0 || text.indexOf(MARK_JSON, at + 1) >= 0) return undefined;
  return { text: text.slice(0, at) + text.slice(at + MARK_JSON.length), at };
}

/** Whether `whole` is exactly the skeleton with these finding texts in it (compared in place, never concatenated). */
export function reassemblesTo(whole: string, skeleton: ReportSkeleton, findings: readonly string[]): boolean {
  const head = skeleton.text.slice(0, skeleton.at);
  const tail = skeleton.text.slice(skeleton.at);
  const length = head.length + tail.length + 2 + findings.reduce((n, f) => n + f.length, 0) + Math.max(0, findings.length - 1);
  if (whole.length !== length || !whole.startsWith(head) || !whole.endsWith(tail)) return false;
  let offset = head.length;
  if (whole[offset++] !== "[") return false;
  for (let i = 0; i < findings.length; i++) {
    if (i > 0 && whole[offset++] !== ",") return false;
    if (!whole.startsWith(findings[i]!, offset)) return false;
    offset += findings[i]!.length;
  }
  return whole[offset] === "]";
}
