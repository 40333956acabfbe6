// What listens inside a simulated pod, for port-forward: port 9000 is a TCP echo service, port 8080
// (and 80, and any other containerPort the pod declares) an HTTP server answering
// `hello from NAMESPACE/POD` (and `/env`, the first container's environment; `/files/PATH`, a file
// of the pod's filesystem). Anything else refuses the connection, like a closed port.
import http from "node:http";
import net from "node:net";
import { PassThrough, type Duplex } from "node:stream";
import type { ContainerSpecLike, SimulatedPod } from "./container.js";

export const ECHO_PORT = 9000;
export const HTTP_PORT = 8080;

export class ConnectionRefusedError extends Error {
  constructor(readonly port: number) {
    super(`dial tcp4 127.0.0.1:${port}: connect: connection refused`);
    this.name = "ConnectionRefusedError";
  }
}

/** One loopback HTTP server per simulated pod, started on first use; it never keeps the process alive. */
const httpServers = new WeakMap<SimulatedPod, Promise<number>>();

function podHttpServer(pod: SimulatedPod, podSpec: unknown): Promise<number> {
  let port = httpServers.get(pod);
  if (!port) {
    port = new Promise<number>((resolve, reject) => {
      const server = http.createServer((req, res) => {
        // `/env`: a debug endpoint printing the first container's environment, as many real
        // workloads have — what a pod proxy or port-forward can leak.
        const path = (req.url ?? "/").split("?")[0];
        const first = (podSpec as { containers?: ContainerSpecLike[] } | undefined)?.containers?.[0];
        const body =
          path === "/env" && first
            ? [...pod.container(first).environment(false)].map(([name, value]) => `${name}=${value}\n`).join("")
            : `hello from ${pod.namespace}/${pod.name}\n`;
        if (path?.startsWith("/files/")) {
          // A static file server over the pod's filesystem (`/files/tmp/x` serves /tmp/x byte for
          // byte), like a web server whose document root holds a mounted config or Secret.
          let data: Buffer;
          try {
            data = pod.fs.readFile(decodeURIComponent(path.slice("/files".length)));
          } catch {
            res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
            res.end("not found\n");
            return;
          }
          res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": data.length });
          res.end(req.method === "HEAD" ? undefined : data);
          return;
        }
        if (path === "/bytes") {
          // Something that is not text (an image, a protobuf answer): a masking proxy cannot read it.
          res.writeHead(200, { "Content-Type": "application/octet-stream" });
          res.end(Buffer.from([0, 1, 2, 3, 255]));
          return;
        }
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "X-Request-Path": req.url ?? "/" });
        res.end(req.method === "HEAD" ? undefined : body);
      });
      server.on("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.unref();
        resolve((server.address() as net.AddressInfo).port);
      });
    });
    httpServers.set(pod, port);
  }
  return port;
}

/** Ports the pod's containers declare (spec.containers[].ports[].containerPort). */
function declaredPorts(podSpec: unknown): Set<number> {
  const ports = new Set<number>();
  const containers = (podSpec as { containers?: { ports?: { containerPort?: number }[] }[] } | undefined)?.containers ?? [];
  for (const container of containers) for (const p of container.ports ?? []) if (typeof p.containerPort === "number") ports.add(p.containerPort);
  return ports;
}

/** Opens a connection to `port` inside the pod, or throws ConnectionRefusedError. */
export async function connectPodPort(pod: SimulatedPod, podSpec: unknown, port: number): Promise<Duplex> {
  if (port === ECHO_PORT) return new PassThrough();
  if (port === HTTP_PORT || port === 80 || declaredPorts(podSpec).has(port)) {
    const serverPort = await podHttpServer(pod, podSpec);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: serverPort, allowHalfOpen: true });
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
    });
  }
  throw new ConnectionRefusedError(port);
}
