// Masks what a pod sends back through a port-forward, on the wire, without terminating the
// protocol. Only the pod → agent direction is masked; what the agent sends passes untouched.
// Matches (known secret values in every form, detector matches) are replaced by same-length fills
// (byte-stream-masker.ts): the bytes are arbitrary TCP traffic (an HTTP response with its
// Content-Length, a database protocol with length-prefixed messages), so no length may change.
//
//  - SPDY/3.1 (kubectl ≤ 1.30): the client opens a data and an error stream per forwarded
//    connection; every DATA frame the server sends is masked, per stream (spdy-output-masker.ts).
//  - SPDY tunnelled in WebSocket (kubectl ≥ 1.31, subprotocol `SPDY/3.1+portforward.k8s.io`): the
//    server's binary messages carry the SPDY bytes, cut anywhere; they are joined into the SPDY
//    stream, masked as above, and what comes out is sent as new binary messages (message
//    boundaries mean nothing in this protocol). Control frames pass as they came (a close after
//    everything held has gone out).
//  - The kubelet's own WebSocket protocol (`v4.channel.k8s.io`, `v4.base64.channel.k8s.io`, or
//    none; other clients than kubectl): channel 2i carries port i's data, 2i+1 its errors, and
//    the first two bytes of each are the port number, which pass unmasked.
//
// Held-back bytes (the beginning of what may be a secret, an unfinished line) go out when the
// stream is quiet for IDLE_FLUSH_MS, with the stream's next data, or when it ends.
import { Transform, type TransformCallback } from "node:stream";
import type { IncomingMessage } from "node:http";
import type { ResponseMasking } from "./response-masking.js";
import { ByteStreamMasker } from "./byte-stream-masker.js";
import { ChunkQueue, readWebSocketFrames, wsHeader } from "./stream-framing.js";
import { SpdyDataMasking, SpdyOutputMasker } from "./spdy-output-masker.js";
import { PassThroughTap, WebSocketOutputMasker, execTransportOf, type ExecStreamMasking } from "./exec-stream-masker.js";

export const PORT_FORWARD_TUNNEL_PREFIX = "spdy/3.1";

/** One binary message holding `pieces`, joined. */
function binaryMessage(pieces: Buffer[]): Buffer {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return Buffer.concat([wsHeader(true, 0x2, length), ...pieces]);
}

/** SPDY inside WebSocket binary messages (server → client), its DATA frames masked. */
export class TunnelledSpdyMasker extends Transform {
  private readonly queue = new ChunkQueue();
  private readonly core: SpdyDataMasking;

  constructor(newMasker: () => ByteStreamMasker) {
    super();
    this.core = new SpdyDataMasking(
      () => true,
      newMasker,
      (frames) => {
        if (!this.destroyed) this.push(binaryMessage([frames]));
      },
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.queue.push(chunk);
    const out: Buffer[] = [];
    let spdy: Buffer[] = [];
    const sendSpdy = (): void => {
      if (spdy.length === 0) return;
      out.push(binaryMessage(spdy));
      spdy = [];
    };
    try {
      readWebSocketFrames(this.queue, (b0, raw, payload) => {
        if ((b0 & 0x70) !== 0) throw new Error("a compressed or extended WebSocket frame cannot be masked");
        const opcode = b0 & 0x0f;
        if (opcode >= 0x8) {
          // Control frames may sit between fragments; what came before them goes first, and before
          // a close, everything still held.
          if (opcode === 0x8) this.core.end(spdy);
          sendSpdy();
          out.push(raw);
          return;
        }
        this.core.push(payload, spdy);
      });
    } catch (error) {
      callback(error as Error);
      return;
    }
    sendSpdy();
    for (const piece of out) this.push(piece);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const spdy: Buffer[] = [];
    this.core.end(spdy);
    if (spdy.length > 0) this.push(binaryMessage(spdy));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.core.stop();
    callback(error);
  }
}

/** The masking transforms of a port-forward, by transport and the subprotocol the upstream chose. */
export function portForwardStreamMasking(transport: "websocket" | "spdy", subprotocol: string, newMasker: () => ByteStreamMasker): ExecStreamMasking {
  const toUpstream = new PassThroughTap(null);
  if (transport === "spdy") return { toAgent: new SpdyOutputMasker(() => true, newMasker), toUpstream };
  if (subprotocol.toLowerCase().startsWith(PORT_FORWARD_TUNNEL_PREFIX)) return { toAgent: new TunnelledSpdyMasker(newMasker), toUpstream };
  const options = { base64: subprotocol.includes("base64"), unmaskedChannel: null, channelPrefix: 2 };
  return { toAgent: new WebSocketOutputMasker(options, newMasker), toUpstream };
}

/**
 * The masking of a port-forward the upstream agreed to upgrade, or why it cannot be masked (the
 * port-forward is then refused: what the pod sends would pass unread).
 */
export function portForwardMaskingFor(masking: ResponseMasking, upstreamRes: IncomingMessage): ExecStreamMasking | { refuse: string } {
  const transport = execTransportOf(upstreamRes.headers.upgrade);
  if (!transport) {
    return { refuse: `the cluster upgraded the port-forward to ${JSON.stringify(upstreamRes.headers.upgrade ?? "")}, which chaperone cannot read to mask what the pod sends` };
  }
  if (transport === "websocket" && upstreamRes.headers["sec-websocket-extensions"]) {
    return { refuse: "the cluster turned on WebSocket compression, which chaperone cannot read to mask what the pod sends" };
  }
  const subprotocol = String(upstreamRes.headers["sec-websocket-protocol"] ?? upstreamRes.headers["x-stream-protocol-version"] ?? "");
  const { scope } = masking;
  return portForwardStreamMasking(transport, subprotocol, () => new ByteStreamMasker(scope.masker, scope.settings.detectors, () => scope.note("port-forward"), { replacement: "same-length" }));
}
