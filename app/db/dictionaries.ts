/**
 * content_dictionaries (migration 0009, ADR 0014): the compression
 * dictionaries stored finding and inventory texts use, one per kind, trained
 * from the first audit with enough text and never changed afterwards (a
 * stored text names the dictionary it needs). Held in the database, so a copy
 * of the database (npm run db -- migrate-to) carries them.
 */
import type { Kysely } from "kysely";
import { trainDictionary, type Dictionary, type TrainingTexts } from "./contents";
import type { Db } from "./database";
import type { Schema } from "./schema";

export type DictionaryKind = "finding" | "inventory";

/** Dictionaries by id, per database handle: rows never change, so only new ids need a read. */
const cache = new WeakMap<object, Map<number, Buffer>>();

/** Every dictionary of the database by id (read once per handle, again only when a new one appeared). */
export async function dictionariesOf(db: Db | Kysely<Schema>): Promise<ReadonlyMap<number, Buffer>> {
  const kysely = "kysely" in db ? db.kysely : db;
  const known = cache.get(kysely) ?? new Map<number, Buffer>();
  cache.set(kysely, known);
  const newest = await kysely
    .selectFrom("content_dictionaries")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  const max = Number(newest?.id ?? 0);
  if (max > 0 && !known.has(max)) {
    for (const row of await kysely.selectFrom("content_dictionaries").select(["id", "dictionary"]).execute()) known.set(Number(row.id), row.dictionary);
  }
  return known;
}

/**
 * The dictionary new texts of a kind are packed with: the stored one, else
 * one trained from `texts` and stored now (undefined while there is too
 * little text to train one: texts are then packed without).
 */
export async function dictionaryFor(kysely: Kysely<Schema>, kind: DictionaryKind, texts: readonly string[] | TrainingTexts): Promise<Dictionary | undefined> {
  const stored = await kysely
    .selectFrom("content_dictionaries")
    .select(["id", "dictionary"])
    .where("kind", "=", kind)
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (stored) return { id: Number(stored.id), bytes: stored.dictionary };
  const trained = trainDictionary(texts);
  if (!trained) return undefined;
  const { id } = await kysely.insertInto("content_dictionaries").values({ kind, dictionary: trained }).returning("id").executeTakeFirstOrThrow();
  return { id: Number(id), bytes: trained };
}
