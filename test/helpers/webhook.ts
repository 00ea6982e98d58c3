/**
 * A webhook receiver for the notification tests: a real HTTP server on
 * loopback that parses every message posted to it into `into`, in arrival order.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Notification } from "~/notify/message";

export interface WebhookReceiver {
  /** Where to post (the path given, on the receiver's port). */
  url: string;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  into: Notification[],
  options: {
    path?: string;
    /** The answer to a message received. */
    status?: number;
    /** When it says so, the message is answered 503 and not kept (a sink that is down). */
    refuse?: () => boolean;
  } = {},
): Promise<WebhookReceiver> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (options.refuse?.()) {
        res.writeHead(503).end();
        return;
      }
      into.push(JSON.parse(body) as Notification);
      const status = options.status ?? 200;
      res.writeHead(status).end(status === 204 ? undefined : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? "/hook"}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
