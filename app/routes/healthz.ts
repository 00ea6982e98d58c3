/** Liveness for load balancers and container orchestrators: no sign-in, no secrets, no AWS calls. */
export function loader() {
  return new Response("ok", { headers: { "content-type": "text/plain", "cache-control": "no-store" } });
}
