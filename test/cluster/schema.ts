// A compact structural schema of the served kinds: field names, scalar types and list semantics.
// One description feeds strict field validation (unknown-field errors/warnings), strategic merge patch
// (patchStrategy/patchMergeKey), server-side apply (list-type/list-map-keys) and the OpenAPI documents.
// It is deliberately partial: a type marked `open` accepts any field below it, so deep, rarely-used
// parts of the API (probes, affinity, volume sources) are stored verbatim without being described.

export type Scalar = "string" | "integer" | "number" | "boolean" | "int-or-string" | "quantity" | "time" | "bytes" | "any";

export interface ListType {
  list: TypeRef;
  /** Server-side apply semantics (x-kubernetes-list-type). */
  listType: "atomic" | "set" | "map";
  /** x-kubernetes-list-map-keys */
  keys?: string[];
  /** Strategic merge patch: patchStrategy "merge" (absent means replace). */
  merge?: boolean;
  /** patchMergeKey */
  mergeKey?: string;
  /** patchStrategy includes retainKeys (only meaningful for lists of maps whose items are unions). */
  retainKeys?: boolean;
}

export interface MapType {
  map: TypeRef;
}

export interface RefType {
  ref: string;
  /** patchStrategy "retainKeys" on a struct field (e.g. DeploymentSpec.strategy). */
  retainKeys?: boolean;
}

export type TypeRef = Scalar | ListType | MapType | RefType;

export interface StructType {
  /** Go type name used in messages, e.g. "Container". */
  goName: string;
  fields: Record<string, TypeRef>;
  /** Unknown fields are accepted (and not described). */
  open?: boolean;
  /** x-kubernetes-map-type: atomic — owned and replaced as a whole (e.g. LabelSelector). */
  atomic?: boolean;
  /** Defaults for list-map keys that may be omitted (e.g. ports' protocol), as the SSA schema declares. */
  keyDefaults?: Record<string, unknown>;
}

const str: Scalar = "string";
const int: Scalar = "integer";
const bool: Scalar = "boolean";
const strings: ListType = { list: str, listType: "atomic" };
const stringMap: MapType = { map: str };
const ref = (name: string, retainKeys = false): RefType => (retainKeys ? { ref: name, retainKeys } : { ref: name });
const atomicList = (of: TypeRef): ListType => ({ list: of, listType: "atomic" });
const mapList = (of: TypeRef, keys: string[], mergeKey?: string, retainKeys = false): ListType => {
  const t: ListType = { list: of, listType: "map", keys };
  if (mergeKey) {
    t.merge = true;
    t.mergeKey = mergeKey;
  }
  if (retainKeys) t.retainKeys = true;
  return t;
};
const open = (goName: string, fields: Record<string, TypeRef> = {}): StructType => ({ goName, fields, open: true });

const TYPE_META: Record<string, TypeRef> = { apiVersion: str, kind: str };

export const TYPES: Record<string, StructType> = {
  ObjectMeta: {
    goName: "ObjectMeta",
    fields: {
      name: str,
      generateName: str,
      namespace: str,
      selfLink: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      creationTimestamp: "time",
      deletionTimestamp: "time",
      deletionGracePeriodSeconds: int,
      labels: stringMap,
      annotations: stringMap,
      ownerReferences: mapList(ref("OwnerReference"), ["uid"], "uid"),
      finalizers: { list: str, listType: "set", merge: true },
      managedFields: atomicList(ref("ManagedFieldsEntry")),
    },
  },
  OwnerReference: {
    goName: "OwnerReference",
    fields: { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool },
  },
  ManagedFieldsEntry: {
    goName: "ManagedFieldsEntry",
    fields: { manager: str, operation: str, apiVersion: str, time: "time", fieldsType: str, fieldsV1: "any", subresource: str },
  },
  LabelSelector: {
    goName: "LabelSelector",
    atomic: true,
    fields: { matchLabels: stringMap, matchExpressions: atomicList(ref("LabelSelectorRequirement")) },
  },
  LabelSelectorRequirement: { goName: "LabelSelectorRequirement", fields: { key: str, operator: str, values: strings } },

  Pod: { goName: "Pod", fields: { ...TYPE_META, metadata: ref("ObjectMeta"), spec: ref("PodSpec"), status: ref("PodStatus") } },
  PodSpec: {
    goName: "PodSpec",
    fields: {
      volumes: mapList(ref("Volume"), ["name"], "name", true),
      initContainers: mapList(ref("Container"), ["name"], "name"),
      containers: mapList(ref("Container"), ["name"], "name"),
      ephemeralContainers: mapList(ref("Container"), ["name"], "name"),
      restartPolicy: str,
      terminationGracePeriodSeconds: int,
      activeDeadlineSeconds: int,
      dnsPolicy: str,
      nodeSelector: stringMap,
      serviceAccountName: str,
      serviceAccount: str,
      automountServiceAccountToken: bool,
      nodeName: str,
      hostNetwork: bool,
      hostPID: bool,
      hostIPC: bool,
      shareProcessNamespace: bool,
      securityContext: ref("Open"),
      imagePullSecrets: mapList(ref("LocalObjectReference"), ["name"], "name"),
      hostname: str,
      subdomain: str,
      affinity: ref("Open"),
      schedulerName: str,
      tolerations: atomicList(ref("Open")),
      hostAliases: mapList(ref("HostAlias"), ["ip"], "ip"),
      priorityClassName: str,
      priority: int,
      dnsConfig: ref("Open"),
      readinessGates: atomicList(ref("Open")),
      runtimeClassName: str,
      enableServiceLinks: bool,
      preemptionPolicy: str,
      overhead: { map: "quantity" },
      topologySpreadConstraints: mapList(ref("Open"), ["topologyKey", "whenUnsatisfiable"], "topologyKey"),
      setHostnameAsFQDN: bool,
      os: ref("Open"),
      hostUsers: bool,
      schedulingGates: mapList(ref("Open"), ["name"], "name"),
      resourceClaims: mapList(ref("Open"), ["name"], "name", true),
      resources: ref("ResourceRequirements"),
    },
  },
  PodStatus: {
    goName: "PodStatus",
    open: true,
    fields: {
      conditions: mapList(ref("Open"), ["type"], "type"),
      podIPs: mapList(ref("Open"), ["ip"], "ip"),
      hostIPs: mapList(ref("Open"), ["ip"], "ip"),
      containerStatuses: atomicList(ref("Open")),
      initContainerStatuses: atomicList(ref("Open")),
    },
  },
  Container: {
    goName: "Container",
    fields: {
      name: str,
      image: str,
      command: strings,
      args: strings,
      workingDir: str,
      ports: { ...mapList(ref("ContainerPort"), ["containerPort", "protocol"], "containerPort") },
      envFrom: atomicList(ref("Open")),
      env: mapList(ref("EnvVar"), ["name"], "name"),
      resources: ref("ResourceRequirements"),
      resizePolicy: atomicList(ref("Open")),
      restartPolicy: str,
      volumeMounts: mapList(ref("VolumeMount"), ["mountPath"], "mountPath"),
      volumeDevices: mapList(ref("Open"), ["devicePath"], "devicePath"),
      livenessProbe: ref("Open"),
      readinessProbe: ref("Open"),
      startupProbe: ref("Open"),
      lifecycle: ref("Open"),
      terminationMessagePath: str,
      terminationMessagePolicy: str,
      imagePullPolicy: str,
      securityContext: ref("Open"),
      stdin: bool,
      stdinOnce: bool,
      tty: bool,
      targetContainerName: str,
    },
  },
  ContainerPort: {
    goName: "ContainerPort",
    fields: { name: str, hostPort: int, containerPort: int, protocol: str, hostIP: str },
    keyDefaults: { protocol: "TCP" },
  },
  EnvVar: { goName: "EnvVar", fields: { name: str, value: str, valueFrom: ref("Open") } },
  VolumeMount: {
    goName: "VolumeMount",
    fields: { name: str, readOnly: bool, recursiveReadOnly: str, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str },
  },
  Volume: open("Volume", { name: str }),
  ResourceRequirements: {
    goName: "ResourceRequirements",
    fields: { limits: { map: "quantity" }, requests: { map: "quantity" }, claims: mapList(ref("Open"), ["name"]) },
  },
  LocalObjectReference: { goName: "LocalObjectReference", fields: { name: str } },
  HostAlias: { goName: "HostAlias", fields: { ip: str, hostnames: strings } },
  Open: open("Object"),

  Deployment: {
    goName: "Deployment",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), spec: ref("DeploymentSpec"), status: ref("DeploymentStatus") },
  },
  DeploymentSpec: {
    goName: "DeploymentSpec",
    fields: {
      replicas: int,
      selector: ref("LabelSelector"),
      template: ref("PodTemplateSpec"),
      strategy: ref("DeploymentStrategy", true),
      minReadySeconds: int,
      revisionHistoryLimit: int,
      paused: bool,
      progressDeadlineSeconds: int,
    },
  },
  DeploymentStrategy: { goName: "DeploymentStrategy", fields: { type: str, rollingUpdate: ref("RollingUpdateDeployment") } },
  RollingUpdateDeployment: { goName: "RollingUpdateDeployment", fields: { maxUnavailable: "int-or-string", maxSurge: "int-or-string" } },
  DeploymentStatus: { goName: "DeploymentStatus", open: true, fields: { conditions: mapList(ref("Open"), ["type"], "type") } },
  ReplicaSet: {
    goName: "ReplicaSet",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), spec: ref("ReplicaSetSpec"), status: ref("DeploymentStatus") },
  },
  ReplicaSetSpec: {
    goName: "ReplicaSetSpec",
    fields: { replicas: int, minReadySeconds: int, selector: ref("LabelSelector"), template: ref("PodTemplateSpec") },
  },
  PodTemplateSpec: { goName: "PodTemplateSpec", fields: { metadata: ref("ObjectMeta"), spec: ref("PodSpec") } },

  Secret: {
    goName: "Secret",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), data: { map: "bytes" }, stringData: stringMap, type: str, immutable: bool },
  },
  ConfigMap: {
    goName: "ConfigMap",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), data: stringMap, binaryData: { map: "bytes" }, immutable: bool },
  },
  ServiceAccount: {
    goName: "ServiceAccount",
    fields: {
      ...TYPE_META,
      metadata: ref("ObjectMeta"),
      secrets: mapList(ref("Open"), ["name"], "name"),
      imagePullSecrets: atomicList(ref("LocalObjectReference")),
      automountServiceAccountToken: bool,
    },
  },
  Namespace: {
    goName: "Namespace",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), spec: ref("NamespaceSpec"), status: ref("Open") },
  },
  NamespaceSpec: { goName: "NamespaceSpec", fields: { finalizers: strings } },
  Node: { goName: "Node", fields: { ...TYPE_META, metadata: ref("ObjectMeta"), spec: ref("Open"), status: ref("Open") } },
  Service: {
    goName: "Service",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), spec: ref("ServiceSpec"), status: ref("Open") },
  },
  ServiceSpec: {
    goName: "ServiceSpec",
    open: true,
    fields: { ports: mapList(ref("ServicePort"), ["port", "protocol"], "port"), selector: stringMap, type: str, clusterIP: str, clusterIPs: strings },
  },
  ServicePort: {
    goName: "ServicePort",
    fields: { name: str, protocol: str, appProtocol: str, port: int, targetPort: "int-or-string", nodePort: int },
    keyDefaults: { protocol: "TCP" },
  },
  Event: open("Event", { ...TYPE_META, metadata: ref("ObjectMeta") }),

  PolicyRule: {
    goName: "PolicyRule",
    fields: { verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings },
  },
  Subject: { goName: "Subject", fields: { kind: str, apiGroup: str, name: str, namespace: str } },
  RoleRef: { goName: "RoleRef", fields: { apiGroup: str, kind: str, name: str } },
  Role: { goName: "Role", fields: { ...TYPE_META, metadata: ref("ObjectMeta"), rules: atomicList(ref("PolicyRule")) } },
  ClusterRole: {
    goName: "ClusterRole",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), rules: atomicList(ref("PolicyRule")), aggregationRule: ref("Open") },
  },
  RoleBinding: {
    goName: "RoleBinding",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), subjects: atomicList(ref("Subject")), roleRef: ref("RoleRef") },
  },
  ClusterRoleBinding: {
    goName: "ClusterRoleBinding",
    fields: { ...TYPE_META, metadata: ref("ObjectMeta"), subjects: atomicList(ref("Subject")), roleRef: ref("RoleRef") },
  },
  TokenRequest: open("TokenRequest", { ...TYPE_META, metadata: ref("ObjectMeta") }),
  SelfSubjectAccessReview: open("SelfSubjectAccessReview", { ...TYPE_META, metadata: ref("ObjectMeta") }),
  SelfSubjectRulesReview: open("SelfSubjectRulesReview", { ...TYPE_META, metadata: ref("ObjectMeta") }),
  SelfSubjectReview: open("SelfSubjectReview", { ...TYPE_META, metadata: ref("ObjectMeta") }),
  Scale: open("Scale", { ...TYPE_META, metadata: ref("ObjectMeta") }),
  Eviction: open("Eviction", { ...TYPE_META, metadata: ref("ObjectMeta") }),
  DeleteOptions: open("DeleteOptions"),
};

/** The schema of a served kind, or an open one for anything undescribed. */
export function typeForKind(kind: string): StructType {
  return TYPES[kind] ?? open(kind);
}

export function resolveRef(t: TypeRef): StructType | undefined {
  if (typeof t === "object" && "ref" in t) return TYPES[t.ref];
  return undefined;
}

export function isList(t: TypeRef | undefined): t is ListType {
  return typeof t === "object" && t !== null && "list" in t;
}

export function isMap(t: TypeRef | undefined): t is MapType {
  return typeof t === "object" && t !== null && "map" in t;
}

/** The schema of a field inside a struct/map node, or undefined when nothing is known (open types). */
export function fieldType(parent: TypeRef | StructType | undefined, field: string): TypeRef | undefined {
  if (parent === undefined) return undefined;
  if (typeof parent === "string") return undefined;
  if ("goName" in parent) return parent.fields[field];
  if (isMap(parent)) return parent.map;
  const struct = resolveRef(parent);
  return struct?.fields[field];
}

/** Normalizes a struct-or-ref to the struct it describes. */
export function structOf(t: TypeRef | StructType | undefined): StructType | undefined {
  if (t === undefined || typeof t === "string") return undefined;
  if ("goName" in t) return t;
  return resolveRef(t as TypeRef);
}
