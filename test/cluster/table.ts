// Server-side printing: `meta.k8s.io` Table responses, the form `kubectl get` asks for
// (Accept: application/json;as=Table;v=v1;g=meta.k8s.io). Columns and cell logic follow
// pkg/printers/internalversion/printers.go for the kinds served here; priority-1 columns are the
// extra ones `-o wide` shows. Anything else gets NAME/AGE.
import type { ResourceType } from "./resources.js";
import { getPath, isObject, str, type Json, type JsonObject } from "./json.js";

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = "None" | "Metadata" | "Object";

interface Printer {
  columns: ColumnDefinition[];
  cells: (obj: JsonObject, now: number) => Json[];
}

function col(name: string, type: string, description: string, priority = 0, format = ""): ColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME = col("Name", "string", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0, "name");
const AGE = col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== "string" || timestamp === "") return "<unknown>";
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration(now - t);
}

const name = (o: JsonObject) => str(getPath(o, ["metadata", "name"]));
const created = (o: JsonObject) => getPath(o, ["metadata", "creationTimestamp"]);
const count = (v: unknown) => (isObject(v) ? Object.keys(v).length : 0);
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);
const orNone = (v: string) => (v === "" ? "<none>" : v);

function podStatusCells(pod: JsonObject, now: number): { ready: string; reason: string; restarts: string } {
  const containers = list(getPath(pod, ["spec", "containers"]));
  const statuses = list(getPath(pod, ["status", "containerStatuses"]));
  let reason = str(getPath(pod, ["status", "phase"]));
  const statusReason = str(getPath(pod, ["status", "reason"]));
  if (statusReason) reason = statusReason;
  let restarts = 0;
  let readyCount = 0;
  let lastRestart = 0;
  let hasRunning = false;
  for (const s of statuses.slice().reverse()) {
    restarts += Number(s["restartCount"] ?? 0);
    const finishedAt = getPath(s, ["lastState", "terminated", "finishedAt"]);
    if (typeof finishedAt === "string") lastRestart = Math.max(lastRestart, Date.parse(finishedAt));
    const waiting = getPath(s, ["state", "waiting", "reason"]);
    const terminated = getPath(s, ["state", "terminated"]);
    if (typeof waiting === "string" && waiting !== "") reason = waiting;
    else if (isObject(terminated)) {
      const r = str(terminated["reason"]);
      if (r) reason = r;
      else if (terminated["signal"]) reason = `Signal:${String(terminated["signal"])}`;
      else reason = `ExitCode:${String(terminated["exitCode"] ?? 0)}`;
    } else if (s["ready"] === true && isObject(getPath(s, ["state", "running"]))) {
      hasRunning = true;
      readyCount++;
    }
  }
  if (reason === "Completed" && hasRunning) reason = "Running";
  if (isObject(pod["metadata"]) && pod["metadata"]["deletionTimestamp"]) reason = "Terminating";
  const restartText = restarts > 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${readyCount}/${containers.length}`, reason, restarts: restartText };
}

const containersOf = (o: JsonObject, path: string[]) => list(getPath(o, path));

const PRINTERS: Record<string, Printer> = {
  "/pods": {
    columns: [
      NAME,
      col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "string", "The aggregate status of the containers in this pod."),
      col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
      AGE,
      col("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
      col("Node", "string", "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
      col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
      col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ],
    cells: (o, now) => {
      const s = podStatusCells(o, now);
      const gates = list(getPath(o, ["spec", "readinessGates"]));
      return [
        name(o),
        s.ready,
        s.reason,
        s.restarts,
        age(created(o), now),
        orNone(str(getPath(o, ["status", "podIP"]))),
        orNone(str(getPath(o, ["spec", "nodeName"]))),
        orNone(str(getPath(o, ["status", "nominatedNodeName"]))),
        gates.length === 0 ? "<none>" : `0/${gates.length}`,
      ];
    },
  },
  "apps/deployments": {
    columns: [
      NAME,
      col("Ready", "string", "Number of the pod with ready state"),
      col("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      col("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
      AGE,
      col("Containers", "string", "Names of each container in the template.", 1),
      col("Images", "string", "Images referenced by each container in the template.", 1),
      col("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
    ],
    cells: (o, now) => {
      const containers = containersOf(o, ["spec", "template", "spec", "containers"]);
      const desired = Number(getPath(o, ["spec", "replicas"]) ?? 1);
      return [
        name(o),
        `${Number(getPath(o, ["status", "readyReplicas"]) ?? 0)}/${desired}`,
        Number(getPath(o, ["status", "updatedReplicas"]) ?? 0),
        Number(getPath(o, ["status", "availableReplicas"]) ?? 0),
        age(created(o), now),
        containers.map((c) => str(c["name"])).join(","),
        containers.map((c) => str(c["image"])).join(","),
        selectorText(getPath(o, ["spec", "selector"])),
      ];
    },
  },
  "apps/replicasets": {
    columns: [
      NAME,
      col("Desired", "integer", "Replicas is the number of desired replicas."),
      col("Current", "integer", "Replicas is the most recently observed number of replicas."),
      col("Ready", "integer", "The number of ready replicas for this replica set."),
      AGE,
      col("Containers", "string", "Names of each container in the template.", 1),
      col("Images", "string", "Images referenced by each container in the template.", 1),
      col("Selector", "string", "Selector is a label query over pods that should match the replica count.", 1),
    ],
    cells: (o, now) => {
      const containers = containersOf(o, ["spec", "template", "spec", "containers"]);
      return [
        name(o),
        Number(getPath(o, ["spec", "replicas"]) ?? 1),
        Number(getPath(o, ["status", "replicas"]) ?? 0),
        Number(getPath(o, ["status", "readyReplicas"]) ?? 0),
        age(created(o), now),
        containers.map((c) => str(c["name"])).join(","),
        containers.map((c) => str(c["image"])).join(","),
        selectorText(getPath(o, ["spec", "selector"])),
      ];
    },
  },
  "/secrets": {
    columns: [NAME, col("Type", "string", "The type of the secret"), col("Data", "string", "The number of data items in the secret"), AGE],
    cells: (o, now) => [name(o), str(o["type"]), count(o["data"]), age(created(o), now)],
  },
  "/configmaps": {
    columns: [NAME, col("Data", "string", "Data contains the configuration data."), AGE],
    cells: (o, now) => [name(o), count(o["data"]) + count(o["binaryData"]), age(created(o), now)],
  },
  "/serviceaccounts": {
    columns: [NAME, col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE],
    cells: (o, now) => [name(o), list(o["secrets"]).length, age(created(o), now)],
  },
  "/namespaces": {
    columns: [NAME, col("Status", "string", "The status of the namespace"), AGE],
    cells: (o, now) => [name(o), str(getPath(o, ["status", "phase"])), age(created(o), now)],
  },
  "/nodes": {
    columns: [
      NAME,
      col("Status", "string", "The status of the node"),
      col("Roles", "string", "The roles of the node"),
      AGE,
      col("Version", "string", "Kubelet Version reported by the node."),
      col("Internal-IP", "string", "List of internal IPs in the node.", 1),
      col("External-IP", "string", "List of external IPs in the node.", 1),
      col("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
      col("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
      col("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ],
    cells: (o, now) => {
      const conditions = list(getPath(o, ["status", "conditions"]));
      const ready = conditions.find((c) => c["type"] === "Ready");
      const status = ready ? (ready["status"] === "True" ? "Ready" : "NotReady") : "Unknown";
      const labels = getPath(o, ["metadata", "labels"]);
      const roles = isObject(labels)
        ? Object.keys(labels)
            .filter((k) => k.startsWith("node-role.kubernetes.io/"))
            .map((k) => k.slice("node-role.kubernetes.io/".length))
        : [];
      const addresses = list(getPath(o, ["status", "addresses"]));
      const addr = (t: string) => orNone(addresses.filter((a) => a["type"] === t).map((a) => str(a["address"])).join(","));
      return [
        name(o),
        getPath(o, ["spec", "unschedulable"]) === true ? `${status},SchedulingDisabled` : status,
        roles.length ? roles.sort().join(",") : "<none>",
        age(created(o), now),
        str(getPath(o, ["status", "nodeInfo", "kubeletVersion"])),
        addr("InternalIP"),
        addr("ExternalIP"),
        orNone(str(getPath(o, ["status", "nodeInfo", "osImage"]))),
        orNone(str(getPath(o, ["status", "nodeInfo", "kernelVersion"]))),
        orNone(str(getPath(o, ["status", "nodeInfo", "containerRuntimeVersion"]))),
      ];
    },
  },
  "/services": {
    columns: [
      NAME,
      col("Type", "string", "The type of the service"),
      col("Cluster-IP", "string", "The cluster ip of the service"),
      col("External-IP", "string", "The external ip of the service"),
      col("Port(s)", "string", "The ports of the service"),
      AGE,
      col("Selector", "string", "The selector of the service", 1),
    ],
    cells: (o, now) => {
      const ports = list(getPath(o, ["spec", "ports"])).map((p) => {
        const nodePort = p["nodePort"] ? `:${String(p["nodePort"])}` : "";
        return `${String(p["port"])}${nodePort}/${str(p["protocol"]) || "TCP"}`;
      });
      const selector = getPath(o, ["spec", "selector"]);
      return [
        name(o),
        str(getPath(o, ["spec", "type"])) || "ClusterIP",
        orNone(str(getPath(o, ["spec", "clusterIP"]))),
        "<none>",
        ports.length ? ports.join(",") : "<none>",
        age(created(o), now),
        isObject(selector) && Object.keys(selector).length
          ? Object.entries(selector)
              .map(([k, v]) => `${k}=${str(v)}`)
              .sort()
              .join(",")
          : "<none>",
      ];
    },
  },
  "/events": {
    columns: [
      col("Last Seen", "string", "Time when last event occurred"),
      col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."),
      col("Reason", "string", "This should be a short, machine understandable string that gives the reason for this event being generated."),
      col("Object", "string", "The object that this event is about."),
      col("Subobject", "string", "The subobject that this event is about.", 1),
      col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
      col("Message", "string", "A human-readable description of the status of this operation."),
      col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
      col("Count", "string", "The number of times this event has occurred.", 1),
      { ...NAME, priority: 1 },
    ],
    cells: (o, now) => {
      const last = getPath(o, ["lastTimestamp"]) ?? getPath(o, ["eventTime"]) ?? created(o);
      const first = getPath(o, ["firstTimestamp"]) ?? created(o);
      const kind = str(getPath(o, ["involvedObject", "kind"])).toLowerCase();
      return [
        age(last, now),
        str(o["type"]),
        str(o["reason"]),
        `${kind}/${str(getPath(o, ["involvedObject", "name"]))}`,
        str(getPath(o, ["involvedObject", "fieldPath"])),
        str(getPath(o, ["source", "component"])) || str(o["reportingComponent"]),
        str(o["message"]).trim(),
        age(first, now),
        Number(o["count"] ?? 1),
        name(o),
      ];
    },
  },
};

const CREATED_AT = col("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.");
const rolePrinter: Printer = { columns: [NAME, CREATED_AT], cells: (o) => [name(o), str(created(o))] };
const bindingPrinter: Printer = {
  columns: [
    NAME,
    col("Role", "string", "RoleRef is the reference to the role."),
    AGE,
    col("Users", "string", "Users in the roleBinding", 1),
    col("Groups", "string", "Groups in the roleBinding", 1),
    col("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1),
  ],
  cells: (o, now) => {
    const subjects = list(o["subjects"]);
    const of = (kind: string) =>
      subjects
        .filter((s) => s["kind"] === kind)
        .map((s) => (kind === "ServiceAccount" ? `${str(s["namespace"])}:${str(s["name"])}` : str(s["name"])))
        .join(", ");
    return [name(o), `${str(getPath(o, ["roleRef", "kind"]))}/${str(getPath(o, ["roleRef", "name"]))}`, age(created(o), now), of("User"), of("Group"), of("ServiceAccount")];
  },
};
PRINTERS["rbac.authorization.k8s.io/roles"] = rolePrinter;
PRINTERS["rbac.authorization.k8s.io/clusterroles"] = rolePrinter;
PRINTERS["rbac.authorization.k8s.io/rolebindings"] = bindingPrinter;
PRINTERS["rbac.authorization.k8s.io/clusterrolebindings"] = bindingPrinter;

const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], cells: (o, now) => [name(o), age(created(o), now)] };

function selectorText(selector: unknown): string {
  if (!isObject(selector)) return "<none>";
  const parts: string[] = [];
  const ml = selector["matchLabels"];
  if (isObject(ml)) for (const [k, v] of Object.entries(ml).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${str(v)}`);
  const exprs = selector["matchExpressions"];
  if (Array.isArray(exprs)) {
    for (const e of exprs.filter(isObject)) {
      const vals = Array.isArray(e["values"]) ? e["values"].map(str).join(",") : "";
      const op = str(e["operator"]);
      if (op === "In") parts.push(`${str(e["key"])} in (${vals})`);
      else if (op === "NotIn") parts.push(`${str(e["key"])} notin (${vals})`);
      else if (op === "Exists") parts.push(str(e["key"]));
      else parts.push(`!${str(e["key"])}`);
    }
  }
  return parts.length ? parts.join(",") : "<none>";
}

export function printerColumns(type: Pick<ResourceType, "group" | "resource">): ColumnDefinition[] {
  return (PRINTERS[`${type.group}/${type.resource}`] ?? DEFAULT_PRINTER).columns;
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** meta.k8s.io/v1 or meta.k8s.io/v1beta1, whichever the client asked for. */
  apiVersion: string;
  listMeta?: JsonObject;
  now?: number;
}

/** PartialObjectMetadata for an object, as Table rows and `as=PartialObjectMetadata` responses embed. */
export function partialMetadata(obj: JsonObject, apiVersion: string): JsonObject {
  return { kind: "PartialObjectMetadata", apiVersion, metadata: isObject(obj["metadata"]) ? obj["metadata"] : {} };
}

export function toTable(type: Pick<ResourceType, "group" | "resource">, objects: JsonObject[], options: TableOptions): JsonObject {
  const printer = PRINTERS[`${type.group}/${type.resource}`] ?? DEFAULT_PRINTER;
  const now = options.now ?? Date.now();
  const rows: Json[] = objects.map((obj) => {
    const row: JsonObject = { cells: printer.cells(obj, now) };
    if (options.includeObject === "Object") row["object"] = obj;
    else if (options.includeObject === "Metadata") row["object"] = partialMetadata(obj, options.apiVersion);
    return row;
  });
  return {
    kind: "Table",
    apiVersion: options.apiVersion,
    metadata: options.listMeta ?? {},
    columnDefinitions: printer.columns as unknown as Json,
    rows,
  };
}
