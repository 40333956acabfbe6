// exec/attach over WebSocket (kubectl ≥ 1.30): the channel protocols of k8s' wsstream. Every binary
// message starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); the base64
// variants send text messages whose first character is the channel digit. v5 adds the close signal
// `[255, channel]` from the client to half-close its stdin. The server ends a session by writing the
// status on channel 3 and a close frame, then waits for the client's close (k8s' `finish`), so output
// still in flight is never cut off by an early socket close.
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { Readable, Writable, type Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { TerminalSize } from "./command-context.js";
import { rejectUpgrade } from "./raw-response.js";
import type { RemoteCommandOptions, RemoteCommandStreams } from "./remote-command.js";
import { ResizeDecoder } from "./resize-decoder.js";
import { errorChannelPayload } from "./status.js";

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE_SIGNAL = 255;

/** Subprotocols in order of preference; "" stands for a client that asked for none. */
export const WEBSOCKET_EXEC_PROTOCOLS = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v4.base64.channel.k8s.io",
  "channel.k8s.io",
  "base64.channel.k8s.io",
] as const;

/** Offered subprotocols, in the client's order, from Sec-WebSocket-Protocol. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.flatMap((v) => v.split(",")).map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Picks the client's first offered protocol that the server supports (wsstream's handshake rule). */
export function negotiateSubprotocol(offered: string[], supported: readonly string[]): string | null {
  if (offered.length === 0) return supported.includes("") ? "" : null;
  return offered.find((p) => supported.includes(p)) ?? null;
}

/**
 * Completes a WebSocket upgrade answering with the already negotiated subprotocol. The `ws` library
 * insists that offered subprotocols be RFC 7230 tokens and rejects `SPDY/3.1+portforward.k8s.io`
 * ('/' is no token character) with a 400, where Go's servers accept it; so the offer is replaced by a
 * placeholder before `ws` parses it, and the real name is what goes back to the client.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  if (protocol === "") delete req.headers["sec-websocket-protocol"];
  else req.headers["sec-websocket-protocol"] = "negotiated";
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // No limit beyond the transport's: `kubectl cp` of a large file arrives as big stdin messages.
    maxPayload: 0,
    handleProtocols: () => (protocol === "" ? false : protocol),
  });
  return new Promise((resolve) => {
    server.handleUpgrade(req, socket, head, (ws) => resolve(ws));
  });
}

/** Upgrades to a channel-protocol WebSocket and exposes its channels as remote-command streams. */
export async function acceptWebSocketRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: RemoteCommandOptions,
): Promise<RemoteCommandStreams | null> {
  const offered = offeredSubprotocols(req);
  const protocol = negotiateSubprotocol(offered, [...WEBSOCKET_EXEC_PROTOCOLS, ""]);
  if (protocol === null) {
    rejectUpgrade(
      socket,
      403,
      `requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${WEBSOCKET_EXEC_PROTOCOLS.join(" ")}]`,
    );
    return null;
  }
  const ws = await acceptWebSocket(req, socket, head, protocol);
  return new WebSocketChannels(ws, protocol, options).streams;
}

class WebSocketChannels {
  readonly streams: RemoteCommandStreams;
  private readonly base64: boolean;
  private readonly v5: boolean;
  private readonly stdin: Readable | null;
  private readonly resizeDecoder: ResizeDecoder | null;
  private readonly gone = new AbortController();
  private finished = false;

  constructor(
    private readonly ws: WebSocket,
    protocol: string,
    options: RemoteCommandOptions,
  ) {
    this.base64 = protocol.includes("base64");
    this.v5 = protocol === "v5.channel.k8s.io";
    this.stdin = options.stdin
      ? new Readable({
          read: () => {
            if (ws.isPaused) ws.resume();
          },
        })
      : null;
    this.resizeDecoder = options.tty ? new ResizeDecoder() : null;

    ws.on("message", (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on("close", () => {
      this.stdin?.push(null);
      if (!this.finished) this.gone.abort();
    });
    ws.on("error", () => {
      // The close handler runs next; a failed socket just ends the session.
    });

    // Tell the client the session is up: an empty message on the lowest writable channel.
    this.send(options.stdout ? STDOUT : options.stderr ? STDERR : ERROR, Buffer.alloc(0));

    const jsonStatus = protocol.startsWith("v4.") || protocol.startsWith("v5.");
    this.streams = {
      options,
      protocol,
      stdin: this.stdin,
      stdout: options.stdout ? this.channelWriter(STDOUT) : null,
      stderr: options.stderr ? this.channelWriter(STDERR) : null,
      resizes: this.resizeDecoder as EventEmitter<{ resize: [TerminalSize] }> | null,
      clientGone: this.gone.signal,
      finish: (outcome, argv) => {
        if (this.finished) return;
        this.finished = true;
        const payload = errorChannelPayload(outcome, argv, jsonStatus);
        if (payload.length > 0) this.send(ERROR, payload);
        // Anything the client sends from now on is discarded; the close handshake ends the session.
        this.stdin?.push(null);
        if (ws.readyState === ws.OPEN) ws.close(1000);
      },
    };
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (data.length === 0) return;
    let channel: number;
    let payload: Buffer;
    if (this.base64 && !isBinary) {
      channel = (data[0] as number) - 0x30;
      payload = Buffer.from(data.subarray(1).toString("latin1"), "base64");
    } else {
      channel = data[0] as number;
      payload = data.subarray(1);
    }
    if (this.v5 && channel === CLOSE_SIGNAL) {
      if (payload[0] === STDIN) this.stdin?.push(null);
      return;
    }
    if (this.finished) return;
    if (channel === STDIN && this.stdin) {
      if (payload.length > 0 && !this.stdin.push(payload)) this.ws.pause();
    } else if (channel === RESIZE) {
      this.resizeDecoder?.push(payload);
    }
  }

  private send(channel: number, payload: Buffer, callback?: (error?: Error) => void): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      callback?.();
      return;
    }
    if (this.base64) {
      this.ws.send(String.fromCharCode(0x30 + channel) + payload.toString("base64"), { binary: false }, callback);
    } else {
      this.ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true }, callback);
    }
  }

  private channelWriter(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        // The callback runs once ws has handed the frame to the socket: that is the back-pressure.
        this.send(channel, chunk, () => callback());
      },
    });
  }
}
