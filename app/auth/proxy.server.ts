/**
 * Sign-in by an authenticating proxy (an ALB with OIDC, oauth2-proxy, ...).
 * The identity header is believed only when the TCP peer is a configured proxy
 * address: anyone who can reach the server directly could set it otherwise.
 */
import { BlockList, isIP } from "node:net";
import type { ProxyAuthConfig } from "~/config.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The TCP peer's address, from express (req.socket.remoteAddress). */
    peerAddress?: string;
  }
}

const blockLists = new WeakMap<ProxyAuthConfig, BlockList>();

function proxyList(auth: ProxyAuthConfig): BlockList {
  let list = blockLists.get(auth);
  if (!list) {
    list = new BlockList();
    for (const entry of auth.proxyAddresses) {
      const [address, bits] = entry.split("/");
      const type = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(bits), type);
    }
    blockLists.set(auth, list);
  }
  return list;
}

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) -> "10.0.0.1". */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

export function isProxyPeer(auth: ProxyAuthConfig, peerAddress: string | undefined): boolean {
  if (!peerAddress) return false;
  const address = normalise(peerAddress);
  const version = isIP(address);
  if (version === 0) return false;
  return proxyList(auth).check(address, version === 6 ? "ipv6" : "ipv4");
}

/** The identity the proxy vouches for, or undefined when the request did not come through it. */
export function proxyIdentity(auth: ProxyAuthConfig, request: Request, peerAddress: string | undefined): string | undefined {
  if (!isProxyPeer(auth, peerAddress)) return undefined;
  const identity = request.headers.get(auth.userHeader)?.trim();
  return identity ? identity : undefined;
}
