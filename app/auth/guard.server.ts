/**
 * Sign-in enforced on every route of the server build, not only where a loader
 * remembers to ask: the root loader does not run for resource routes, for
 * actions, or for client navigations that skip revalidating it (single-fetch
 * `?_routes=`), so serve.ts wraps every route's loader and action here.
 */
import type { ServerBuild } from "@remix-run/node";
import { requireUser } from "~/auth/user.server";

/** Routes that decide for themselves: root (allows the sign-in page), sign-in, sign-out, healthz. */
const SELF_GUARDED_ROUTES = new Set(["root", "routes/sign-in", "routes/sign-out", "routes/healthz"]);

type RouteArgs = { request: Request; context: Parameters<typeof requireUser>[1] };
type Handler = (args: RouteArgs) => unknown;

function guarded(handler: Handler): Handler {
  return async (args) => {
    await requireUser(args.request, args.context);
    return handler(args);
  };
}

/** A copy of `build` whose every loader and action (but the self-guarded ones) first requires a signed-in user. */
export function requireSignInOnEveryRoute(build: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    if (!route || SELF_GUARDED_ROUTES.has(id)) {
      routes[id] = route;
      continue;
    }
    const module = { ...route.module } as Record<string, unknown>;
    if (typeof module.loader === "function") module.loader = guarded(module.loader as Handler);
    if (typeof module.action === "function") module.action = guarded(module.action as Handler);
    routes[id] = { ...route, module: module as unknown as typeof route.module };
  }
  return { ...build, routes };
}
