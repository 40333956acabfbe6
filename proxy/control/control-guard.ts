// The control API's defences against the browser and other local processes:
// - a per-launch bearer token in a header (never a cookie, so no ambient credential for CSRF);
// - Host must be the exact loopback address and port we listen on (DNS rebinding);
// - Origin, when a browser sends one, must be our own origin (cross-site requests);
// - no CORS headers are ever sent, so other origins cannot read responses.
import type { IncomingMessage } from "node:http";
import { timingSafeEqual, createHash } from "node:crypto";

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function hostAllowed(req: IncomingMessage, hosts: Set<string>): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && hosts.has(host);
}

export function originAllowed(req: IncomingMessage, hosts: Set<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser, or a same-origin GET
  if (origin === "null") return false;
  try {
    const url = new URL(origin);
    return url.protocol === "http:" && hosts.has(url.host.toLowerCase());
  } catch {
    return false;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export function tokenMatches(req: IncomingMessage, expected: string): boolean {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/.exec(header) : null;
  if (!match) return false;
  // Hash both sides so the comparison is constant-time regardless of length.
  return timingSafeEqual(digest(match[1] as string), digest(expected));
}
