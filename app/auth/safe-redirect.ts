/**
 * Where sign-in may send the browser afterwards: a path on this origin, or
 * "/". Browsers are lenient in ways a prefix check misses (they drop tabs and
 * newlines, read "\" as "/", resolve "/./" and "/../"), so the candidate is
 * parsed with the URL API against a stand-in origin, and the path it resolves
 * to must still be one path on that origin, before and after percent-decoding.
 */

/** A stand-in origin: only "does it stay on the origin it is resolved against" matters. */
const HERE = "http://qbiz-readiness.invalid";
/** Longer than any page's path and query; a longer value is not one we produced. */
const MAX_LENGTH = 2048;
// Control characters (browsers strip tab/CR/LF, which turns "/\t/host" into "//host") and backslashes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined; // malformed escapes ("%E0%A4%A"): not a path we produced
  }
}

/** "//host", "/\host", or control characters: read by some client as another host. */
function looksOffSite(path: string): boolean {
  return path.startsWith("//") || UNSAFE_CHARACTERS.test(path);
}

/**
 * `to` when it is a same-origin path (path, query and fragment as the URL API
 * normalises them), "/" for anything else: absolute or scheme-relative URLs
 * ("https:host", "//host"), backslashes, control characters, their encoded
 * forms in the path ("/%09/host", "/%2F%2Fhost"), and sign-in/out themselves.
 * Never throws.
 */
export function safeRedirectPath(to: FormDataEntryValue | string | null | undefined): string {
  if (typeof to !== "string" || to.length > MAX_LENGTH || !to.startsWith("/") || looksOffSite(to)) return "/";
  let url: URL;
  try {
    url = new URL(to, HERE);
  } catch {
    return "/";
  }
  if (url.origin !== HERE) return "/";
  const pathname = decoded(url.pathname);
  if (pathname === undefined || looksOffSite(url.pathname) || looksOffSite(pathname)) return "/";
  if (/^\/sign-(in|out)(\/|$)/.test(pathname)) return "/";
  return url.pathname + url.search + url.hash;
}
