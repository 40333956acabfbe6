// The client side of an exec stream, as kubectl opens it, reduced to counting stdout: WebSocket
// (v5.channel.k8s.io, falling back to v4) or SPDY/3.1 (v4.channel.k8s.io, an error and a stdout
// stream). Payloads are counted as they pass, never copied or decoded.
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { FrameSerializer, FLAG_FIN, spdyHeaders } from "../../proxy/spdy/index.js";
import { Http1Connection, requestHead, type Endpoint } from "./http1-client.js";
import { CHANNEL_STDOUT, WebSocketFrameScanner } from "./websocket-frames.js";
import { SpdyFrameScanner } from "./spdy-frame-scanner.js";

export type ExecProtocol = "websocket" | "spdy";

export interface ExecOutcome {
  /** stdout bytes received. */
  bytes: number;
  /** From the 101 answer to the last stdout byte. */
  streamMs: number;
  /** From sending the upgrade request to the 101 answer. */
  upgradeMs: number;
}

export async function runExec(endpoint: Endpoint, path: string, protocol: ExecProtocol, expected: number, timeoutMs: number): Promise<ExecOutcome> {
  const connection = await Http1Connection.open(endpoint);
  const head =
    protocol === "websocket"
      ? requestHead(endpoint, "GET", path, {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
          "Sec-WebSocket-Protocol": "v5.channel.k8s.io, v4.channel.k8s.io",
        })
      : requestHead(endpoint, "POST", path, {
          Connection: "Upgrade",
          Upgrade: "SPDY/3.1",
          "X-Stream-Protocol-Version": "v4.channel.k8s.io",
          "Content-Length": "0",
        });
  return new Promise<ExecOutcome>((resolve, reject) => {
    const sent = performance.now();
    let upgradedAt = 0;
    let lastByteAt = 0;
    let bytes = 0;
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`exec over ${protocol} did not finish within ${timeoutMs} ms (${bytes} of ${expected} bytes)`)), timeoutMs);
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close();
      reject(error);
    };
    const done = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close();
      if (bytes !== expected) reject(new Error(`exec over ${protocol}: got ${bytes} stdout bytes, expected ${expected}`));
      else resolve({ bytes, streamMs: lastByteAt - upgradedAt, upgradeMs: upgradedAt - sent });
    };
    const count = (n: number): void => {
      bytes += n;
      if (bytes >= expected) lastByteAt = performance.now();
    };

    connection.request(head, {
      onEnd: (status) => fail(new Error(`exec over ${protocol} was answered ${status} instead of 101`)),
      onError: fail,
      onUpgrade: (socket: Socket, rest: Buffer) => {
        upgradedAt = performance.now();
        socket.on("close", () => (bytes >= expected ? done() : fail(new Error(`exec stream closed after ${bytes} of ${expected} bytes`))));
        if (protocol === "websocket") {
          const scanner = new WebSocketFrameScanner((channel, n) => {
            if (channel === CHANNEL_STDOUT) count(n);
          });
          const feed = (chunk: Buffer): void => {
            scanner.push(chunk);
            if (scanner.closed) done();
          };
          socket.on("data", feed);
          if (rest.length > 0) feed(rest);
        } else {
          const serializer = new FrameSerializer();
          const open = (id: number, type: string): Buffer =>
            serializer.serialize({
              type: "SYN_STREAM",
              streamId: id,
              associatedToStreamId: 0,
              priority: 0,
              slot: 0,
              // The client never writes on these streams: it half-closes them at once.
              flags: FLAG_FIN,
              headers: spdyHeaders({ streamType: type }),
            });
          const stdoutId = 3;
          const scanner = new SpdyFrameScanner({
            data: (id, n) => {
              if (id === stdoutId) count(n);
            },
            fin: (id) => {
              if (id === stdoutId) done();
            },
          });
          socket.on("data", (chunk: Buffer) => scanner.push(chunk));
          if (rest.length > 0) scanner.push(rest);
          socket.write(Buffer.concat([open(1, "error"), open(stdoutId, "stdout")]));
          serializer.close();
        }
      },
    });
  });
}
