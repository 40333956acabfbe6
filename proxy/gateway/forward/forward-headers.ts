// Which headers cross the gateway, and the upstream request that carries them. Hop-by-hop headers belong to one connection (RFC 9110 §7.6.1);
// the agent's Authorization and any Impersonate-* never reach the upstream.
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Upstream, PreparedConnection } from "../../upstream/upstream.js";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

function connectionListed(rawHeaders: string[]): Set<string> {
  const listed = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === "connection") {
      for (const token of (rawHeaders[i + 1] as string).split(",")) listed.add(token.trim().toLowerCase());
    }
  }
  return listed;
}

/** Headers of the agent's request, as sent to the upstream (credential headers are added by the caller). */
export function requestHeadersForUpstream(rawHeaders: string[], keepUpgrade: boolean): [string, string][] {
  const listed = connectionListed(rawHeaders);
  const out: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower.startsWith("impersonate-")) continue;
    if (keepUpgrade && lower === "upgrade") {
      out.push([name, rawHeaders[i + 1] as string]);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    out.push([name, rawHeaders[i + 1] as string]);
  }
  if (keepUpgrade) out.push(["Connection", "Upgrade"]);
  return out;
}

/** Headers of the upstream's response, as sent to the agent. */
export function responseHeadersForAgent(rawHeaders: string[]): [string, string][] {
  const listed = connectionListed(rawHeaders);
  const out: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if ((HOP_BY_HOP.has(lower) && lower !== "host") || listed.has(lower)) continue;
    out.push([name, rawHeaders[i + 1] as string]);
  }
  return out;
}

/** Opens the upstream request for an agent's request: same method and target, the developer's credential. */
export function openUpstreamRequest(
  upstream: Upstream,
  connection: PreparedConnection,
  req: IncomingMessage,
  upgrade: boolean,
  bufferedBodyLength: number | null = null,
  /** Adjusts the agent's headers before the credential is added (masking asks for JSON, uncompressed). */
  editHeaders: ((headers: [string, string][]) => [string, string][]) | null = null,
): ClientRequest {
  let headers = requestHeadersForUpstream(req.rawHeaders, upgrade);
  if (editHeaders) headers = editHeaders(headers);
  if (bufferedBodyLength !== null) {
    // The body was read (and may have arrived chunked): send it with its exact length.
    headers = headers.filter(([name]) => name.toLowerCase() !== "content-length");
    headers.push(["Content-Length", String(bufferedBodyLength)]);
  }
  for (const [name, value] of Object.entries(connection.headers)) headers.push([name, value]);
  // Raw header arrays make Node skip its automatic Host header: name the upstream ourselves.
  headers.unshift(["Host", upstream.server.host]);
  return upstream.transport.request({
    protocol: upstream.server.protocol,
    hostname: upstream.server.hostname.replace(/^\[|\]$/g, ""),
    port: upstream.server.port || (upstream.isHttps ? 443 : 80),
    method: req.method,
    path: upstream.basePath + (req.url ?? "/"),
    headers: headers.flat(),
    setHost: false,
    // Upgraded connections leave the pool for good, so they get their own socket.
    ...(upgrade ? { agent: false, ...connection.tls } : { agent: connection.agent }),
  });
}
