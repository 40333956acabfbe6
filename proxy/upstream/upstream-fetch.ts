// A small buffered request to the upstream for the engine's own needs (approval previews), with
// the developer's credential. Never used for agent traffic, which is streamed.
import type { IncomingMessage } from "node:http";
import type { Upstream } from "./upstream.js";
import { UPSTREAM_CONNECT_TIMEOUT_MS } from "../gateway/limits.js";

export interface FetchResult {
  status: number;
  body: string;
}

const MAX_RESPONSE = 8 * 1024 * 1024;

export async function upstreamFetch(
  upstream: Upstream,
  method: string,
  path: string,
  options: { body?: Buffer | null; contentType?: string | undefined; timeoutMs?: number } = {},
): Promise<FetchResult> {
  const connection = await upstream.prepare();
  const headers: Record<string, string> = { ...connection.headers, Accept: "application/json" };
  if (options.body && options.body.length > 0) {
    headers["Content-Type"] = options.contentType ?? "application/json";
    headers["Content-Length"] = String(options.body.length);
  }
  return new Promise((resolve, reject) => {
    const req = upstream.transport.request(
      {
        protocol: upstream.server.protocol,
        hostname: upstream.server.hostname.replace(/^\[|\]$/g, ""),
        port: upstream.server.port || (upstream.isHttps ? 443 : 80),
        method,
        path: upstream.basePath + path,
        headers,
        agent: connection.agent,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE) req.destroy(new Error("response too large"));
          else chunks.push(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? UPSTREAM_CONNECT_TIMEOUT_MS * 3, () => req.destroy(new Error("upstream did not answer in time")));
    req.on("error", reject);
    req.end(options.body ?? undefined);
  });
}
