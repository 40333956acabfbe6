// port-forward as the kubelet serves it (pkg/kubelet/cri/streaming/portforward/httpstream.go): a SPDY
// connection on which the client opens, per forwarded TCP connection, an error stream and a data
// stream, both labelled with `port` and `requestID` headers. Data is copied to and from the port
// inside the pod; a failure is written as text on the error stream. The same SPDY session runs either
// directly on the upgraded socket (kubectl ≤ 1.30, or KUBECTL_PORT_FORWARD_WEBSOCKETS=false) or inside
// a WebSocket whose binary messages carry the SPDY bytes (kubectl ≥ 1.31, subprotocol
// `SPDY/3.1+portforward.k8s.io`, which the API server tunnels to the kubelet).
import type { IncomingMessage } from "node:http";
import { finished, type Duplex } from "node:stream";
import { createWebSocketStream } from "ws";
import { SpdySession, type SpdyStream } from "../../../proxy/spdy/session.js";
import { headerValue } from "../../../proxy/spdy/frames.js";
import type { SimulatedPod } from "./container.js";
import { ConnectionRefusedError, connectPodPort } from "./pod-ports.js";
import { rejectUpgrade } from "./raw-response.js";
import { negotiateStreamProtocol, upgradeToSpdy } from "./spdy-exec.js";
import { acceptWebSocket, negotiateSubprotocol, offeredSubprotocols } from "./websocket-exec.js";

export const PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
export const PORT_FORWARD_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** How long the second stream of a pair may take to arrive (the kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  pod: SimulatedPod;
  podSpec: unknown;
  podName: string;
  uid: string;
}

interface StreamPair {
  requestId: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serves port-forward streams on a SPDY session until it closes. */
export function servePortForward(session: SpdySession, target: PortForwardTarget): void {
  const pairs = new Map<string, StreamPair>();
  const open = new Set<Duplex>();
  session.on("close", () => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    for (const remote of open) remote.destroy();
  });

  session.on("stream", (stream) => {
    // httpStreamReceived: refuse streams without a valid port or stream type.
    const portHeader = headerValue(stream.headers, "port") ?? "";
    const port = Number(portHeader);
    const type = headerValue(stream.headers, "streamType");
    if (!/^\d+$/.test(portHeader) || port < 1 || port > 65535 || (type !== "error" && type !== "data")) {
      stream.reset();
      return;
    }
    let requestId = headerValue(stream.headers, "requestID");
    if (!requestId) {
      // Clients predating requestID open error then data with consecutive odd ids (kubelet's heuristic).
      requestId = String(type === "error" ? stream.id : stream.id - 2);
    }
    let pair = pairs.get(requestId);
    if (!pair) {
      const id = requestId;
      pair = {
        requestId: id,
        timer: setTimeout(() => {
          const stale = pairs.get(id);
          pairs.delete(id);
          stale?.error?.end(`(request=${id}) timed out waiting for streams`);
          stale?.data?.end();
        }, PAIR_TIMEOUT_MS),
      };
      pairs.set(requestId, pair);
    }
    if (pair[type]) {
      pair.error?.write(`error processing stream for request ${requestId}: ${type} stream already assigned`);
      stream.reset();
      return;
    }
    pair[type] = stream;
    if (type === "error") stream.resume(); // the client never writes on it; notice its FIN
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      void forward(pair.data, pair.error, port, target, open);
    }
  });
}

async function forward(data: SpdyStream, error: SpdyStream, port: number, target: PortForwardTarget, open: Set<Duplex>): Promise<void> {
  let remote: Duplex;
  try {
    remote = await connectPodPort(target.pod, target.podSpec, port);
  } catch (cause) {
    const reason = cause instanceof ConnectionRefusedError ? cause.message : String((cause as Error).message ?? cause);
    error.end(
      `error forwarding port ${port} to pod ${target.podName}, uid ${target.uid}: failed to connect to localhost:${port} inside namespace "${target.podName}", IPv4: ${reason} IPv6 dial tcp6 [::1]:${port}: connect: connection refused `,
    );
    data.end();
    return;
  }
  open.add(remote);
  // Copy both ways with back-pressure; the client's FIN half-closes towards the pod and vice versa.
  data.pipe(remote);
  remote.pipe(data);
  data.on("reset", () => remote.destroy());
  remote.on("error", () => data.end());
  finished(remote, () => {
    open.delete(remote);
    if (!data.writableEnded) data.end();
    // kubectl waits for the error stream's end before it forgets the connection.
    error.end();
  });
}

export type PortForwardTransport = "spdy" | "websocket";

/** Upgrades a port-forward request (SPDY, or SPDY tunnelled in WebSocket) and serves it. */
export async function handlePortForwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: PortForwardTarget,
  transport: PortForwardTransport,
): Promise<void> {
  if (transport === "websocket") {
    const offered = offeredSubprotocols(req);
    const protocol = negotiateSubprotocol(offered, [PORT_FORWARD_TUNNEL_PROTOCOL]);
    if (protocol === null) {
      rejectUpgrade(socket, 403, `requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${PORT_FORWARD_TUNNEL_PROTOCOL}]`);
      return;
    }
    const ws = await acceptWebSocket(req, socket, head, protocol);
    const tunnel = createWebSocketStream(ws);
    tunnel.on("error", () => tunnel.destroy());
    servePortForward(new SpdySession(tunnel, { role: "server" }), target);
    return;
  }
  const protocol = negotiateStreamProtocol(req, socket, [PORT_FORWARD_PROTOCOL]);
  if (!protocol) return;
  const session = upgradeToSpdy(req, socket, head, protocol);
  if (session) servePortForward(session, target);
}
