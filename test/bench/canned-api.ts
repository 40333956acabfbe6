// The objects the benchmark upstream serves, built once at start-up so that serving them costs a
// buffer write and nothing else. Shapes and sizes follow what a real API server returns: a small
// ConfigMap (~1 KB), lists of 5,000 ConfigMaps / Secrets (~10 MB each), ~1 KB watch events.

export const BENCH_NAMESPACE = "bench";
/** Namespace whose watch paces events (one per timer tick) and stamps each with its send time. */
export const PACED_NAMESPACE = "bench-paced";
/** Namespace whose watch sends headers and then nothing: the idle-watch scenario. */
export const IDLE_NAMESPACE = "bench-idle";
export const LIST_ITEMS = 5_000;
export const WATCH_EVENTS = 50_000;
/** Annotation carrying the upstream's monotonic clock (ns) at the moment a paced event was written. */
export const SENT_ANNOTATION = "bench.chaperone.dev/sent-ns";
/** Fixed width, so the stamp can be written into a prebuilt event in place. */
export const STAMP_DIGITS = 20;

export const PATHS = {
  smallObject: `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps/small`,
  configMaps: `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps`,
  secrets: `/api/v1/namespaces/${BENCH_NAMESPACE}/secrets`,
  watchBurst: `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps?watch=true`,
  /** The same burst of WATCH_EVENTS events, of Secrets: every one is parsed and masked on the way. */
  watchSecrets: `/api/v1/namespaces/${BENCH_NAMESPACE}/secrets?watch=true`,
  watchPaced: `/api/v1/namespaces/${PACED_NAMESPACE}/configmaps?watch=true`,
  watchIdle: `/api/v1/namespaces/${IDLE_NAMESPACE}/configmaps?watch=true`,
  /** The exec endpoint; the upstream reads the stdout size from the command (`head -c N /dev/zero`) and sends that many bytes of 64-byte lines of letters (text, like most exec output). */
  exec: (bytes: number): string =>
    `/api/v1/namespaces/${BENCH_NAMESPACE}/pods/bench/exec?command=head&command=-c&command=${bytes}&command=%2Fdev%2Fzero&stdout=true`,
} as const;

const CREATED = "2025-01-01T00:00:00Z";

function uid(i: number): string {
  const hex = i.toString(16).padStart(12, "0");
  return `6f1c2a3b-4d5e-4f60-8a7b-${hex}`;
}

/** Deterministic printable filler, so bodies look like configuration text rather than zeros. */
function filler(length: number, seed: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_ ";
  let out = "";
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

function metadata(name: string, namespace: string, i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    namespace,
    uid: uid(i),
    resourceVersion: String(100_000 + i),
    creationTimestamp: CREATED,
    labels: { "app.kubernetes.io/name": "bench", "app.kubernetes.io/part-of": "chaperone-bench", tier: `t${i % 7}` },
    ...extra,
    managedFields: [
      {
        manager: "kubectl-client-side-apply",
        operation: "Update",
        apiVersion: "v1",
        time: CREATED,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {}, "f:config.yaml": {} } },
      },
    ],
  };
}

function configMap(name: string, i: number, dataBytes: number, namespace = BENCH_NAMESPACE, extraMeta: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: metadata(name, namespace, i, extraMeta),
    data: { "config.yaml": filler(dataBytes, i), "mode": "benchmark" },
  };
}

function secret(name: string, i: number, dataBytes: number): Record<string, unknown> {
  return {
    kind: "Secret",
    apiVersion: "v1",
    metadata: metadata(name, BENCH_NAMESPACE, i),
    type: "Opaque",
    data: {
      "password": Buffer.from(filler(24, i + 7)).toString("base64"),
      "tls.key": Buffer.from(filler(dataBytes, i)).toString("base64"),
    },
  };
}

function list(kind: string, items: Record<string, unknown>[]): Record<string, unknown> {
  return { kind, apiVersion: "v1", metadata: { resourceVersion: "200000" }, items };
}

export const smallObjectBody = Buffer.from(JSON.stringify(configMap("small", 1, 420)));

/** ~2 KB per ConfigMap: 5,000 of them make the ~10 MB list of the issue. */
export function configMapListBody(): Buffer {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < LIST_ITEMS; i++) items.push(configMap(`cm-${i}`, i, 1_480));
  return Buffer.from(JSON.stringify(list("ConfigMapList", items)));
}

/** Same size class as the ConfigMap list; base64 makes the data ~4/3 larger, so less raw filler. */
export function secretListBody(): Buffer {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < LIST_ITEMS; i++) items.push(secret(`secret-${i}`, i, 1_080));
  return Buffer.from(JSON.stringify(list("SecretList", items)));
}

/** One watch event line (JSON + "\n"), ~1 KB, as the API server writes them. */
export function watchEventLine(i: number, namespace = BENCH_NAMESPACE, stamped = false): Buffer {
  const extra = stamped ? { annotations: { [SENT_ANNOTATION]: "0".repeat(STAMP_DIGITS) } } : {};
  const object = configMap(`cm-${i % LIST_ITEMS}`, i, 380, namespace, extra);
  return Buffer.from(JSON.stringify({ type: "MODIFIED", object }) + "\n");
}

/** One Secret watch event line, ~1 KB like the ConfigMap ones: two data values to mask. */
export function secretWatchEventLine(i: number): Buffer {
  return Buffer.from(JSON.stringify({ type: "MODIFIED", object: secret(`secret-${i % LIST_ITEMS}`, i, 280) }) + "\n");
}

/**
 * The body of a create (POST configmaps): a ~1 KB ConfigMap as kubectl sends it. The upstream
 * answers every create with the same prebuilt 201 (createdConfigMapBody), whatever the name.
 */
export function createConfigMapBody(): Buffer {
  const object = configMap("created", 2, 420) as { metadata: Record<string, unknown> };
  object.metadata = { name: "created", namespace: BENCH_NAMESPACE, labels: { "app.kubernetes.io/name": "bench" } };
  return Buffer.from(JSON.stringify(object));
}

export const createdConfigMapBody = Buffer.from(JSON.stringify(configMap("created", 2, 420)));

/** Byte offset of the stamp digits inside a stamped event line. */
export function stampOffset(line: Buffer): number {
  const marker = `"${SENT_ANNOTATION}":"`;
  const at = line.indexOf(marker);
  if (at < 0) throw new Error("event has no stamp annotation");
  return at + marker.length;
}

export const versionBody = Buffer.from(
  JSON.stringify({
    major: "1",
    minor: "33",
    gitVersion: "v1.33.0",
    gitCommit: "bench",
    gitTreeState: "clean",
    buildDate: CREATED,
    goVersion: "go1.24.0",
    compiler: "gc",
    platform: "linux/amd64",
  }),
);

export const apiVersionsBody = Buffer.from(
  JSON.stringify({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }] }),
);

export const apiGroupListBody = Buffer.from(JSON.stringify({ kind: "APIGroupList", apiVersion: "v1", groups: [] }));

export const coreResourcesBody = Buffer.from(
  JSON.stringify({
    kind: "APIResourceList",
    groupVersion: "v1",
    resources: [
      { name: "configmaps", singularName: "configmap", namespaced: true, kind: "ConfigMap", verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], shortNames: ["cm"] },
      { name: "secrets", singularName: "secret", namespaced: true, kind: "Secret", verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] },
      { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get", "list", "watch"], shortNames: ["po"] },
      { name: "pods/exec", singularName: "", namespaced: true, kind: "PodExecOptions", verbs: ["create", "get"] },
    ],
  }),
);

export function statusBody(code: number, reason: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}
