/**
 * HTTP as a browser without JavaScript sends it, for tests of several built
 * dashboards (replicas): plain GETs and form POSTs with a cookie, the
 * sign-in page's CSRF token, the answer's status, headers and body.
 */
import http from "node:http";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function send(url: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

export const cookieIn = (headers: http.IncomingHttpHeaders) => (headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
const csrfIn = (body: string) => /name="csrfToken" value="([^"]+)"/.exec(body)?.[1];

/** A form POST to `base + path` with the cookie, from the dashboard's own origin. */
export function postForm(base: string, path: string, fields: Record<string, string>, cookie: string): Promise<Answer> {
  const body = new URLSearchParams(fields).toString();
  return send(`${base}${path}`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: base } });
}

/** The sign-in page's anonymous cookie and the CSRF token in its form. */
export async function signInPage(base: string): Promise<{ cookie: string; csrf: string }> {
  const page = await send(`${base}/sign-in`);
  const csrf = csrfIn(page.body);
  if (!csrf) throw new Error(`no CSRF token on ${base}/sign-in (${page.status})`);
  return { cookie: cookieIn(page.headers), csrf };
}

/** One password attempt on `base`'s sign-in form. */
export async function tryPassword(base: string, username: string, password: string): Promise<Answer> {
  const page = await signInPage(base);
  return postForm(base, "/sign-in", { csrfToken: page.csrf, username, password, redirectTo: "/" }, page.cookie);
}

/** The signed-in session's CSRF token, read from a page's forms (the sign-out form is on every page). */
export async function csrfOf(base: string, cookie: string): Promise<string> {
  const page = await send(`${base}/activity`, { headers: { cookie } });
  const csrf = csrfIn(page.body);
  if (!csrf) throw new Error(`not signed in on ${base} (${page.status})`);
  return csrf;
}
