// The stand-in Kubernetes API server that integration tests and benchmarks run against.
// It speaks HTTPS with its own CA, authenticates bearer tokens and client certificates, serves
// discovery/OpenAPI/Table/watch/patch/apply the way kubectl expects, and records every request so tests
// can assert exactly what reached the "upstream". See seed.ts for the objects it starts with and
// logs.ts for the annotations that script pod logs.
import { randomBytes } from "node:crypto";
import { createCertificateAuthority, issueCertificate, LOOPBACK_HOSTS } from "../../proxy/tls/certificates.js";
import { ObjectStore, type StoreEvent } from "./store.js";
import { Registry, withTypeMeta } from "./registry.js";
import { Authenticator } from "./auth.js";
import { PodLogs } from "./logs.js";
import { ApiServer, type RecordedRequest } from "./server.js";
import { seed } from "./seed.js";
import { writeKubeconfigFile, type KubeconfigOptions } from "./kubeconfig.js";
import { findByKind, resolveResource, storageKey } from "./resources.js";
import { getPath, isObject, str, type JsonObject } from "./json.js";

export type { RecordedRequest } from "./server.js";
export type { StoreEvent } from "./store.js";
export type { JsonObject } from "./json.js";
export { SEEDED_NAMESPACES, SEEDED_PODS, NODE_NAME } from "./seed.js";
export { LOG_LINES, LOG_EVERY_MS, LOG_LINE, PREVIOUS_LOG_LINES } from "./logs.js";
export { PHASE_ANNOTATION } from "./defaults.js";

export interface TestClusterOptions {
  /** Port to listen on (127.0.0.1); 0, the default, picks a free one. */
  port?: number;
  /** What /version reports (default v1.32.0). */
  serverVersion?: string;
}

/** A resource reference: "pods", "po", "Pod", "deployments.apps", "apps/v1/deployments" or { group, resource }. */
export type ResourceRef = string | { group?: string; resource: string };

export interface ClusterStore {
  /** The object, with apiVersion/kind, or undefined. Namespace is ignored for cluster-scoped kinds. */
  get(resource: ResourceRef, namespace: string | undefined, name: string): JsonObject | undefined;
  /** Objects sorted by namespace/name; all namespaces when `namespace` is undefined. */
  list(resource: ResourceRef, namespace?: string): JsonObject[];
  /**
   * Creates or replaces an object (kind from apiVersion/kind), with server defaulting and validation but
   * without admission or resourceVersion checks; a provided status is kept. Emits watch events.
   */
  put(obj: JsonObject): JsonObject;
  /** Deletes like the API would (finalizers, cascading, namespace termination). False if absent. */
  delete(resource: ResourceRef, namespace: string | undefined, name: string): boolean;
  /** Every change (ADDED/MODIFIED/DELETED) as it is stored, e.g. to keep per-pod state in sync. */
  onChange(listener: (event: StoreEvent) => void): () => void;
  /** The current global resourceVersion. */
  readonly resourceVersion: number;
}

export interface TestCluster {
  /** https://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The CA that signed the serving certificate and the client certificate. */
  caPem: string;
  /** Bearer token for user "developer" (groups system:masters, system:authenticated). */
  adminToken: string;
  /** Client certificate for user "developer-cert" (O=system:masters). */
  clientCert: { certPem: string; keyPem: string };
  /** Registers another valid bearer token. Groups default to ["system:masters"]. */
  addToken(token: string, user: string, groups?: string[]): void;
  /** Every request received (HTTP and upgrades), in arrival order. */
  requests: RecordedRequest[];
  /** Writes a direct-access kubeconfig (mode 0600): token auth by default. */
  writeKubeconfig(path: string, opts?: KubeconfigOptions): Promise<void>;
  store: ClusterStore;
  /** Appends a line to a container's log (followers see it at once). Container defaults to the first. */
  appendLog(namespace: string, pod: string, line: string, container?: string): void;
  /** Closes the listener and every open connection, as if the API server died. State is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port after stop(). */
  start(): Promise<void>;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const ca = await createCertificateAuthority("chaperone-test-cluster-ca");
  const serving = await issueCertificate(ca, {
    commonName: "kube-apiserver",
    hosts: [...LOOPBACK_HOSTS, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
    usage: "server",
  });
  const clientCert = await issueCertificate(ca, { commonName: "developer-cert", organizations: ["system:masters"], usage: "client" });
  const serverVersion = options.serverVersion ?? "v1.32.0";
  const store = new ObjectStore();
  const registry = new Registry(store, ca.certPem);
  const auth = new Authenticator((namespace, name) => {
    const sa = store.get("/serviceaccounts", namespace, name);
    return sa ? { uid: str(getPath(sa, ["metadata", "uid"])) } : undefined;
  });
  const adminToken = randomBytes(24).toString("base64url");
  auth.addToken(adminToken, "developer", ["system:masters"]);
  const logs = new PodLogs(store);
  const streams = new Set<() => void>();
  const requests: RecordedRequest[] = [];
  seed(registry);

  const server = new ApiServer({
    key: serving.keyPem,
    cert: serving.certPem,
    ca: ca.certPem,
    serverVersion,
    auth,
    requests,
    api: {
      store,
      registry,
      logs,
      auth,
      registerStream: (close) => {
        streams.add(close);
        return () => streams.delete(close);
      },
    },
  });
  const port = await server.start(options.port ?? 0);
  const url = `https://127.0.0.1:${port}`;

  const clusterStore: ClusterStore = {
    get(resource, namespace, name) {
      const type = resolveResource(resource);
      const obj = store.get(storageKey(type), type.namespaced ? namespace : undefined, name);
      return obj ? withTypeMeta(type, obj) : undefined;
    },
    list(resource, namespace) {
      const type = resolveResource(resource);
      return store.list(storageKey(type), type.namespaced ? namespace : undefined).map((o) => withTypeMeta(type, o));
    },
    put(obj) {
      const type = findByKind(str(obj["apiVersion"]), str(obj["kind"]));
      if (!type) throw new Error(`unknown kind ${str(obj["apiVersion"])}/${str(obj["kind"])}`);
      const meta = isObject(obj["metadata"]) ? obj["metadata"] : {};
      const namespace = type.namespaced ? str(meta["namespace"]) || "default" : undefined;
      const name = str(meta["name"]);
      const existing = name ? store.get(storageKey(type), namespace, name) : undefined;
      if (!existing) return registry.create(type, namespace, obj, { seed: true });
      const next = structuredClone(obj);
      const nextMeta = isObject(next["metadata"]) ? next["metadata"] : {};
      next["metadata"] = nextMeta;
      nextMeta["resourceVersion"] = "";
      if (type.namespaced) nextMeta["namespace"] = namespace ?? "";
      const keepStatus = next["status"];
      const result = registry.update(type, namespace, name, next, { seed: true }).object;
      if (keepStatus !== undefined && JSON.stringify(result["status"]) !== JSON.stringify(keepStatus)) {
        const withStatus = { ...result, status: keepStatus, metadata: { ...(result["metadata"] as JsonObject), resourceVersion: "" } };
        return registry.update(type, namespace, name, withStatus, { seed: true, subresource: "status" }).object;
      }
      return result;
    },
    delete(resource, namespace, name) {
      const type = resolveResource(resource);
      if (!store.has(storageKey(type), type.namespaced ? namespace : undefined, name)) return false;
      registry.delete(type, namespace, name);
      return true;
    },
    onChange: (listener) => store.onChange(listener),
    get resourceVersion() {
      return store.resourceVersion;
    },
  };

  return {
    url,
    port,
    caPem: ca.certPem,
    adminToken,
    clientCert,
    addToken: (token, user, groups) => auth.addToken(token, user, groups ?? ["system:masters"]),
    requests,
    writeKubeconfig: (path, opts) => writeKubeconfigFile(path, { url, caPem: ca.certPem, token: adminToken, clientCert }, opts),
    store: clusterStore,
    appendLog(namespace, pod, line, container) {
      const obj = store.get("/pods", namespace, pod);
      const first = (getPath(obj, ["spec", "containers"]) as unknown[] | undefined)?.find(isObject);
      logs.append(namespace, pod, container ?? str(first?.["name"]), line);
    },
    async stop() {
      for (const close of [...streams]) close();
      logs.closeAll();
      await server.stop();
    },
    async start() {
      await server.start(port);
    },
  };
}
