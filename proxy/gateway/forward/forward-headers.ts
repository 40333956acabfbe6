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

const NONE_LISTED: ReadonlySet<string> = new Set();

function connectionListed(rawHeaders: string[]): ReadonlySet<string> {
  let listed: Set<string> | null = null;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 10 && name.toLowerCase() === "connection") {
      listed ??= new Set<string>();
      for (const token of (rawHeaders[i + 1] as string).split(",")) listed.add(token.trim().toLowerCase());
    }
  }
  return listed ?? NONE_LISTED;
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

/** Per-upstream request options that never change: worked out once, not per request. */
interface UpstreamTarget {
  protocol: string;
  hostname: string;
  port: string | number;
  host: string;
}
const targets = new WeakMap<Upstream, UpstreamTarget>();

function targetOf(upstream: Upstream): UpstreamTarget {
  let target = targets.get(upstream);
  if (!target) {
    const server = upstream.server;
    target = {
      protocol: server.protocol,
      hostname: server.hostname.replace(/^\[|\]$/g, ""),
      port: server.port || (upstream.isHttps ? 443 : 80),
      host: server.host,
    };
    targets.set(upstream, target);
  }
  return target;
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
  const target = targetOf(upstream);
  // Raw header arrays make Node skip its automatic Host header: name the upstream ourselves.
  const flat: string[] = ["Host", target.host];
  for (const [name, value] of headers) {
    // The body was read (and may have arrived chunked): it is sent with its exact length.
    if (bufferedBodyLength !== null && name.toLowerCase() === "content-length") continue;
    flat.push(name, value);
  }
  if (bufferedBodyLength !== null) flat.push("Content-Length", String(bufferedBodyLength));
  const credential = connection.headers;
  for (const name in credential) flat.push(name, credential[name] as string);
  const options = {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: req.method,
    path: upstream.basePath + (req.url ?? "/"),
    headers: flat,
    setHost: false,
  };
  // Upgraded connections leave the pool for good, so they get their own socket.
  return upstream.transport.request(upgrade ? { ...options, agent: false, ...connection.tls } : { ...options, agent: connection.agent });
}
