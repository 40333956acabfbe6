// Pods and pod templates that escape their container: privileged mode (or a Windows HostProcess
// container), hostPath volumes, the host's network / PID / IPC namespaces, added capabilities.
//
// Applies to pods (and their ephemeral containers: `kubectl debug`), pod templates, every built-in
// workload (Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs,
// CronJobs), and custom resources: operators (Argo Rollouts, JobSet, KubeVirt…) embed pod
// templates the API server turns into pods, so a custom resource that mentions these fields trips
// it too. The whole body is scanned rather than a fixed path, so a field is found wherever a
// workload keeps its template; metadata (labels, annotations), label selectors and node
// selectors are skipped, being free-form maps whose keys are not pod fields.
import type { ResourceRequestInfo } from "../../gateway/request-info.js";
import type { PolicyRequest } from "../policy-types.js";
import { asMap, target, type Guardrail } from "./guardrail.js";
import { scanBody, type JsonPatchOp, type Visitor } from "./body-scan.js";

const CORE_WORKLOADS = new Set(["pods", "podtemplates", "replicationcontrollers"]);
const WORKLOAD_GROUPS = new Set(["apps", "batch", "extensions"]);
/** Built-in groups other than the workload ones: their objects hold no pod templates. */
const OTHER_BUILTIN_GROUPS = new Set(["autoscaling", "policy"]);

/** Free-form maps whose keys are labels or node labels, never pod fields. */
const SKIPPED_KEYS = new Set(["metadata", "matchlabels", "nodeselector"]);
const HOST_NAMESPACES: Readonly<Record<string, string>> = { hostnetwork: "hostNetwork", hostpid: "hostPID", hostipc: "hostIPC" };

function isBuiltinGroup(group: string): boolean {
  if (group === "" || WORKLOAD_GROUPS.has(group) || OTHER_BUILTIN_GROUPS.has(group)) return true;
  // Kubernetes' own groups end in .k8s.io; sig-owned CRDs (JobSet, LeaderWorkerSet, Cluster API)
  // use .x-k8s.io and may embed pod templates, so they count as custom.
  return group.endsWith(".k8s.io") && !group.endsWith(".x-k8s.io");
}

export function appliesTo(info: ResourceRequestInfo): boolean {
  if (info.apiGroup === "") {
    if (!CORE_WORKLOADS.has(info.resource)) return false;
    return info.subresource === "" || (info.resource === "pods" && info.subresource === "ephemeralcontainers");
  }
  if (info.subresource !== "") return false;
  return WORKLOAD_GROUPS.has(info.apiGroup) || !isBuiltinGroup(info.apiGroup);
}

/** A value that could turn a boolean field on: anything but an explicit false (or a merge-patch null, which removes it). */
function notOff(value: unknown): boolean {
  return value !== false && value !== null;
}

function addsCapabilities(capabilities: unknown): boolean {
  const map = asMap(capabilities);
  // Not a map: not a shape Kubernetes accepts, so not one to vouch for.
  if (!map) return capabilities !== null && capabilities !== undefined;
  for (const [key, value] of Object.entries(map)) {
    if (key.toLowerCase() !== "add" || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    return true;
  }
  return false;
}

export const visitPodFields: Visitor = (key, lower, value, parent) => {
  if (SKIPPED_KEYS.has(lower)) return "skip";
  if (lower === "privileged" && notOff(value)) return "it runs a privileged container (securityContext.privileged)";
  if (lower === "hostprocess" && notOff(value)) return "it runs a Windows HostProcess container";
  const hostNamespace = HOST_NAMESPACES[lower];
  if (hostNamespace && notOff(value)) return `it uses the host's namespace (${hostNamespace})`;
  if (lower === "hostpath" && value !== null) return "it mounts a hostPath volume";
  if (lower === "capabilities" && addsCapabilities(value)) return "it adds Linux capabilities (securityContext.capabilities.add)";
  // A JSON patch path ending in …/capabilities/add/- arrives here as {add: {"-": value}}.
  if (lower === "add" && parent === "capabilities" && value !== null && !(Array.isArray(value) && value.length === 0)) {
    return "it adds Linux capabilities (securityContext.capabilities.add)";
  }
  return undefined;
};

/** A copy/move entirely inside metadata cannot bring pod fields along. */
function metadataOnly(op: JsonPatchOp): boolean {
  const inMetadata = (segments: readonly string[] | null) => segments !== null && segments.some((s) => s.toLowerCase() === "metadata");
  return inMetadata(op.path) && inMetadata(op.from);
}

export const privilegedWorkload: Guardrail = {
  name: "privileged-workload",
  description:
    "A pod, pod template, workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) or custom resource whose body — object or patch, in any patch format — sets privileged or hostProcess, mounts a hostPath, uses hostNetwork / hostPID / hostIPC, or adds capabilities.",
  verbs: ["create", "update", "patch"],
  check(request: PolicyRequest, info: ResourceRequestInfo) {
    if (!appliesTo(info)) return undefined;
    const reason = scanBody(request.object, visitPodFields, metadataOnly);
    return reason ? `${info.verb} ${target(info)}: ${reason}` : undefined;
  },
};
