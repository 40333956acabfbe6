// The forward pass for upgraded connections (exec, attach, port-forward over WebSocket or SPDY):
// relay the upgrade handshake to the upstream with the developer's credential, then pipe bytes
// both ways. pipe() gives backpressure; either side closing closes the other.
import type { IncomingMessage, ClientRequest } from "node:http";
import type { Duplex } from "node:stream";
import type { Upstream, PreparedConnection } from "../../upstream/upstream.js";
import { upstreamErrorStatus } from "../../upstream/upstream-errors.js";
import { openUpstreamRequest } from "./forward-headers.js";
import { statusFor, type KubernetesStatus } from "../status.js";
import { UPSTREAM_CONNECT_TIMEOUT_MS } from "../limits.js";
import type { UpgradeHooks } from "../../audit/exec-tap.js";
import { gatewayRequestOf } from "../gateway-request.js";
import { maskedRequestHeaders } from "../../masking/response-masking.js";
import { execMaskingFor, execReplacementFor } from "../../masking/exec-stream-masker.js";
import { portForwardMaskingFor } from "../../masking/port-forward-stream-masker.js";

/** Answers a not-yet-upgraded socket with a Status, as a plain HTTP response. */
export function writeStatusToSocket(socket: Duplex, status: KubernetesStatus): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function headBlock(statusLine: string, rawHeaders: string[]): string {
  let out = statusLine + "\r\n";
  for (let i = 0; i < rawHeaders.length; i += 2) out += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return out + "\r\n";
}

export function forwardUpgrade(upstream: Upstream, req: IncomingMessage, socket: Duplex, head: Buffer, onClose: () => void, hooks?: UpgradeHooks): void {
  const prepared = upstream.prepare();
  if (prepared instanceof Promise) {
    socket.pause();
    prepared.then(
      (connection) => open(upstream, connection, req, socket, head, onClose, hooks),
      (error: unknown) => {
        upstream.noteFailure((error as Error).message);
        writeStatusToSocket(socket, upstreamErrorStatus(error, upstream));
        onClose();
      },
    );
  } else {
    open(upstream, prepared, req, socket, head, onClose, hooks);
  }
}

function open(
  upstream: Upstream,
  connection: PreparedConnection,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  onClose: () => void,
  hooks?: UpgradeHooks,
): void {
  // exec/attach output and what a pod sends through a port-forward are masked on the wire
  // (proxy/masking/exec-stream-masker.ts, port-forward-stream-masker.ts).
  const request = gatewayRequestOf(req);
  const masking = request?.responseMasking ?? null;
  const portForward = request?.info?.kind === "resource" && request.info.verb === "portforward";
  const upstreamReq: ClientRequest = openUpstreamRequest(upstream, connection, req, true, null, masking ? (headers) => maskedRequestHeaders(headers, masking) : null);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    onClose();
  };
  const timer = setTimeout(() => {
    upstreamReq.destroy(Object.assign(new Error("connect timeout"), { code: "UPSTREAM_CONNECT_TIMEOUT" }));
  }, UPSTREAM_CONNECT_TIMEOUT_MS);

  upstreamReq.on("upgrade", (upstreamRes: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
    clearTimeout(timer);
    upstream.noteSuccess(upstreamRes.statusCode ?? 101);
    const tap = !masking ? null : portForward ? portForwardMaskingFor(masking, upstreamRes) : execMaskingFor(masking, upstreamRes, execReplacementFor(req.url));
    if (tap && "refuse" in tap) {
      upstreamSocket.destroy();
      hooks?.declined(500);
      writeStatusToSocket(socket, statusFor("InternalError", `chaperone: ${tap.refuse}; refused`));
      finish();
      return;
    }
    socket.write(headBlock(`HTTP/1.1 101 ${upstreamRes.statusMessage || "Switching Protocols"}`, upstreamRes.rawHeaders));
    const closeBoth = (): void => {
      socket.destroy();
      upstreamSocket.destroy();
      tap?.toAgent.destroy();
      tap?.toUpstream.destroy();
      finish();
    };
    if (tap) {
      // Both directions through the masking tap; bytes already read go first.
      if (upstreamHead.length > 0) tap.toAgent.write(upstreamHead);
      if (head.length > 0) tap.toUpstream.write(head);
      upstreamSocket.pipe(tap.toAgent).pipe(socket);
      socket.pipe(tap.toUpstream).pipe(upstreamSocket);
      tap.toAgent.on("error", closeBoth);
      tap.toUpstream.on("error", closeBoth);
    } else {
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    }
    // Audit (issue 6): the exec tap observes what the agent sends and what it receives (after masking).
    hooks?.upgraded(upstreamRes, socket, tap ? tap.toAgent : upstreamSocket, head, tap ? Buffer.alloc(0) : upstreamHead);
    if (socket.isPaused()) socket.resume();
    socket.on("error", closeBoth);
    upstreamSocket.on("error", closeBoth);
    socket.on("close", closeBoth);
    if (tap) {
      // The masking tap may still hold output when the upstream finishes: let it flush into the
      // agent's socket before tearing anything down.
      // A clean end goes upstream → tap (flush) → agent's socket (ended by the pipe), whose close
      // then tears down the rest; a broken upstream, or an agent that never closes, is cut.
      upstreamSocket.on("close", (hadError: boolean) => {
        if (hadError) closeBoth();
        else setTimeout(closeBoth, 5_000).unref();
      });
    } else {
      upstreamSocket.on("close", closeBoth);
    }
  });

  // The upstream declined to upgrade (404, 403, 400…): relay its answer as it is.
  upstreamReq.on("response", (upstreamRes: IncomingMessage) => {
    clearTimeout(timer);
    upstream.noteSuccess(upstreamRes.statusCode ?? 0);
    hooks?.declined(upstreamRes.statusCode ?? 0);
    const rawHeaders = upstreamRes.rawHeaders.filter((_, i, all) => {
      const name = (i % 2 === 0 ? all[i] : all[i - 1]) as string;
      return !/^(connection|transfer-encoding|keep-alive)$/i.test(name);
    });
    const chunks: Buffer[] = [];
    upstreamRes.on("data", (chunk: Buffer) => chunks.push(chunk));
    upstreamRes.on("end", () => {
      const body = Buffer.concat(chunks);
      const filtered = rawHeaders.filter((_, i, all) => !/^content-length$/i.test((i % 2 === 0 ? all[i] : all[i - 1]) as string));
      socket.end(
        Buffer.concat([
          Buffer.from(
            headBlock(`HTTP/1.1 ${upstreamRes.statusCode} ${upstreamRes.statusMessage ?? ""}`, [
              ...filtered,
              "Content-Length",
              String(body.length),
              "Connection",
              "close",
            ]),
          ),
          body,
        ]),
      );
      finish();
    });
  });

  upstreamReq.on("error", (error: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    upstream.noteFailure(error.message);
    writeStatusToSocket(socket, upstreamErrorStatus(error, upstream));
    finish();
  });

  socket.on("close", () => {
    if (!finished) upstreamReq.destroy();
  });
  upstreamReq.end();
}
