// A deliberately tiny HTTPS API server for exercising the streaming half with real kubectl on its own:
// discovery, GET of a few fixed pods, and the exec/attach/portforward upgrades routed to
// handleStreamingUpgrade. The full stand-in cluster (test/cluster/index.ts) replaces it where available.
import https from "node:https";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCertificateAuthority, issueCertificate, LOOPBACK_HOSTS } from "../../../proxy/tls/certificates.js";
import { handleStreamingUpgrade, type StreamingTarget } from "./index.js";

export interface MinimalApiServer {
  url: string;
  kubeconfigPath: string;
  pods: Map<string, unknown>;
  close(): Promise<void>;
}

export const TEST_TOKEN = "streaming-test-token";

export function samplePod(namespace: string, name: string, overrides: { containers?: unknown[] } = {}): Record<string, unknown> {
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: new Date().toISOString(), labels: { app: name } },
    spec: {
      containers: overrides.containers ?? [
        {
          name: "app",
          image: "example.com/app:1",
          stdin: true,
          tty: true,
          env: [
            { name: "GREETING", value: "hello" },
            { name: "APP_MODE", value: "test" },
          ],
          ports: [{ containerPort: 8080 }, { containerPort: 9000 }],
        },
      ],
      restartPolicy: "Always",
    },
    status: {
      phase: "Running",
      podIP: "10.244.0.7",
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }],
    },
  };
}

const DISCOVERY_API = { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] };
const DISCOVERY_APIS = { kind: "APIGroupList", apiVersion: "v1", groups: [] };
const CORE_V1 = {
  kind: "APIResourceList",
  groupVersion: "v1",
  resources: [
    { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get", "list"], shortNames: ["po"] },
    { name: "pods/attach", singularName: "", namespaced: true, kind: "PodAttachOptions", verbs: ["create", "get"] },
    { name: "pods/exec", singularName: "", namespaced: true, kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "pods/portforward", singularName: "", namespaced: true, kind: "PodPortForwardOptions", verbs: ["create", "get"] },
  ],
};

export async function startMinimalApiServer(): Promise<MinimalApiServer> {
  const ca = await createCertificateAuthority("streaming-test-ca");
  const leaf = await issueCertificate(ca, { commonName: "127.0.0.1", hosts: LOOPBACK_HOSTS, usage: "server" });
  const pods = new Map<string, unknown>([["default/web", samplePod("default", "web")]]);

  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TEST_TOKEN}`) {
      send(401, { kind: "Status", apiVersion: "v1", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
      return;
    }
    if (url.pathname === "/api") return send(200, DISCOVERY_API);
    if (url.pathname === "/apis") return send(200, DISCOVERY_APIS);
    if (url.pathname === "/api/v1") return send(200, CORE_V1);
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url.pathname);
    const pod = match ? pods.get(`${match[1]}/${match[2]}`) : undefined;
    if (pod) return send(200, pod);
    send(404, { kind: "Status", apiVersion: "v1", status: "Failure", message: `not found: ${url.pathname}`, reason: "NotFound", code: 404 });
  });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname);
    const pod = match ? pods.get(`${match[1]}/${match[2]}`) : undefined;
    if (req.headers.authorization !== `Bearer ${TEST_TOKEN}` || !match || !pod) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const target: StreamingTarget = { kind: match[3] as StreamingTarget["kind"], namespace: match[1] as string, pod, query: url.searchParams };
    handleStreamingUpgrade(target, req, socket, head);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "streaming-kubeconfig-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "test", cluster: { server: url, "certificate-authority-data": Buffer.from(ca.certPem).toString("base64") } }],
      users: [{ name: "test", user: { token: TEST_TOKEN } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "test", namespace: "default" } }],
      "current-context": "test",
    }),
  );
  return {
    url,
    kubeconfigPath,
    pods,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
