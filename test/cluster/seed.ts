// The objects a fresh cluster starts with: the four system namespaces (each with its `default`
// ServiceAccount and `kube-root-ca.crt` ConfigMap), one Ready node, the `kubernetes` Service, the
// bootstrap RBAC roles kubectl users rely on, and Running pods to exec into, read logs from and
// port-forward to:
//   default/nginx    one container `nginx` (nginx:1.27, port 80), three start-up log lines
//   default/worker   containers `main` and `sidecar` (busybox:1.36); while followed, `main` logs
//                    "worker tick N" every 200ms; `main` is the default container
//   kube-system/coredns-7db6d8ff4d-x8k2p  one container `coredns`
import type { Registry } from "./registry.js";
import { RESOURCE_TYPES, type ResourceType } from "./resources.js";
import { LOG_EVERY_MS, LOG_LINE, LOG_LINES } from "./logs.js";
import type { JsonObject } from "./json.js";

export const SEEDED_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];
export const SEEDED_PODS = { nginx: "nginx", worker: "worker", coredns: "coredns-7db6d8ff4d-x8k2p" } as const;
export const NODE_NAME = "chaperone-control-plane";

function typeOf(group: string, resource: string): ResourceType {
  const t = RESOURCE_TYPES.find((x) => x.group === group && x.resource === resource);
  if (!t) throw new Error(`unknown ${resource}`);
  return t;
}

const RBAC = "rbac.authorization.k8s.io";
const BOOTSTRAP = { "kubernetes.io/bootstrapping": "rbac-defaults" };

function clusterRole(name: string, rules: JsonObject[], labels: Record<string, string> = BOOTSTRAP): JsonObject {
  return { metadata: { name, labels, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" } }, rules };
}

function clusterRoleBinding(name: string, role: string, groups: string[]): JsonObject {
  return {
    metadata: { name, labels: BOOTSTRAP, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" } },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role },
    subjects: groups.map((g) => ({ apiGroup: RBAC, kind: "Group", name: g })),
  };
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const WORKLOADS = { apiGroups: [""], resources: ["pods", "pods/log", "pods/status", "services", "configmaps", "serviceaccounts", "events", "namespaces", "namespaces/status"] };
const APPS = { apiGroups: ["apps"], resources: ["deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status"] };

export function seed(registry: Registry): void {
  const create = (group: string, resource: string, namespace: string | undefined, obj: JsonObject) =>
    registry.create(typeOf(group, resource), namespace, obj, { seed: true, manager: "kube-apiserver" });

  for (const ns of SEEDED_NAMESPACES) create("", "namespaces", undefined, { metadata: { name: ns } });

  create("", "nodes", undefined, {
    metadata: {
      name: NODE_NAME,
      labels: {
        "kubernetes.io/hostname": NODE_NAME,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/control-plane": "",
      },
    },
    spec: { podCIDR: "10.244.0.0/24", podCIDRs: ["10.244.0.0/24"] },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
        { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
        { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
        { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
      ],
      addresses: [
        { type: "InternalIP", address: "172.18.0.2" },
        { type: "Hostname", address: NODE_NAME },
      ],
      capacity: { cpu: "2", memory: "24Gi", pods: "110" },
      allocatable: { cpu: "2", memory: "24Gi", pods: "110" },
      nodeInfo: {
        architecture: "amd64",
        containerRuntimeVersion: "containerd://1.7.18",
        kernelVersion: "6.1.0",
        kubeProxyVersion: "v1.32.0",
        kubeletVersion: "v1.32.0",
        operatingSystem: "linux",
        osImage: "Debian GNU/Linux 12 (bookworm)",
      },
    },
  });

  create("", "services", "default", {
    metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }], type: "ClusterIP" },
  });

  create("", "pods", "default", {
    metadata: {
      name: SEEDED_PODS.nginx,
      labels: { app: "nginx" },
      annotations: { [LOG_LINES]: JSON.stringify(["nginx: starting", "nginx: listening on :80", "nginx: ready"]) },
    },
    spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80, name: "http" }] }] },
  });
  create("", "pods", "default", {
    metadata: {
      name: SEEDED_PODS.worker,
      labels: { app: "worker" },
      annotations: {
        "kubectl.kubernetes.io/default-container": "main",
        [`${LOG_LINES}.main`]: JSON.stringify(["worker: started"]),
        [`${LOG_LINES}.sidecar`]: JSON.stringify(["sidecar: started"]),
        [LOG_EVERY_MS]: "200",
        [LOG_LINE]: "{container} tick {n}",
      },
    },
    spec: {
      containers: [
        { name: "main", image: "busybox:1.36", command: ["sh", "-c", "while true; do sleep 1; done"] },
        { name: "sidecar", image: "busybox:1.36", command: ["sh", "-c", "sleep infinity"] },
      ],
    },
  });
  create("", "pods", "kube-system", {
    metadata: { name: SEEDED_PODS.coredns, labels: { "k8s-app": "kube-dns", "pod-template-hash": "7db6d8ff4d" } },
    spec: {
      priorityClassName: "system-cluster-critical",
      containers: [{ name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.11.3", args: ["-conf", "/etc/coredns/Corefile"], ports: [{ containerPort: 53, name: "dns", protocol: "UDP" }] }],
    },
  });

  create(RBAC, "clusterroles", undefined, clusterRole("cluster-admin", [
    { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
    { verbs: ["*"], nonResourceURLs: ["*"] },
  ]));
  create(RBAC, "clusterroles", undefined, clusterRole("admin", [{ verbs: [...READ, ...WRITE], ...WORKLOADS }, { verbs: [...READ, ...WRITE], apiGroups: [""], resources: ["secrets", "pods/exec", "pods/attach", "pods/portforward"] }, { verbs: [...READ, ...WRITE], ...APPS }, { verbs: [...READ, ...WRITE], apiGroups: [RBAC], resources: ["roles", "rolebindings"] }], { ...BOOTSTRAP, "kubernetes.io/bootstrapping": "rbac-defaults" }));
  create(RBAC, "clusterroles", undefined, clusterRole("edit", [{ verbs: [...READ, ...WRITE], ...WORKLOADS }, { verbs: [...READ, ...WRITE], apiGroups: [""], resources: ["secrets", "pods/exec", "pods/attach", "pods/portforward"] }, { verbs: [...READ, ...WRITE], ...APPS }]));
  create(RBAC, "clusterroles", undefined, clusterRole("view", [{ verbs: READ, ...WORKLOADS }, { verbs: READ, ...APPS }]));
  create(RBAC, "clusterroles", undefined, clusterRole("system:discovery", [{ verbs: ["get"], nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"] }]));
  create(RBAC, "clusterroles", undefined, clusterRole("system:basic-user", [
    { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
    { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
  ]));
  create(RBAC, "clusterroles", undefined, clusterRole("system:public-info-viewer", [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] }]));
  create(RBAC, "clusterrolebindings", undefined, clusterRoleBinding("cluster-admin", "cluster-admin", ["system:masters"]));
  create(RBAC, "clusterrolebindings", undefined, clusterRoleBinding("system:discovery", "system:discovery", ["system:authenticated"]));
  create(RBAC, "clusterrolebindings", undefined, clusterRoleBinding("system:basic-user", "system:basic-user", ["system:authenticated"]));
  create(RBAC, "clusterrolebindings", undefined, clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]));
}
