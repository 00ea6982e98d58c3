/** @type {import('@remix-run/dev').AppConfig} */
export default {
  // Classic compiler (not Vite): the stack decision in the README.
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Domain modules import Node built-ins (http, crypto, fs); keep them external on the server.
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_lazyRouteDiscovery: true,
    v3_relativeSplatPath: true,
    v3_singleFetch: true,
    v3_throwAbortReason: true,
  },
};
