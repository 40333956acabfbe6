// Field tables (name, field number, type) for the protobuf messages of the kinds clients send to this
// server in protobuf form, following the field numbers of k8s.io/api's generated.proto. Kinds and fields
// not listed here are dropped on decode; a typed-client write of an unlisted kind is answered 415, as a
// server that cannot decode it would.

export interface FieldDescriptor {
  name: string;
  no: number;
  /** Scalar kind: string, bytes, bool, int32, int64, double, time, microtime, intorstring, quantity, rawjson. */
  kind?: string;
  message?: string;
  repeated?: boolean;
  /** Go pointer field: present means set, even at the zero value. */
  pointer?: boolean;
  /** Embedded struct whose fields JSON flattens into the parent. */
  inline?: boolean;
  /** map<string, V>: the scalar kind of V, or "message" with mapMessage. */
  map?: string;
  mapMessage?: string;
  /** A value field without omitempty whose zero value must survive (e.g. SubjectAccessReviewStatus.allowed). */
  keepZero?: boolean;
}

const s = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "string" });
const sp = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "string", pointer: true });
const b = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "bool" });
const bp = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "bool", pointer: true });
const i32 = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "int32" });
const i32p = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "int32", pointer: true });
const i64 = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "int64" });
const i64p = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "int64", pointer: true });
const m = (name: string, no: number, message: string, pointer = false): FieldDescriptor => ({ name, no, message, pointer });
const inline = (name: string, no: number, message: string): FieldDescriptor => ({ name, no, message, inline: true });
const rs = (name: string, no: number): FieldDescriptor => ({ name, no, kind: "string", repeated: true });
const rm = (name: string, no: number, message: string): FieldDescriptor => ({ name, no, message, repeated: true });
const map = (name: string, no: number, value = "string"): FieldDescriptor => ({ name, no, map: value });
const mapOf = (name: string, no: number, message: string): FieldDescriptor => ({ name, no, map: "message", mapMessage: message });
const time = (name: string, no: number, pointer = false): FieldDescriptor => ({ name, no, kind: "time", pointer });
const ios = (name: string, no: number, pointer = false): FieldDescriptor => ({ name, no, kind: "intorstring", pointer });
const qty = (name: string, no: number, pointer = false): FieldDescriptor => ({ name, no, kind: "quantity", pointer });

const META = [m("metadata", 1, "ObjectMeta")];

export const MESSAGES: Record<string, FieldDescriptor[]> = {
  // k8s.io/apimachinery/pkg/apis/meta/v1
  ObjectMeta: [
    s("name", 1),
    s("generateName", 2),
    s("namespace", 3),
    s("selfLink", 4),
    s("uid", 5),
    s("resourceVersion", 6),
    i64("generation", 7),
    time("creationTimestamp", 8),
    time("deletionTimestamp", 9, true),
    i64p("deletionGracePeriodSeconds", 10),
    map("labels", 11),
    map("annotations", 12),
    rm("ownerReferences", 13, "OwnerReference"),
    rs("finalizers", 14),
    rm("managedFields", 17, "ManagedFieldsEntry"),
  ],
  OwnerReference: [s("kind", 1), s("name", 3), s("uid", 4), s("apiVersion", 5), bp("controller", 6), bp("blockOwnerDeletion", 7)],
  ManagedFieldsEntry: [s("manager", 1), s("operation", 2), s("apiVersion", 3), time("time", 4, true), s("fieldsType", 6), { name: "fieldsV1", no: 7, kind: "rawjson", pointer: true }, s("subresource", 8)],
  LabelSelector: [map("matchLabels", 1), rm("matchExpressions", 2, "LabelSelectorRequirement")],
  LabelSelectorRequirement: [s("key", 1), s("operator", 2), rs("values", 3)],
  DeleteOptions: [i64p("gracePeriodSeconds", 1), m("preconditions", 2, "Preconditions", true), bp("orphanDependents", 3), sp("propagationPolicy", 4), rs("dryRun", 5), bp("ignoreStoreReadErrorWithClusterBreakingPotential", 6)],
  Preconditions: [sp("uid", 1), sp("resourceVersion", 2)],

  // authorization.k8s.io/v1
  SelfSubjectAccessReview: [...META, m("spec", 2, "SelfSubjectAccessReviewSpec"), m("status", 3, "SubjectAccessReviewStatus")],
  SelfSubjectAccessReviewSpec: [m("resourceAttributes", 1, "ResourceAttributes", true), m("nonResourceAttributes", 2, "NonResourceAttributes", true)],
  ResourceAttributes: [s("namespace", 1), s("verb", 2), s("group", 3), s("version", 4), s("resource", 5), s("subresource", 6), s("name", 7), m("fieldSelector", 8, "FieldSelectorAttributes", true), m("labelSelector", 9, "LabelSelectorAttributes", true)],
  FieldSelectorAttributes: [s("rawSelector", 1), rm("requirements", 2, "LabelSelectorRequirement")],
  LabelSelectorAttributes: [s("rawSelector", 1), rm("requirements", 2, "LabelSelectorRequirement")],
  NonResourceAttributes: [s("path", 1), s("verb", 2)],
  SubjectAccessReviewStatus: [{ ...b("allowed", 1), keepZero: true }, b("denied", 4), s("reason", 2), s("evaluationError", 3)],
  SelfSubjectRulesReview: [...META, m("spec", 2, "SelfSubjectRulesReviewSpec")],
  SelfSubjectRulesReviewSpec: [s("namespace", 1)],

  // authentication.k8s.io/v1 (and v1beta1, same layout)
  SelfSubjectReview: [...META],
  TokenRequest: [...META, m("spec", 2, "TokenRequestSpec")],
  TokenRequestSpec: [rs("audiences", 1), i64p("expirationSeconds", 4), m("boundObjectRef", 3, "BoundObjectReference", true)],
  BoundObjectReference: [s("kind", 1), s("apiVersion", 2), s("name", 3), s("uid", 4)],

  // policy/v1, autoscaling/v1
  Eviction: [...META, m("deleteOptions", 2, "DeleteOptions", true)],
  Scale: [...META, m("spec", 2, "ScaleSpec"), m("status", 3, "ScaleStatus")],
  ScaleSpec: [i32("replicas", 1)],
  ScaleStatus: [{ ...i32("replicas", 1), keepZero: true }, s("selector", 2)],

  // core/v1
  ConfigMap: [...META, map("data", 2), map("binaryData", 3, "bytes"), bp("immutable", 4)],
  Secret: [...META, map("data", 2, "bytes"), map("stringData", 4), s("type", 3), bp("immutable", 5)],
  Namespace: [...META, m("spec", 2, "NamespaceSpec")],
  NamespaceSpec: [rs("finalizers", 1)],
  ServiceAccount: [...META, rm("secrets", 2, "ObjectReference"), rm("imagePullSecrets", 3, "LocalObjectReference"), bp("automountServiceAccountToken", 4)],
  ObjectReference: [s("kind", 1), s("namespace", 2), s("name", 3), s("uid", 4), s("apiVersion", 5), s("resourceVersion", 6), s("fieldPath", 7)],
  LocalObjectReference: [s("name", 1)],
  Pod: [...META, m("spec", 2, "PodSpec")],
  PodTemplateSpec: [...META, m("spec", 2, "PodSpec")],
  PodSpec: [
    rm("volumes", 1, "Volume"),
    rm("initContainers", 20, "Container"),
    rm("containers", 2, "Container"),
    s("restartPolicy", 3),
    i64p("terminationGracePeriodSeconds", 4),
    i64p("activeDeadlineSeconds", 5),
    s("dnsPolicy", 6),
    map("nodeSelector", 7),
    s("serviceAccountName", 8),
    s("serviceAccount", 9),
    bp("automountServiceAccountToken", 21),
    s("nodeName", 10),
    b("hostNetwork", 11),
    b("hostPID", 12),
    b("hostIPC", 13),
    bp("shareProcessNamespace", 27),
    m("securityContext", 14, "PodSecurityContext", true),
    rm("imagePullSecrets", 15, "LocalObjectReference"),
    s("hostname", 16),
    s("subdomain", 17),
    s("schedulerName", 19),
    rm("tolerations", 22, "Toleration"),
    rm("hostAliases", 23, "HostAlias"),
    s("priorityClassName", 24),
    i32p("priority", 25),
    sp("runtimeClassName", 29),
    bp("enableServiceLinks", 30),
    sp("preemptionPolicy", 31),
    bp("setHostnameAsFQDN", 35),
    bp("hostUsers", 37),
  ],
  PodSecurityContext: [i64p("runAsUser", 2), bp("runAsNonRoot", 3), i64p("fsGroup", 5), i64p("runAsGroup", 6)],
  SecurityContext: [bp("privileged", 2), i64p("runAsUser", 4), bp("runAsNonRoot", 5), bp("readOnlyRootFilesystem", 6), bp("allowPrivilegeEscalation", 7), i64p("runAsGroup", 8)],
  Toleration: [s("key", 1), s("operator", 2), s("value", 3), s("effect", 4), i64p("tolerationSeconds", 5)],
  HostAlias: [s("ip", 1), rs("hostnames", 2)],
  Container: [
    s("name", 1),
    s("image", 2),
    rs("command", 3),
    rs("args", 4),
    s("workingDir", 5),
    rm("ports", 6, "ContainerPort"),
    rm("envFrom", 19, "EnvFromSource"),
    rm("env", 7, "EnvVar"),
    m("resources", 8, "ResourceRequirements"),
    s("restartPolicy", 24),
    rm("volumeMounts", 9, "VolumeMount"),
    m("livenessProbe", 10, "Probe", true),
    m("readinessProbe", 11, "Probe", true),
    m("startupProbe", 22, "Probe", true),
    s("terminationMessagePath", 13),
    s("terminationMessagePolicy", 20),
    s("imagePullPolicy", 14),
    m("securityContext", 15, "SecurityContext", true),
    b("stdin", 16),
    b("stdinOnce", 17),
    b("tty", 18),
  ],
  ContainerPort: [s("name", 1), i32("hostPort", 2), i32("containerPort", 3), s("protocol", 4), s("hostIP", 5)],
  EnvVar: [s("name", 1), s("value", 2), m("valueFrom", 3, "EnvVarSource", true)],
  EnvVarSource: [m("fieldRef", 1, "ObjectFieldSelector", true), m("configMapKeyRef", 3, "KeySelector", true), m("secretKeyRef", 4, "KeySelector", true)],
  ObjectFieldSelector: [s("apiVersion", 1), s("fieldPath", 2)],
  KeySelector: [inline("localObjectReference", 1, "LocalObjectReference"), s("key", 2), bp("optional", 3)],
  EnvFromSource: [s("prefix", 1), m("configMapRef", 2, "OptionalReference", true), m("secretRef", 3, "OptionalReference", true)],
  OptionalReference: [inline("localObjectReference", 1, "LocalObjectReference"), bp("optional", 2)],
  ResourceRequirements: [mapOf("limits", 1, "Quantity"), mapOf("requests", 2, "Quantity")],
  Quantity: [s("string", 1)],
  VolumeMount: [s("name", 1), b("readOnly", 2), s("mountPath", 3), s("subPath", 4), sp("mountPropagation", 5), s("subPathExpr", 6)],
  Volume: [s("name", 1), inline("volumeSource", 2, "VolumeSource")],
  VolumeSource: [
    m("hostPath", 1, "HostPathVolumeSource", true),
    m("emptyDir", 2, "EmptyDirVolumeSource", true),
    m("secret", 6, "SecretVolumeSource", true),
    m("persistentVolumeClaim", 10, "PersistentVolumeClaimVolumeSource", true),
    m("configMap", 19, "ConfigMapVolumeSource", true),
  ],
  HostPathVolumeSource: [s("path", 1), sp("type", 2)],
  EmptyDirVolumeSource: [s("medium", 1), qty("sizeLimit", 2, true)],
  SecretVolumeSource: [s("secretName", 1), rm("items", 2, "KeyToPath"), i32p("defaultMode", 3), bp("optional", 4)],
  ConfigMapVolumeSource: [inline("localObjectReference", 1, "LocalObjectReference"), rm("items", 2, "KeyToPath"), i32p("defaultMode", 3), bp("optional", 4)],
  PersistentVolumeClaimVolumeSource: [s("claimName", 1), b("readOnly", 2)],
  KeyToPath: [s("key", 1), s("path", 2), i32p("mode", 3)],
  Probe: [inline("handler", 1, "ProbeHandler"), i32("initialDelaySeconds", 2), i32("timeoutSeconds", 3), i32("periodSeconds", 4), i32("successThreshold", 5), i32("failureThreshold", 6), i64p("terminationGracePeriodSeconds", 7)],
  ProbeHandler: [m("exec", 1, "ExecAction", true), m("httpGet", 2, "HTTPGetAction", true), m("tcpSocket", 3, "TCPSocketAction", true)],
  ExecAction: [rs("command", 1)],
  HTTPGetAction: [s("path", 1), ios("port", 2), s("host", 3), s("scheme", 4)],
  TCPSocketAction: [ios("port", 1), s("host", 2)],
  Service: [...META, m("spec", 2, "ServiceSpec")],
  ServiceSpec: [
    rm("ports", 1, "ServicePort"),
    map("selector", 2),
    s("clusterIP", 3),
    rs("clusterIPs", 18),
    s("type", 4),
    rs("externalIPs", 5),
    s("sessionAffinity", 7),
    s("loadBalancerIP", 8),
    rs("loadBalancerSourceRanges", 9),
    s("externalName", 10),
    s("externalTrafficPolicy", 11),
    i32("healthCheckNodePort", 12),
    b("publishNotReadyAddresses", 13),
    rs("ipFamilies", 19),
    sp("ipFamilyPolicy", 17),
    bp("allocateLoadBalancerNodePorts", 20),
    sp("loadBalancerClass", 21),
    sp("internalTrafficPolicy", 22),
  ],
  ServicePort: [s("name", 1), s("protocol", 2), sp("appProtocol", 6), i32("port", 3), ios("targetPort", 4), i32("nodePort", 5)],

  // apps/v1
  Deployment: [...META, m("spec", 2, "DeploymentSpec")],
  DeploymentSpec: [i32p("replicas", 1), m("selector", 2, "LabelSelector", true), m("template", 3, "PodTemplateSpec"), m("strategy", 4, "DeploymentStrategy"), i32("minReadySeconds", 5), i32p("revisionHistoryLimit", 6), b("paused", 7), i32p("progressDeadlineSeconds", 9)],
  DeploymentStrategy: [s("type", 1), m("rollingUpdate", 2, "RollingUpdateDeployment", true)],
  RollingUpdateDeployment: [ios("maxUnavailable", 1, true), ios("maxSurge", 2, true)],

  // rbac.authorization.k8s.io/v1
  Role: [...META, rm("rules", 2, "PolicyRule")],
  ClusterRole: [...META, rm("rules", 2, "PolicyRule"), m("aggregationRule", 3, "AggregationRule", true)],
  AggregationRule: [rm("clusterRoleSelectors", 1, "LabelSelector")],
  PolicyRule: [rs("verbs", 1), rs("apiGroups", 2), rs("resources", 3), rs("resourceNames", 4), rs("nonResourceURLs", 5)],
  RoleBinding: [...META, rm("subjects", 2, "Subject"), m("roleRef", 3, "RoleRef")],
  ClusterRoleBinding: [...META, rm("subjects", 2, "Subject"), m("roleRef", 3, "RoleRef")],
  Subject: [s("kind", 1), s("apiGroup", 2), s("name", 3), s("namespace", 4)],
  RoleRef: [s("apiGroup", 1), s("kind", 2), s("name", 3)],
};
