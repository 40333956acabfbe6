// Responses written straight onto an upgrade request's socket: the Node HTTP server has handed the
// socket over, so success (101) and refusal alike are written by hand.
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

export function writeRawResponse(
  socket: Duplex,
  code: number,
  headers: Record<string, string | string[]>,
  body?: string,
): void {
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? "Unknown"}`];
  const all: Record<string, string | string[]> = { Date: new Date().toUTCString(), ...headers };
  if (body !== undefined) {
    all["Content-Length"] = String(Buffer.byteLength(body));
    all["Connection"] ??= "close";
  }
  for (const [name, value] of Object.entries(all)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  socket.write(`${lines.join("\r\n")}\r\n\r\n${body ?? ""}`);
}

/** Refuses an upgrade the way Go's http.Error does (text/plain, body ending in a newline), then closes. */
export function rejectUpgrade(socket: Duplex, code: number, message: string, headers: Record<string, string | string[]> = {}): void {
  if (socket.destroyed) return;
  writeRawResponse(
    socket,
    code,
    { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...headers },
    `${message}\n`,
  );
  socket.end();
}

/** Refuses with a Kubernetes Status object, as the API server does before a request reaches the kubelet. */
export function rejectWithStatus(socket: Duplex, code: number, reason: string, message: string): void {
  if (socket.destroyed) return;
  const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  writeRawResponse(socket, code, { "Content-Type": "application/json" }, JSON.stringify(status));
  socket.end();
}
