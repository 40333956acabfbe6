// The benchmark's upstream: a stand-in API server that must never be the bottleneck. It speaks
// HTTP/1.1 over TLS with bearer-token auth like a real cluster, but every response is a buffer
// prepared at start-up (status line, headers and body in one piece), requests are parsed with a
// few string operations, and nothing is allocated per request beyond the parse. It serves only the
// routes the benchmark uses (see canned-api.ts); anything else gets a 404 Status.
//
// HTTP/2 is not offered (ALPN http/1.1 only): the engine talks HTTP/1.1 upstream, and a single
// fast protocol keeps the upstream's cost the same for every target. kubectl proxy would speak h2
// to a real cluster; against this upstream it pools HTTP/1.1 connections instead.
import tls from "node:tls";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import {
  PATHS,
  WATCH_EVENTS,
  apiGroupListBody,
  apiVersionsBody,
  configMapListBody,
  coreResourcesBody,
  createdConfigMapBody,
  secretWatchEventLine,
  secretListBody,
  smallObjectBody,
  stampOffset,
  statusBody,
  versionBody,
  watchEventLine,
  PACED_NAMESPACE,
  STAMP_DIGITS,
} from "./canned-api.js";
import { acceptSpdyExec, acceptWebSocketExec } from "./exec-upstream.js";
import { GO_TLS13_SUITES } from "./http1-client.js";

export interface FastUpstreamOptions {
  certPem: string;
  keyPem: string;
  token: string;
  host?: string;
}

export interface FastUpstream {
  port: number;
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;
/** Slices of the prebuilt watch stream per write: large enough to be cheap, small enough to interleave. */
const WATCH_WRITE = 64 * 1024;
/** A paced watch gives up by itself after this long, in case a client vanishes without closing. */
const PACED_LIMIT_MS = 120_000;

function response(status: string, body: Buffer, contentType = "application/json"): Buffer {
  // The headers a kube-apiserver sends; the Date is frozen, which no client checks.
  const head =
    `HTTP/1.1 ${status}\r\n` +
    `Audit-Id: 0b4f1d7e-6c1a-4a53-9d55-2f3e2c1b0a99\r\n` +
    `Cache-Control: no-cache, private\r\n` +
    `Content-Type: ${contentType}\r\n` +
    `X-Kubernetes-Pf-Flowschema-Uid: 6a1e0b7c-0f8a-4d1e-9a55-3b9f0d2e4c11\r\n` +
    `X-Kubernetes-Pf-Prioritylevel-Uid: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f\r\n` +
    `Date: Wed, 01 Jan 2025 00:00:00 GMT\r\n` +
    `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

const WATCH_HEAD = Buffer.from(
  "HTTP/1.1 200 OK\r\nAudit-Id: 0b4f1d7e-6c1a-4a53-9d55-2f3e2c1b0a99\r\nCache-Control: no-cache, private\r\n" +
    "Content-Type: application/json\r\nDate: Wed, 01 Jan 2025 00:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n",
  "latin1",
);
const CHUNKED_END = Buffer.from("0\r\n\r\n", "latin1");

function chunk(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, "latin1"), data, Buffer.from("\r\n", "latin1")]);
}

interface ParsedHead {
  method: string;
  url: string;
  path: string;
  watch: boolean;
  headers: Record<string, string>;
}

function parseHead(text: string): ParsedHead | null {
  const lines = text.split("\r\n");
  const requestLine = (lines[0] ?? "").split(" ");
  if (requestLine.length !== 3) return null;
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const url = requestLine[1] as string;
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const watch = q >= 0 && /(?:^|&)watch=(?:true|1)(?:&|$)/.test(url.slice(q + 1));
  return { method: requestLine[0] as string, url, path, watch, headers };
}

export function startFastUpstream(options: FastUpstreamOptions): Promise<FastUpstream> {
  const expectedAuth = `Bearer ${options.token}`;
  const fixed = new Map<string, Buffer>([
    [PATHS.smallObject, response("200 OK", smallObjectBody)],
    [PATHS.configMaps, response("200 OK", configMapListBody())],
    [PATHS.secrets, response("200 OK", secretListBody())],
    ["/version", response("200 OK", versionBody)],
    ["/api", response("200 OK", apiVersionsBody)],
    ["/apis", response("200 OK", apiGroupListBody)],
    ["/api/v1", response("200 OK", coreResourcesBody)],
  ]);
  const unauthorized = response("401 Unauthorized", statusBody(401, "Unauthorized", "Unauthorized"));
  const notFound = response("404 Not Found", statusBody(404, "NotFound", "the server could not find the requested resource"));
  const badRequest = response("400 Bad Request", statusBody(400, "BadRequest", "the benchmark upstream accepts no request bodies but creates of ConfigMaps"));
  const created = response("201 Created", createdConfigMapBody);
  /** Creates carry a body; anything larger is not a benchmark request. */
  const MAX_CREATE_BODY = 1024 * 1024;

  // The burst watch: every event its own chunk, as the API server flushes them, prebuilt as one stream.
  const burstParts: Buffer[] = [];
  for (let i = 0; i < WATCH_EVENTS; i++) burstParts.push(chunk(watchEventLine(i)));
  const burst = Buffer.concat(burstParts);
  burstParts.length = 0;
  for (let i = 0; i < WATCH_EVENTS; i++) burstParts.push(chunk(secretWatchEventLine(i)));
  const secretBurst = Buffer.concat(burstParts);
  burstParts.length = 0;

  const pacedTemplate = watchEventLine(0, PACED_NAMESPACE, true);
  const pacedStamp = stampOffset(pacedTemplate);

  const sockets = new Set<Socket>();

  function serveBurst(socket: Socket, stream: Buffer, done: () => void): void {
    socket.write(WATCH_HEAD);
    const burst = stream;
    let at = 0;
    const step = (): void => {
      while (at < burst.length && !socket.destroyed) {
        const slice = burst.subarray(at, Math.min(at + WATCH_WRITE, burst.length));
        at += slice.length;
        if (!socket.write(slice)) {
          socket.once("drain", step);
          return;
        }
      }
      if (!socket.destroyed) {
        socket.write(CHUNKED_END);
        done();
      }
    };
    step();
  }

  function servePaced(socket: Socket): void {
    socket.write(WATCH_HEAD);
    const until = Date.now() + PACED_LIMIT_MS;
    const tick = (): void => {
      if (socket.destroyed) return;
      if (Date.now() > until) {
        socket.end(CHUNKED_END);
        return;
      }
      const line = Buffer.from(pacedTemplate);
      const stamp = process.hrtime.bigint().toString().padStart(STAMP_DIGITS, "0");
      line.write(stamp, pacedStamp, "latin1");
      socket.write(chunk(line));
      // One event per timer tick (~1 ms): far below any throughput limit, so what the client sees
      // is the delay of a single event through each hop, not queueing.
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  }

  function onConnection(socket: Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let pending: Buffer | null = null;
    /** A streaming response owns the connection until it ends; later bytes wait (no pipelining there). */
    let busy = false;
    /** Body bytes of a create still to be read (and dropped) before the next request head. */
    let skip = 0;

    const onData = (data: Buffer): void => {
      pending = pending ? Buffer.concat([pending, data]) : data;
      while (!busy && pending) {
        if (skip > 0) {
          const dropped = Math.min(skip, pending.length);
          skip -= dropped;
          pending = dropped < pending.length ? pending.subarray(dropped) : null;
          // The whole body is in: the create is answered (the object is not kept; nothing reads it back).
          if (skip === 0) socket.write(created);
          continue;
        }
        const end: number = pending.indexOf("\r\n\r\n");
        if (end < 0) {
          if (pending.length > MAX_HEAD) socket.destroy();
          return;
        }
        const head: ParsedHead | null = parseHead(pending.toString("latin1", 0, end));
        const rest: Buffer | null = pending.length > end + 4 ? pending.subarray(end + 4) : null;
        pending = rest;
        if (!head) {
          socket.destroy();
          return;
        }
        const contentLength = Number(head.headers["content-length"] ?? 0);
        const create = head.method === "POST" && head.path === PATHS.configMaps;
        if (head.headers["transfer-encoding"] || (contentLength > 0 && !create) || contentLength > MAX_CREATE_BODY) {
          socket.end(badRequest);
          return;
        }
        if (head.headers.authorization !== expectedAuth) {
          // A refused create's body is not read: the connection ends with the answer.
          if (contentLength > 0) {
            socket.end(unauthorized);
            return;
          }
          socket.write(unauthorized);
          continue;
        }
        if (create) {
          if (contentLength === 0) socket.write(created);
          else skip = contentLength;
          continue;
        }
        const upgrade = (head.headers.upgrade ?? "").toLowerCase();
        if (upgrade && head.path.endsWith("/exec")) {
          socket.off("data", onData);
          const leftover = pending ?? Buffer.alloc(0);
          pending = null;
          if (upgrade === "websocket") acceptWebSocketExec(socket, head.url, head.headers);
          else if (upgrade.startsWith("spdy/3.1")) acceptSpdyExec(socket, head.url, head.headers, leftover);
          else socket.end(badRequest);
          return;
        }
        if (head.watch) {
          const namespaced = head.path.split("/")[4];
          busy = true;
          if (namespaced === PACED_NAMESPACE) servePaced(socket);
          else if (head.path === PATHS.configMaps || head.path === PATHS.secrets) {
            serveBurst(socket, head.path === PATHS.secrets ? secretBurst : burst, () => {
              busy = false;
              if (pending) onData(Buffer.alloc(0));
            });
          }
          // Any other watch is idle: headers, then nothing until the client leaves.
          else socket.write(WATCH_HEAD);
          continue;
        }
        socket.write(fixed.get(head.path) ?? notFound);
      }
    };
    socket.on("data", onData);
  }

  const server = tls.createServer({
    cert: options.certPem,
    key: options.keyPem,
    ALPNProtocols: ["http/1.1"],
    // A kube-apiserver (Go crypto/tls) picks the suite by its own order, AES-128-GCM first on
    // AES-capable CPUs, whatever the client prefers; Node would follow the client's (AES-256 first).
    ciphers: GO_TLS13_SUITES,
    honorCipherOrder: true,
  });
  server.on("secureConnection", onConnection);
  server.on("tlsClientError", () => undefined);

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
