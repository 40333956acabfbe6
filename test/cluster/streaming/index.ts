// Entry point of the test cluster's streaming half: the cluster server authenticates the request,
// resolves the pod, and hands the upgrade here. This plays the API server's validation plus the
// kubelet and container runtime behind it: exec, attach and port-forward over WebSocket or SPDY/3.1,
// against a small simulated container (see container.ts, shell.ts, pod-ports.ts).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { runAttachSession } from "./attach.js";
import { simulatedPod, type ContainerSpecLike, type PodLike } from "./container.js";
import { runExecSession } from "./exec.js";
import { handlePortForwardUpgrade } from "./port-forward.js";
import { rejectUpgrade, rejectWithStatus } from "./raw-response.js";
import { remoteCommandOptions, type RemoteCommandStreams } from "./remote-command.js";
import { acceptSpdyRemoteCommand } from "./spdy-exec.js";
import { acceptWebSocketRemoteCommand } from "./websocket-exec.js";

export interface StreamingTarget {
  kind: "exec" | "attach" | "portforward";
  namespace: string;
  /** The pod object (JSON) from the cluster's store; read through PodLike (container.ts). */
  pod: any;
  /** command (repeated), container, stdin, stdout, stderr, tty; ports for portforward. */
  query: URLSearchParams;
}

export type UpgradeTransport = "websocket" | "spdy" | null;

/** WebSocket (RFC 6455 upgrade) or SPDY/3.1, from the request headers. */
export function upgradeTransport(req: IncomingMessage): UpgradeTransport {
  const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
  const connection = String(req.headers.connection ?? "").toLowerCase();
  if (!connection.split(",").some((token) => token.trim() === "upgrade")) return null;
  if (upgrade === "websocket") return "websocket";
  if (upgrade.includes("spdy/3.1")) return "spdy";
  return null;
}

export function handleStreamingUpgrade(target: StreamingTarget, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on("error", () => {
    // Clients reset connections at will (Ctrl-C); the session logic notices the close.
  });
  void serve(target, req, socket, head).catch((error: unknown) => {
    if (!socket.destroyed) {
      rejectUpgrade(socket, 500, `internal error in simulated kubelet: ${(error as Error).message}`);
    }
  });
}

async function serve(target: StreamingTarget, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const pod = target.pod as PodLike;
  const podName = pod.metadata?.name ?? "";
  const transport = upgradeTransport(req);
  if (!transport) {
    rejectUpgrade(socket, 400, "unable to upgrade: missing upgrade headers in request");
    return;
  }
  const simulated = simulatedPod(target.namespace, pod);

  if (target.kind === "portforward") {
    await handlePortForwardUpgrade(req, socket, head, { pod: simulated, podSpec: pod.spec, podName, uid: pod.metadata?.uid ?? "" }, transport);
    return;
  }

  // The API server's checks before it proxies to the kubelet (ExecLocation / AttachLocation).
  const containers = pod.spec?.containers ?? [];
  const requested = target.query.get("container");
  let spec: ContainerSpecLike | undefined;
  if (requested) {
    spec = containers.find((c) => c.name === requested);
    if (!spec) {
      rejectWithStatus(socket, 400, "BadRequest", `container ${requested} is not valid for pod ${podName}`);
      return;
    }
  } else if (containers.length === 1) {
    spec = containers[0];
  } else {
    const names = containers.map((c) => c.name).join(" ");
    rejectWithStatus(socket, 400, "BadRequest", `a container name must be specified for pod ${podName}, choose one of: [${names}]`);
    return;
  }
  const argv = target.query.getAll("command");
  if (target.kind === "exec" && argv.length === 0) {
    rejectWithStatus(socket, 400, "BadRequest", "you must specify at least one command for the container");
    return;
  }
  const options = remoteCommandOptions(target.query);
  if (typeof options === "string") {
    rejectWithStatus(socket, 400, "BadRequest", options);
    return;
  }

  const streams: RemoteCommandStreams | null =
    transport === "websocket"
      ? await acceptWebSocketRemoteCommand(req, socket, head, options)
      : await acceptSpdyRemoteCommand(req, socket, head, options);
  if (!streams) return;
  const container = simulated.container(spec ?? {});
  if (target.kind === "exec") await runExecSession(container, argv, streams);
  else await runAttachSession(container, streams);
}

export { resetSimulatedPods, simulatedPod } from "./container.js";
