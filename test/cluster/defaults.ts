// What the real control plane adds to an object on its own: API defaulting, admission (service account,
// default tolerations) and, because no kubelet or controllers run here, the status they would report.
// Pods are Running and Ready as soon as they are created, unless annotated otherwise:
//   test.chaperone.dev/phase: Pending | Running | Succeeded | Failed
// Deployments report all replicas ready. Secrets fold `stringData` into base64 `data`.
import { randomBytes, createHash } from "node:crypto";
import { deepEqual, getPath, isObject, metadataOf, str, type Json, type JsonObject } from "./json.js";
import type { ResourceType } from "./resources.js";

export const PHASE_ANNOTATION = "test.chaperone.dev/phase";

export interface KindContext {
  now(): string;
  nodeName: string;
  nextPodIp(): string;
  nextClusterIp(): string;
}

const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

function setDefault(obj: JsonObject, key: string, value: Json): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function imagePullPolicy(image: string): string {
  const lastSegment = image.split("/").pop() ?? image;
  if (image.includes("@")) return "IfNotPresent";
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  return tag === undefined || tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(c: JsonObject): void {
  setDefault(c, "imagePullPolicy", imagePullPolicy(str(c["image"])));
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  setDefault(c, "resources", {});
  for (const p of list(c["ports"])) setDefault(p, "protocol", "TCP");
}

/** Defaults of a PodSpec, shared by pods and pod templates. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
  for (const c of [...list(spec["containers"]), ...list(spec["initContainers"])]) defaultContainer(c);
}

function shortHash(input: string, length = 5): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const digest = createHash("sha256").update(input).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length];
  return out;
}

function containerId(): string {
  return `containerd://${randomBytes(32).toString("hex")}`;
}

function imageId(image: string): string {
  const repo = image.split("@")[0]?.replace(/:[^/:]+$/, "") ?? image;
  const qualified = repo.includes("/") ? repo : `library/${repo}`;
  const registry = qualified.split("/")[0]?.includes(".") ? qualified : `docker.io/${qualified}`;
  return `${registry}@sha256:${createHash("sha256").update(image).digest("hex")}`;
}

function qosClass(spec: JsonObject): string {
  const containers = list(spec["containers"]);
  const resources = containers.map((c) => (isObject(c["resources"]) ? c["resources"] : {}));
  const any = resources.some((r) => Object.keys(r["limits"] ?? {}).length > 0 || Object.keys(r["requests"] ?? {}).length > 0);
  if (!any) return "BestEffort";
  const guaranteed = resources.every((r) => {
    const limits = isObject(r["limits"]) ? r["limits"] : {};
    const requests = isObject(r["requests"]) ? r["requests"] : limits;
    return ["cpu", "memory"].every((k) => limits[k] !== undefined && deepEqual(requests[k], limits[k]));
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}

function containerStatus(c: JsonObject, phase: string, started: string, previous?: JsonObject): JsonObject {
  const image = str(c["image"]);
  const base: JsonObject = {
    name: str(c["name"]),
    image,
    imageID: phase === "Pending" ? "" : imageId(image),
    restartCount: Number(previous?.["restartCount"] ?? 0),
    started: phase === "Running",
    ready: phase === "Running",
    lastState: isObject(previous?.["lastState"]) ? previous["lastState"] : {},
  };
  if (phase !== "Pending") base["containerID"] = containerId();
  switch (phase) {
    case "Pending":
      base["state"] = { waiting: { reason: "ContainerCreating" } };
      break;
    case "Succeeded":
      base["state"] = { terminated: { exitCode: 0, reason: "Completed", startedAt: started, finishedAt: started, containerID: base["containerID"] ?? "" } };
      break;
    case "Failed":
      base["state"] = { terminated: { exitCode: 1, reason: "Error", startedAt: started, finishedAt: started, containerID: base["containerID"] ?? "" } };
      break;
    default:
      base["state"] = { running: { startedAt: started } };
  }
  return base;
}

/** The status a kubelet would report for `pod`, given its phase annotation. */
export function podStatus(pod: JsonObject, ctx: KindContext, podIp: string, previous?: JsonObject): JsonObject {
  const phase = str(getPath(pod, ["metadata", "annotations", PHASE_ANNOTATION])) || "Running";
  const now = ctx.now();
  const started = str(previous?.["startTime"]) || now;
  const spec = isObject(pod["spec"]) ? pod["spec"] : {};
  const ready = phase === "Running" ? "True" : "False";
  const condition = (type: string, status: string): JsonObject => ({ type, status, lastProbeTime: null, lastTransitionTime: started });
  const previousStatuses = list(previous?.["containerStatuses"]);
  const status: JsonObject = {
    phase,
    conditions: [
      condition("PodReadyToStartContainers", phase === "Pending" ? "False" : "True"),
      condition("Initialized", "True"),
      condition("Ready", ready),
      condition("ContainersReady", ready),
      condition("PodScheduled", "True"),
    ],
    hostIP: "172.18.0.2",
    hostIPs: [{ ip: "172.18.0.2" }],
    startTime: started,
    qosClass: qosClass(spec),
    containerStatuses: list(spec["containers"]).map((c) =>
      containerStatus(
        c,
        phase,
        started,
        previousStatuses.find((s) => s["name"] === c["name"]),
      ),
    ),
  };
  if (phase !== "Pending") {
    status["podIP"] = podIp;
    status["podIPs"] = [{ ip: podIp }];
  }
  if (list(spec["initContainers"]).length > 0) {
    status["initContainerStatuses"] = list(spec["initContainers"]).map((c) => ({
      ...containerStatus(c, "Succeeded", started),
      ready: true,
    }));
  }
  return status;
}

function defaultPod(pod: JsonObject, ctx: KindContext): void {
  const spec = isObject(pod["spec"]) ? pod["spec"] : {};
  pod["spec"] = spec;
  defaultPodSpec(spec);
  setDefault(spec, "serviceAccountName", "default");
  spec["serviceAccount"] = spec["serviceAccountName"] ?? "default";
  setDefault(spec, "enableServiceLinks", true);
  setDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  setDefault(spec, "priority", 0);
  setDefault(spec, "nodeName", ctx.nodeName);
  // DefaultTolerationSeconds admission.
  const tolerations = list(spec["tolerations"]);
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerations.some((t) => t["key"] === key)) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  spec["tolerations"] = tolerations;
  // ServiceAccount admission: the projected API-access volume, mounted in every container.
  if (spec["automountServiceAccountToken"] !== false && !list(spec["volumes"]).some((v) => str(v["name"]).startsWith("kube-api-access-"))) {
    const volumeName = `kube-api-access-${shortHash(`${str(getPath(pod, ["metadata", "name"]))}${Date.now()}${Math.random()}`)}`;
    spec["volumes"] = [
      ...list(spec["volumes"]),
      {
        name: volumeName,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
          ],
        },
      },
    ];
    for (const c of [...list(spec["containers"]), ...list(spec["initContainers"])]) {
      c["volumeMounts"] = [...list(c["volumeMounts"]), { name: volumeName, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }];
    }
  }
}

function deploymentStatus(obj: JsonObject, now: string, previous: unknown): JsonObject {
  const replicas = Number(getPath(obj, ["spec", "replicas"]) ?? 1);
  const conditions = list(getPath(previous, ["conditions"]));
  const condition = (type: string, reason: string, message: string): JsonObject => {
    const old = conditions.find((c) => c["type"] === type);
    return {
      type,
      status: "True",
      lastUpdateTime: str(old?.["lastUpdateTime"]) || now,
      lastTransitionTime: str(old?.["lastTransitionTime"]) || now,
      reason,
      message,
    };
  };
  const name = str(getPath(obj, ["metadata", "name"]));
  const rsName = `${name}-${templateHash(obj)}`;
  const status: JsonObject = {
    observedGeneration: Number(getPath(obj, ["metadata", "generation"]) ?? 1),
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability."),
      condition("Progressing", "NewReplicaSetAvailable", `ReplicaSet "${rsName}" has successfully progressed.`),
    ],
  };
  if (replicas === 0) {
    delete status["readyReplicas"];
    delete status["availableReplicas"];
    delete status["updatedReplicas"];
    delete status["replicas"];
  }
  return status;
}

/** The pod-template-hash a Deployment would give its ReplicaSet. */
export function templateHash(obj: JsonObject): string {
  return createHash("sha256")
    .update(JSON.stringify(getPath(obj, ["spec", "template"]) ?? {}))
    .digest("hex")
    .slice(0, 10)
    .replace(/[^a-z0-9]/g, "a");
}

/** A Go-typed server serializes the template's zero creationTimestamp as null. */
function templateMetadata(spec: JsonObject): void {
  const template = spec["template"];
  if (!isObject(template)) return;
  const meta = isObject(template["metadata"]) ? template["metadata"] : {};
  if (!("creationTimestamp" in meta)) meta["creationTimestamp"] = null;
  template["metadata"] = meta;
}

function foldStringData(secret: JsonObject): void {
  const stringData = secret["stringData"];
  if (isObject(stringData)) {
    const data = isObject(secret["data"]) ? secret["data"] : {};
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(str(v), "utf8").toString("base64");
    secret["data"] = data;
  }
  delete secret["stringData"];
}

function defaultService(svc: JsonObject, ctx: KindContext): void {
  const spec = isObject(svc["spec"]) ? svc["spec"] : {};
  svc["spec"] = spec;
  setDefault(spec, "type", "ClusterIP");
  if (spec["type"] !== "ExternalName") {
    setDefault(spec, "clusterIP", ctx.nextClusterIp());
    setDefault(spec, "clusterIPs", spec["clusterIP"] === "None" ? ["None"] : [str(spec["clusterIP"])]);
    setDefault(spec, "ipFamilies", ["IPv4"]);
    setDefault(spec, "ipFamilyPolicy", "SingleStack");
    setDefault(spec, "internalTrafficPolicy", "Cluster");
  }
  setDefault(spec, "sessionAffinity", "None");
  for (const p of list(spec["ports"])) {
    setDefault(p, "protocol", "TCP");
    setDefault(p, "targetPort", p["port"] ?? 0);
  }
  svc["status"] = isObject(svc["status"]) ? svc["status"] : { loadBalancer: {} };
}

/** Kinds whose status the main resource endpoint does not let clients change. */
export function hasStatusSubresource(type: ResourceType): boolean {
  return type.subresources.some((s) => s.name === "status");
}

/** API defaulting (and registry strategy) for a new object. Status comes from the controller passes. */
export function prepareForCreate(type: ResourceType, obj: JsonObject, ctx: KindContext): void {
  const meta = metadataOf(obj);
  switch (`${type.group}/${type.resource}`) {
    case "/pods":
      defaultPod(obj, ctx);
      delete obj["status"];
      break;
    case "apps/deployments":
    case "apps/replicasets": {
      const spec = isObject(obj["spec"]) ? obj["spec"] : {};
      obj["spec"] = spec;
      setDefault(spec, "replicas", 1);
      setDefault(spec, "revisionHistoryLimit", 10);
      if (type.resource === "deployments") {
        setDefault(spec, "progressDeadlineSeconds", 600);
        setDefault(spec, "strategy", { type: "RollingUpdate" });
        const strategy = spec["strategy"] as JsonObject;
        setDefault(strategy, "type", "RollingUpdate");
        if (strategy["type"] === "RollingUpdate") {
          const ru = isObject(strategy["rollingUpdate"]) ? strategy["rollingUpdate"] : {};
          setDefault(ru, "maxUnavailable", "25%");
          setDefault(ru, "maxSurge", "25%");
          strategy["rollingUpdate"] = ru;
        }
      }
      meta["generation"] = 1;
      const template = getPath(spec, ["template", "spec"]);
      if (isObject(template)) defaultPodSpec(template);
      templateMetadata(spec);
      delete obj["status"];
      break;
    }
    case "/secrets":
      foldStringData(obj);
      setDefault(obj, "type", "Opaque");
      break;
    case "/namespaces": {
      const labels = isObject(meta["labels"]) ? meta["labels"] : {};
      labels["kubernetes.io/metadata.name"] = str(meta["name"]);
      meta["labels"] = labels;
      obj["spec"] = { finalizers: ["kubernetes"] };
      obj["status"] = { phase: "Active" };
      break;
    }
    case "/services":
      defaultService(obj, ctx);
      break;
    default:
      if (hasStatusSubresource(type)) delete obj["status"];
  }
}

/**
 * API defaulting and status carry-over for an update of the main resource (`subresource` undefined) or of
 * the status subresource. Mutates `obj`.
 */
export function prepareForUpdate(type: ResourceType, obj: JsonObject, old: JsonObject, ctx: KindContext, subresource?: string): void {
  const meta = metadataOf(obj);
  const oldMeta = isObject(old["metadata"]) ? old["metadata"] : {};
  if (subresource === "status") {
    // The status endpoint changes status only.
    for (const k of Object.keys(obj)) if (k !== "status" && k !== "metadata" && k !== "kind" && k !== "apiVersion") delete obj[k];
    for (const [k, v] of Object.entries(old)) if (k !== "status" && k !== "metadata") obj[k] = structuredClone(v);
    for (const k of ["labels", "annotations", "finalizers", "ownerReferences"]) {
      if (oldMeta[k] === undefined) delete meta[k];
      else meta[k] = structuredClone(oldMeta[k] as Json);
    }
    return;
  }
  if (hasStatusSubresource(type)) {
    if (old["status"] !== undefined) obj["status"] = structuredClone(old["status"]);
    else delete obj["status"];
  }
  switch (`${type.group}/${type.resource}`) {
    case "/pods": {
      const spec = isObject(obj["spec"]) ? obj["spec"] : {};
      obj["spec"] = spec;
      for (const c of [...list(spec["containers"]), ...list(spec["initContainers"])]) defaultContainer(c);
      break;
    }
    case "apps/deployments":
    case "apps/replicasets": {
      const spec = isObject(obj["spec"]) ? obj["spec"] : {};
      obj["spec"] = spec;
      const template = getPath(spec, ["template", "spec"]);
      if (isObject(template)) defaultPodSpec(template);
      templateMetadata(spec);
      setDefault(spec, "replicas", 1);
      const oldGeneration = Number(oldMeta["generation"] ?? 1);
      meta["generation"] = deepEqual(obj["spec"], old["spec"]) ? oldGeneration : oldGeneration + 1;
      break;
    }
    case "/secrets":
      foldStringData(obj);
      setDefault(obj, "type", "Opaque");
      break;
    case "/namespaces":
      obj["spec"] = structuredClone(old["spec"] ?? { finalizers: ["kubernetes"] });
      {
        const labels = isObject(meta["labels"]) ? meta["labels"] : {};
        labels["kubernetes.io/metadata.name"] = str(meta["name"]);
        meta["labels"] = labels;
      }
      break;
    case "/services": {
      const spec = isObject(obj["spec"]) ? obj["spec"] : {};
      const oldSpec = isObject(old["spec"]) ? old["spec"] : {};
      if (spec["clusterIP"] === undefined && oldSpec["clusterIP"] !== undefined) spec["clusterIP"] = oldSpec["clusterIP"];
      if (spec["clusterIPs"] === undefined && oldSpec["clusterIPs"] !== undefined) spec["clusterIPs"] = oldSpec["clusterIPs"];
      obj["spec"] = spec;
      defaultService(obj, ctx);
      break;
    }
  }
}

/**
 * What the kubelet and controllers would do right after a write, folded into the same write (there is no
 * separate reconcile loop here). Each pass is recorded in managedFields under its own manager, as the real
 * components' writes are.
 */
export interface ControllerPass {
  manager: string;
  subresource?: string;
  run(obj: JsonObject, old: JsonObject | undefined): void;
}

export function controllerPasses(type: ResourceType, ctx: KindContext): ControllerPass[] {
  switch (`${type.group}/${type.resource}`) {
    case "/pods":
      return [
        {
          manager: "kubelet",
          subresource: "status",
          run(obj, old) {
            if (!old || !isObject(old["status"])) {
              obj["status"] = podStatus(obj, ctx, ctx.nextPodIp());
              return;
            }
            // A kubelet restarts a container whose image changed.
            const statuses = list(getPath(obj, ["status", "containerStatuses"]));
            for (const c of list(getPath(obj, ["spec", "containers"]))) {
              const s = statuses.find((x) => x["name"] === c["name"]);
              if (s && s["image"] !== c["image"]) {
                s["lastState"] = { terminated: { exitCode: 0, reason: "Completed", startedAt: str(getPath(s, ["state", "running", "startedAt"])) || ctx.now(), finishedAt: ctx.now() } };
                s["image"] = c["image"] ?? "";
                s["imageID"] = imageId(str(c["image"]));
                s["containerID"] = containerId();
                s["restartCount"] = Number(s["restartCount"] ?? 0) + 1;
                s["state"] = { running: { startedAt: ctx.now() } };
              }
            }
          },
        },
      ];
    case "apps/deployments":
      return [
        {
          manager: "kube-controller-manager",
          run(obj, old) {
            const meta = metadataOf(obj);
            const annotations = isObject(meta["annotations"]) ? meta["annotations"] : {};
            const previous = Number(getPath(old, ["metadata", "annotations", "deployment.kubernetes.io/revision"]) ?? 0);
            const changed = !old || !deepEqual(getPath(obj, ["spec", "template"]), getPath(old, ["spec", "template"]));
            annotations["deployment.kubernetes.io/revision"] = String(changed || previous === 0 ? previous + 1 : previous);
            meta["annotations"] = annotations;
          },
        },
        { manager: "kube-controller-manager", subresource: "status", run: (obj, old) => void (obj["status"] = deploymentStatus(obj, ctx.now(), old?.["status"])) },
      ];
    case "apps/replicasets":
      return [{ manager: "kube-controller-manager", subresource: "status", run: (obj, old) => void (obj["status"] = deploymentStatus(obj, ctx.now(), old?.["status"])) }];
    default:
      return [];
  }
}
