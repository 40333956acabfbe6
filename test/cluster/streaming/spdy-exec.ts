// exec/attach over SPDY/3.1 (kubectl ≤ 1.29, and newer kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false),
// as the kubelet serves it (pkg/kubelet/cri/streaming/remotecommand/httpstream.go): negotiate
// X-Stream-Protocol-Version, switch to SPDY, then wait for the client to open one stream per channel,
// each labelled by its `streamType` header (error, stdin, stdout, stderr, resize). The error stream
// gets the outcome (JSON Status from v4 on, plain text before), then every stream is finished and the
// connection closed.
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { SpdySession, type SpdyStream } from "../../../proxy/spdy/session.js";
import { headerValue } from "../../../proxy/spdy/frames.js";
import type { TerminalSize } from "./command-context.js";
import { rejectUpgrade, writeRawResponse } from "./raw-response.js";
import type { RemoteCommandOptions, RemoteCommandStreams } from "./remote-command.js";
import { ResizeDecoder } from "./resize-decoder.js";
import { errorChannelPayload } from "./status.js";

/** The kubelet's SupportedStreamingProtocols, in its order. */
export const SPDY_EXEC_PROTOCOLS = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"] as const;

/** How long the client gets to open its streams (the kubelet's DefaultStreamCreationTimeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** How long a finished session waits for the client to close before dropping the connection. */
const CLOSE_GRACE_MS = 30_000;

function commaSeparated(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.flatMap((v) => v.split(",")).map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * httpstream.Handshake: the client's first offered protocol that the server accepts. On failure the
 * socket has been answered (400 for a missing header, 403 with the accepted versions for no match).
 */
export function negotiateStreamProtocol(req: IncomingMessage, socket: Duplex, supported: readonly string[]): string | null {
  const offered = commaSeparated(req.headers["x-stream-protocol-version"]);
  if (offered.length === 0) {
    rejectUpgrade(socket, 400, "unable to upgrade: X-Stream-Protocol-Version is required");
    return null;
  }
  const chosen = offered.find((p) => supported.includes(p));
  if (!chosen) {
    rejectUpgrade(
      socket,
      403,
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${supported.join(" ")}]`,
      { "X-Accepted-Stream-Protocol-Versions": [...supported] },
    );
    return null;
  }
  return chosen;
}

/** Checks the SPDY upgrade headers, answers 101 and starts a server session on the socket. */
export function upgradeToSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): SpdySession | null {
  const connection = String(req.headers.connection ?? "").toLowerCase();
  const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
  if (!connection.includes("upgrade") || !upgrade.includes("spdy/3.1")) {
    rejectUpgrade(socket, 400, "unable to upgrade: missing upgrade headers in request");
    return null;
  }
  writeRawResponse(socket, 101, { Connection: "Upgrade", Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": protocol });
  // Bytes that arrived with the request belong to the SPDY connection.
  if (head.length > 0) socket.unshift(head);
  const session = new SpdySession(socket, { role: "server" });
  session.on("error", () => {
    // A client vanishing mid-frame is routine; the session's close handling ends the command.
  });
  return session;
}

export async function acceptSpdyRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: RemoteCommandOptions,
): Promise<RemoteCommandStreams | null> {
  const protocol = negotiateStreamProtocol(req, socket, SPDY_EXEC_PROTOCOLS);
  if (!protocol) return null;
  const session = upgradeToSpdy(req, socket, head, protocol);
  if (!session) return null;

  // Count the streams the client must open, as the kubelet does: error + each requested channel,
  // + resize for a terminal from v3 on.
  const supportsResize = protocol !== "v2.channel.k8s.io" && protocol !== "channel.k8s.io";
  const expected = 1 + Number(options.stdin) + Number(options.stdout) + Number(options.stderr) + Number(options.tty && supportsResize);
  const streams = new Map<string, SpdyStream>();
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STREAM_CREATION_TIMEOUT_MS);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      session.off("stream", onStream);
      session.off("close", onClose);
      resolve(ok);
    };
    const onStream = (stream: SpdyStream): void => {
      const type = headerValue(stream.headers, "streamType") ?? "";
      if (!["error", "stdin", "stdout", "stderr", "resize"].includes(type)) return; // kubelet logs and ignores
      streams.set(type, stream);
      if (streams.size === expected) setImmediate(() => done(true)); // after the session's SYN_REPLY
    };
    const onClose = (): void => done(false);
    session.on("stream", onStream);
    session.on("close", onClose);
  });
  if (!ready) {
    session.destroy();
    return null;
  }

  const gone = new AbortController();
  let finished = false;
  session.on("close", () => {
    if (!finished) gone.abort();
  });

  // v1 kubelets close stdin at once; later versions keep it open for the command.
  const stdin = streams.get("stdin") ?? null;
  if (stdin && protocol === "channel.k8s.io") stdin.push(null);
  for (const type of ["stdout", "stderr", "error"]) {
    // Nothing is read from output streams; drain them so the peer's FIN is noticed.
    streams.get(type)?.resume();
  }

  let resizes: ResizeDecoder | null = null;
  const resizeStream = streams.get("resize");
  if (resizeStream) {
    resizes = new ResizeDecoder();
    const decoder = resizes;
    resizeStream.on("data", (chunk: Buffer) => decoder.push(chunk));
  }

  return {
    options,
    protocol: `SPDY/3.1 ${protocol}`,
    stdin,
    stdout: options.stdout ? (streams.get("stdout") ?? null) : null,
    stderr: options.stderr ? (streams.get("stderr") ?? null) : null,
    resizes: resizes as EventEmitter<{ resize: [TerminalSize] }> | null,
    clientGone: gone.signal,
    finish: (outcome, argv) => {
      if (finished) return;
      finished = true;
      const errorStream = streams.get("error");
      const payload = errorChannelPayload(outcome, argv, protocol === "v4.channel.k8s.io");
      if (errorStream && payload.length > 0) errorStream.write(payload);
      // FIN every stream, then GOAWAY and half-close once those frames are queued; the client closes
      // after reading everything (its streams see EOF from our FINs). A client that never does is
      // dropped after a grace period.
      const ended = [...streams.values()].map((stream) => new Promise<void>((resolve) => stream.end(() => resolve())));
      void Promise.all(ended).then(() => session.close());
      const timer = setTimeout(() => session.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      session.once("close", () => clearTimeout(timer));
    },
  };
}
