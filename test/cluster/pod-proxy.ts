// The pods/proxy subresource as the API server serves it: `/api/v1/namespaces/NS/pods/NAME[:PORT]/proxy/PATH`
// relays one HTTP request to a port inside the pod (the simulated pod's HTTP server, see
// streaming/pod-ports.ts) and streams its answer back, headers and all. The name may be written
// `NAME:PORT` or `SCHEME:NAME:PORT`; without a port, the pod's first declared containerPort, else 80.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { connectPodPort, ConnectionRefusedError } from "./streaming/pod-ports.js";
import { simulatedPod, type PodLike } from "./streaming/container.js";
import { ApiError } from "./status.js";
import { responseHeadersForAgent } from "../../proxy/gateway/forward/forward-headers.js";

export interface PodProxyTarget {
  namespace: string;
  name: string;
  port: number | null;
  /** The path inside the pod, with the query. */
  path: string;
}

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/proxy(\/.*)?$/;

/** The target of a pod proxy request, or null for any other path. */
export function parsePodProxyPath(pathname: string, search: string): PodProxyTarget | null {
  const match = PROXY_PATH.exec(pathname);
  if (!match) return null;
  const namespace = decodeURIComponent(match[1] as string);
  const parts = decodeURIComponent(match[2] as string).split(":");
  // NAME, NAME:PORT or SCHEME:NAME:PORT.
  const name = (parts.length === 3 ? parts[1] : parts[0]) ?? "";
  const portText = parts.length === 3 ? parts[2] : parts[1];
  const port = portText === undefined || portText === "" ? null : Number(portText);
  if (port !== null && (!Number.isInteger(port) || port <= 0 || port > 65535)) {
    throw new ApiError(400, "BadRequest", `invalid port in pod proxy target ${JSON.stringify(match[2])}`);
  }
  return { namespace, name, port, path: `${match[3] ?? "/"}${search}` };
}

function defaultPort(pod: PodLike): number {
  const containers = (pod.spec as { containers?: { ports?: { containerPort?: number }[] }[] } | undefined)?.containers ?? [];
  for (const container of containers) for (const p of container.ports ?? []) if (typeof p.containerPort === "number") return p.containerPort;
  return 80;
}

/** Relays the request into the pod; errors before the answer starts become a 503 Status, as the API server's would. */
export async function proxyToPod(target: PodProxyTarget, pod: PodLike, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const port = target.port ?? defaultPort(pod);
  let socket;
  try {
    socket = await connectPodPort(simulatedPod(target.namespace, pod), pod.spec, port);
  } catch (error) {
    if (error instanceof ConnectionRefusedError) throw new ApiError(503, "ServiceUnavailable", `error trying to reach service: ${error.message}`);
    throw error;
  }
  const headers = { ...req.headers };
  delete headers["authorization"];
  delete headers["host"];
  await new Promise<void>((resolve, reject) => {
    const inner = http.request({ method: req.method, path: target.path, headers, createConnection: () => socket }, (answer) => {
      // The pod's hop-by-hop headers stay on its connection, as in any proxy.
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeadersForAgent(answer.rawHeaders).flat());
      answer.pipe(res);
      answer.on("end", resolve);
      answer.on("error", reject);
    });
    inner.on("error", reject);
    req.pipe(inner);
  });
}
