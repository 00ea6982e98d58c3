/**
 * One value per process for state the server keeps (the database handle,
 * the fix context, the scan state). The Remix server build carries its own
 * copy of every app module (see runtime.server.ts), so a module-level `let`
 * would give serve.ts and the build two different values: the value lives on
 * globalThis under a registered symbol instead, shared by every copy.
 */
export function singleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`qbiz-readiness.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  return (holder[key] ??= create());
}
