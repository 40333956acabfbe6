// Observes an upgraded exec / attach connection byte for byte without altering it: given the
// agent's socket and the upstream socket after the 101, it listens to both (beside the pipes that
// relay them), parses the transport (WebSocket channel protocols or SPDY/3.1) and hands each
// channel's bytes to the recording. Parsing problems never touch the connection: the recording is
// then marked incomplete. A recording that cannot be written cuts the session (fail closed).
import type { IncomingMessage } from "node:http";
import type { Duplex, Readable } from "node:stream";
import { WebSocketFrameParser } from "./websocket-frame-parser.js";
import { WebSocketChannels } from "./websocket-channels.js";
import { SpdyChannels } from "./spdy-channels.js";
import { exitFromErrorChannel, type ExitOutcome } from "./exit-status.js";
import type { SessionEvents } from "./session-events.js";

/**
 * What forward-upgrade.ts reports to the recorder about one upgrade request. Both are optional to
 * call; without them the audit event of an exec says nothing about the stream.
 */
export interface UpgradeHooks {
  /**
   * The upstream answered 101 and the pipes are set up. `agentSocket`: the agent's connection (its
   * 'data' is what the agent sends); `toAgent`: the stream whose 'data' is what the agent receives
   * (the upstream socket, or the masking stage's output when exec output is masked). `agentHead` /
   * `toAgentHead`: bytes that came with the upgrade and were relayed without passing through those
   * streams' 'data' events (empty when they went through them).
   */
  upgraded(upstreamRes: IncomingMessage, agentSocket: Duplex, toAgent: Readable, agentHead: Buffer, toAgentHead: Buffer): void;
  /** The upstream declined the upgrade with this HTTP status. */
  declined(statusCode: number): void;
}

export interface TapSession extends SessionEvents {
  setProtocol(transport: "websocket" | "spdy", protocol: string | null): void;
}

export interface TapOutcome extends ExitOutcome {
  /** Why the stream could not be parsed to its end, if it could not. */
  incomplete: string | null;
}

const MAX_ERROR_CHANNEL = 64 * 1024;

function headerString(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

export class ExecTap {
  private readonly jsonStatus: boolean;
  private readonly errorBytes: Buffer[] = [];
  private errorLength = 0;
  private incomplete: string | null = null;
  private detach: () => void = () => {};
  private readonly endedCleanly: () => boolean;
  private done: TapOutcome | null = null;

  /**
   * Starts observing. `requestUpgrade` is the agent's Upgrade header (websocket or SPDY/3.1); the
   * negotiated subprotocol comes from the upstream's 101 answer.
   */
  constructor(
    requestUpgrade: string,
    upstreamRes: IncomingMessage,
    clientSocket: Readable,
    upstreamSocket: Readable,
    clientHead: Buffer,
    upstreamHead: Buffer,
    session: TapSession,
  ) {
    const events: SessionEvents = {
      stdin: (d) => session.stdin(d),
      stdout: (d) => session.stdout(d),
      stderr: (d) => session.stderr(d),
      resize: (w, h) => session.resize(w, h),
      stdinClosed: () => session.stdinClosed(),
      errorChannel: (d) => {
        session.errorChannel(d);
        if (this.errorLength + d.length <= MAX_ERROR_CHANNEL) {
          this.errorBytes.push(Buffer.from(d));
          this.errorLength += d.length;
        }
      },
    };
    let fromClient: (chunk: Buffer) => void;
    let fromServer: (chunk: Buffer) => void;
    if (/websocket/i.test(requestUpgrade)) {
      // No subprotocol answered means the kubelet's default, channel.k8s.io.
      const protocol = headerString(upstreamRes.headers["sec-websocket-protocol"]).trim() || "channel.k8s.io";
      session.setProtocol("websocket", protocol);
      this.jsonStatus = /^v[45]\./.test(protocol);
      const client = new WebSocketFrameParser(new WebSocketChannels(protocol, events));
      const serverChannels = new WebSocketChannels(protocol, events);
      const server = new WebSocketFrameParser(serverChannels);
      fromClient = (chunk) => client.push(chunk);
      fromServer = (chunk) => server.push(chunk);
      this.endedCleanly = () => serverChannels.closed;
    } else {
      const protocol = headerString(upstreamRes.headers["x-stream-protocol-version"]).trim() || null;
      session.setProtocol("spdy", protocol);
      this.jsonStatus = protocol !== null && /^v[45]\./.test(protocol);
      const spdy = new SpdyChannels(events);
      fromClient = (chunk) => spdy.fromClient(chunk);
      fromServer = (chunk) => spdy.fromServer(chunk);
      this.endedCleanly = () => true;
      const previous = this.detach;
      this.detach = () => {
        previous();
        spdy.close();
      };
    }

    const guard =
      (parse: (chunk: Buffer) => void) =>
      (chunk: Buffer): void => {
        if (this.incomplete !== null) return;
        try {
          parse(chunk);
        } catch (error) {
          this.incomplete = `the stream could not be parsed from here on: ${(error as Error).message}`;
        }
      };
    const onClient = guard(fromClient);
    const onServer = guard(fromServer);
    // Bytes that arrived with the upgrade come first, in the order they were relayed.
    if (upstreamHead.length > 0) onServer(upstreamHead);
    if (clientHead.length > 0) onClient(clientHead);
    clientSocket.on("data", onClient);
    upstreamSocket.on("data", onServer);
    const previous = this.detach;
    this.detach = () => {
      clientSocket.off("data", onClient);
      upstreamSocket.off("data", onServer);
      previous();
    };
  }

  /** Stops observing and says how the session ended. Idempotent. */
  finish(): TapOutcome {
    if (this.done) return this.done;
    this.detach();
    const exit = exitFromErrorChannel(Buffer.concat(this.errorBytes), this.jsonStatus, this.endedCleanly());
    this.done = { ...exit, incomplete: this.incomplete };
    return this.done;
  }
}
