// Table tests for classifyRequest. The first block ports every case of Kubernetes' own
// requestinfo_test.go (kubernetes/kubernetes, staging/src/k8s.io/apiserver/pkg/endpoints/request/
// requestinfo_test.go at commit 0f9987650cca2f24787e4cd38d257b77aabf68db; the resolver itself was
// read at db8b216c556cbd896ffb49a0a7bf13443230d18c). Where Chaperone deliberately differs, the case
// says so in a `deviation` note. Upstream only checked some fields of each case; here every field
// of the result is compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { classifyRequest, MAX_REQUEST_URL_LENGTH, type ResourceVerb } from "./request-info.js";

interface ResourceExpect {
  kind: "resource";
  verb: ResourceVerb;
  apiPrefix: "api" | "apis";
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
  /** Defaults to the URL's path (no percent-escapes in those cases). */
  path?: string;
}

type Expect =
  | ResourceExpect
  | { kind: "nonResource"; known: boolean; path?: string }
  | { kind: "refused"; reason: RegExp };

interface Case {
  method: string;
  url: string;
  expect: Expect;
  headers?: IncomingHttpHeaders;
  /** Shown instead of the URL in the test name (for very long URLs). */
  label?: string;
  /** Why this case exists, or how and why it differs from Kubernetes. */
  note?: string;
}

/** Same column order as the upstream table: verb, prefix, group, version, namespace, resource, subresource, name, parts. */
function res(
  verb: ResourceVerb,
  apiPrefix: "api" | "apis",
  apiGroup: string,
  apiVersion: string,
  namespace: string,
  resource: string,
  subresource: string,
  name: string,
  parts: string[],
  path?: string,
): ResourceExpect {
  const out: ResourceExpect = { kind: "resource", verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, parts };
  if (path !== undefined) out.path = path;
  return out;
}

const known = (path?: string): Expect => (path === undefined ? { kind: "nonResource", known: true } : { kind: "nonResource", known: true, path });
const unknown = (path?: string): Expect => (path === undefined ? { kind: "nonResource", known: false } : { kind: "nonResource", known: false, path });
const refused = (reason: RegExp): Expect => ({ kind: "refused", reason });

const c = (method: string, url: string, expect: Expect, note?: string, headers?: IncomingHttpHeaders): Case => {
  const out: Case = { method, url, expect };
  if (note !== undefined) out.note = note;
  if (headers !== undefined) out.headers = headers;
  return out;
};

const WS: IncomingHttpHeaders = { connection: "Upgrade", upgrade: "websocket" };
const SPDY: IncomingHttpHeaders = { connection: "Upgrade", upgrade: "SPDY/3.1" };

// ---------------------------------------------------------------------------------------------
// Ported from upstream TestGetAPIRequestInfo: successCases (all 30, in order).
const upstreamSuccess: Case[] = [
  // resource paths
  c("GET", "/api/v1/namespaces", res("list", "api", "", "v1", "", "namespaces", "", "", ["namespaces"])),
  c("GET", "/api/v1/namespaces/other", res("get", "api", "", "v1", "other", "namespaces", "", "other", ["namespaces", "other"])),
  c("GET", "/api/v1/namespaces/other/pods", res("list", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  c("GET", "/api/v1/namespaces/other/pods/foo", res("get", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo"])),
  c("HEAD", "/api/v1/namespaces/other/pods/foo", res("get", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo"])),
  c("GET", "/api/v1/pods", res("list", "api", "", "v1", "", "pods", "", "", ["pods"])),
  c("HEAD", "/api/v1/pods", res("list", "api", "", "v1", "", "pods", "", "", ["pods"])),
  c("GET", "/api/v1/namespaces/other/pods/foo", res("get", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo"])),
  c("GET", "/api/v1/namespaces/other/pods", res("list", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  // special verbs
  c("GET", "/api/v1/proxy/namespaces/other/pods/foo", res("proxy", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo"])),
  c(
    "GET",
    "/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource",
    res("proxy", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo", "subpath", "not", "a", "subresource"]),
  ),
  c("GET", "/api/v1/watch/pods", res("watch", "api", "", "v1", "", "pods", "", "", ["pods"])),
  c("GET", "/api/v1/pods?watch=true", res("watch", "api", "", "v1", "", "pods", "", "", ["pods"], "/api/v1/pods")),
  c("GET", "/api/v1/pods?watch=false", res("list", "api", "", "v1", "", "pods", "", "", ["pods"], "/api/v1/pods")),
  c("GET", "/api/v1/watch/namespaces/other/pods", res("watch", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  c("GET", "/api/v1/namespaces/other/pods?watch=1", res("watch", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  c("GET", "/api/v1/namespaces/other/pods?watch=0", res("list", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  // subresource identification
  c("GET", "/api/v1/namespaces/other/pods/foo/status", res("get", "api", "", "v1", "other", "pods", "status", "foo", ["pods", "foo", "status"])),
  c(
    "GET",
    "/api/v1/namespaces/other/pods/foo/proxy/subpath",
    res("proxy", "api", "", "v1", "other", "pods", "proxy", "foo", ["pods", "foo", "proxy", "subpath"]),
    "deviation: Kubernetes says verb get; the proxy subresource is normalized to verb proxy",
  ),
  c("PUT", "/api/v1/namespaces/other/finalize", res("update", "api", "", "v1", "other", "namespaces", "finalize", "other", ["namespaces", "other", "finalize"])),
  c("PUT", "/api/v1/namespaces/other/status", res("update", "api", "", "v1", "other", "namespaces", "status", "other", ["namespaces", "other", "status"])),
  // verb identification
  c("PATCH", "/api/v1/namespaces/other/pods/foo", res("patch", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo"])),
  c("DELETE", "/api/v1/namespaces/other/pods/foo", res("delete", "api", "", "v1", "other", "pods", "", "foo", ["pods", "foo"])),
  c("POST", "/api/v1/namespaces/other/pods", res("create", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  // deletecollection verb identification
  c("DELETE", "/api/v1/nodes", res("deletecollection", "api", "", "v1", "", "nodes", "", "", ["nodes"])),
  c("DELETE", "/api/v1/namespaces", res("deletecollection", "api", "", "v1", "", "namespaces", "", "", ["namespaces"])),
  c("DELETE", "/api/v1/namespaces/other/pods", res("deletecollection", "api", "", "v1", "other", "pods", "", "", ["pods"])),
  c(
    "DELETE",
    "/apis/extensions/v1/namespaces/other/pods",
    res("deletecollection", "apis", "extensions", "v1", "other", "pods", "", "", ["pods"]),
    'upstream\'s table says prefix "api" here but never asserts it; the prefix is "apis"',
  ),
  // api group identification
  c("POST", "/apis/extensions/v1/namespaces/other/pods", res("create", "apis", "extensions", "v1", "other", "pods", "", "", ["pods"])),
  // api version identification
  c("POST", "/apis/extensions/v1beta3/namespaces/other/pods", res("create", "apis", "extensions", "v1beta3", "other", "pods", "", "", ["pods"])),
];

// Upstream TestGetAPIRequestInfo errorCases: all must not be resource requests.
const upstreamErrors: Case[] = [
  c("GET", "/", unknown(), "upstream: no resource path"),
  c("GET", "/api/version/", refused(/trailing slash/), "upstream: just apiversion (non-resource); deviation: a trailing slash on a non-resource path is refused"),
  c("GET", "/apis/group/version/", refused(/trailing slash/), "upstream: just prefix, group, version (non-resource); deviation: refused for the trailing slash"),
  c("GET", "/api/version/", refused(/trailing slash/), "upstream: apiversion with no resource (non-resource); deviation: refused for the trailing slash"),
  c("GET", "/badprefix/version/resource", unknown(), "upstream: bad prefix"),
  c("GET", "/apis/version/resource", known(), "upstream: missing api group; it has the shape of /apis/GROUP/VERSION discovery"),
];

// Upstream TestGetNonAPIRequestInfo (upstream only checked IsResourceRequest).
const upstreamNonAPI: Case[] = [
  c("GET", "/api/version/resource", res("list", "api", "", "version", "", "resource", "", "", ["resource"]), "upstream: simple groupless"),
  c(
    "GET",
    "/apis/group/version/resource/name/subresource",
    res("get", "apis", "group", "version", "", "resource", "subresource", "name", ["resource", "name", "subresource"]),
    "upstream: simple group",
  ),
  c(
    "GET",
    "/api/version/resource/name/subresource",
    res("get", "api", "", "version", "", "resource", "subresource", "name", ["resource", "name", "subresource"]),
    "upstream: more steps",
  ),
  c("GET", "/apis/batch/v1/job", res("list", "apis", "batch", "v1", "", "job", "", "", ["job"]), "upstream: group list"),
  c("GET", "/apis/batch/v1/job/foo", res("get", "apis", "batch", "v1", "", "job", "", "foo", ["job", "foo"]), "upstream: group get"),
  c("GET", "/apis/batch/v1/job/foo/scale", res("get", "apis", "batch", "v1", "", "job", "scale", "foo", ["job", "foo", "scale"]), "upstream: group subresource"),
  c("GET", "/not-api/version/resource", unknown(), "upstream: bad root"),
  c("GET", "/apis/extensions/v1beta1", known(), "upstream: group without enough steps"),
  c("GET", "/apis/extensions/v1beta1/", refused(/trailing slash/), "upstream: group without enough steps 2 (non-resource); deviation: refused for the trailing slash"),
  c("GET", "/api/version", known(), "upstream: not enough steps (discovery shape /api/VERSION)"),
  c("GET", "/api", known(), "upstream: one step"),
  c("GET", "/", unknown(), "upstream: zero step"),
  c("GET", "", refused(/must be a path starting with "\/"/), "upstream: empty (non-resource); a request target is never empty, so it is refused"),
];

// Upstream TestSelectorParsing (names and verbs; Chaperone does not expose the selectors themselves).
const upstreamSelectors: Case[] = [
  c("GET", "/apis/group/version/resource", res("list", "apis", "group", "version", "", "resource", "", "", ["resource"]), "upstream: no selector"),
  c(
    "GET",
    "/apis/group/version/resource?fieldSelector=metadata.name=name1",
    res("list", "apis", "group", "version", "", "resource", "", "name1", ["resource"]),
    "upstream: metadata.name selector",
  ),
  c(
    "GET",
    "/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1",
    res("watch", "apis", "group", "version", "", "resource", "", "name1", ["resource"]),
    "upstream: metadata.name selector with watch",
  ),
  c(
    "GET",
    "/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux",
    res("list", "apis", "group", "version", "", "resource", "", "", ["resource"]),
    "upstream: random selector",
  ),
  c(
    "GET",
    "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo",
    res("list", "apis", "group", "version", "", "resource", "", "", ["resource"]),
    "upstream: invalid selector with metadata.name names nothing",
  ),
  c(
    "GET",
    "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true",
    res("watch", "apis", "group", "version", "", "resource", "", "", ["resource"]),
    "upstream: invalid selector with metadata.name with watch",
  ),
  c(
    "GET",
    "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false",
    res("list", "apis", "group", "version", "", "resource", "", "", ["resource"]),
    "upstream: invalid selector with metadata.name with watch false",
  ),
  c(
    "DELETE",
    "/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux",
    res("deletecollection", "apis", "group", "version", "", "resource", "", "", ["resource"]),
    "upstream: selector on deletecollection",
  ),
  c(
    "GET",
    "/apis/group/version/resource?fieldSelector=metadata.name=foo&fieldSelector=metadata.name=bar&labelSelector=foo=bar&labelSelector=foo=baz",
    refused(/"fieldSelector" query parameter appears more than once/),
    'upstream: repeated param (Kubernetes takes the first, name "foo"); deviation: refused, so no hop can read the other copy',
  ),
  c(
    "GET",
    "/apis/group/version/resource/name?fieldSelector=foo=bar&labelSelector=foo=bar",
    res("get", "apis", "group", "version", "", "resource", "", "name", ["resource", "name"]),
    "upstream: selector on other verb is ignored",
  ),
  c(
    "GET",
    "/apis/group/version/watch/resource?fieldSelector=metadata.name=foo&labelSelector=foo=bar",
    res("watch", "apis", "group", "version", "", "resource", "", "", ["resource"]),
    "upstream: selector on deprecated root type watch is not parsed",
  ),
  c(
    "GET",
    "/apis/group/version/watch/resource/name?fieldSelector=metadata.name=foo&labelSelector=foo=bar",
    res("watch", "apis", "group", "version", "", "resource", "", "name", ["resource", "name"]),
    "upstream: selector on deprecated root item watch is not parsed",
  ),
];

// ---------------------------------------------------------------------------------------------
// Every verb, core group (namespaced).
const CM = "/api/v1/namespaces/default/configmaps";
const coreVerbs: Case[] = [
  c("GET", CM, res("list", "api", "", "v1", "default", "configmaps", "", "", ["configmaps"])),
  c("GET", `${CM}/settings`, res("get", "api", "", "v1", "default", "configmaps", "", "settings", ["configmaps", "settings"])),
  c("HEAD", `${CM}/settings`, res("get", "api", "", "v1", "default", "configmaps", "", "settings", ["configmaps", "settings"])),
  c("POST", CM, res("create", "api", "", "v1", "default", "configmaps", "", "", ["configmaps"])),
  c("PUT", `${CM}/settings`, res("update", "api", "", "v1", "default", "configmaps", "", "settings", ["configmaps", "settings"])),
  c("PATCH", `${CM}/settings`, res("patch", "api", "", "v1", "default", "configmaps", "", "settings", ["configmaps", "settings"])),
  c("DELETE", `${CM}/settings`, res("delete", "api", "", "v1", "default", "configmaps", "", "settings", ["configmaps", "settings"])),
  c("DELETE", CM, res("deletecollection", "api", "", "v1", "default", "configmaps", "", "", ["configmaps"])),
  c("GET", `${CM}?watch=true`, res("watch", "api", "", "v1", "default", "configmaps", "", "", ["configmaps"], CM)),
  c("GET", "/api/v1/namespaces/default/secrets/db-password", res("get", "api", "", "v1", "default", "secrets", "", "db-password", ["secrets", "db-password"])),
  c("GET", "/api/v1/namespaces/default/pods/...", res("get", "api", "", "v1", "default", "pods", "", "...", ["pods", "..."]), "only exact . and .. are dot segments"),
];

// Every verb, a named group (apps/v1) and other groups, including a CRD.
const DEP = "/apis/apps/v1/namespaces/default/deployments";
const groupedVerbs: Case[] = [
  c("GET", DEP, res("list", "apis", "apps", "v1", "default", "deployments", "", "", ["deployments"])),
  c("GET", `${DEP}/web`, res("get", "apis", "apps", "v1", "default", "deployments", "", "web", ["deployments", "web"])),
  c("POST", DEP, res("create", "apis", "apps", "v1", "default", "deployments", "", "", ["deployments"])),
  c("PUT", `${DEP}/web`, res("update", "apis", "apps", "v1", "default", "deployments", "", "web", ["deployments", "web"])),
  c("PATCH", `${DEP}/web`, res("patch", "apis", "apps", "v1", "default", "deployments", "", "web", ["deployments", "web"])),
  c("DELETE", `${DEP}/web`, res("delete", "apis", "apps", "v1", "default", "deployments", "", "web", ["deployments", "web"])),
  c("DELETE", DEP, res("deletecollection", "apis", "apps", "v1", "default", "deployments", "", "", ["deployments"])),
  c("GET", `${DEP}?watch=1&resourceVersion=12345`, res("watch", "apis", "apps", "v1", "default", "deployments", "", "", ["deployments"], DEP)),
  c("HEAD", `${DEP}?watch=true`, res("watch", "apis", "apps", "v1", "default", "deployments", "", "", ["deployments"], DEP), "HEAD counts as get, as in Kubernetes"),
  c("GET", "/apis/batch/v1/namespaces/ci/jobs/build-42", res("get", "apis", "batch", "v1", "ci", "jobs", "", "build-42", ["jobs", "build-42"])),
  c("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", res("list", "apis", "networking.k8s.io", "v1", "default", "ingresses", "", "", ["ingresses"])),
  c(
    "PATCH",
    "/apis/example.com/v1alpha1/namespaces/team-a/widgets/w1",
    res("patch", "apis", "example.com", "v1alpha1", "team-a", "widgets", "", "w1", ["widgets", "w1"]),
    "custom resources classify like built-ins",
  ),
];

// Cluster-scoped resources: no namespace.
const clusterScoped: Case[] = [
  c("GET", "/api/v1/nodes", res("list", "api", "", "v1", "", "nodes", "", "", ["nodes"])),
  c("GET", "/api/v1/nodes/node-1", res("get", "api", "", "v1", "", "nodes", "", "node-1", ["nodes", "node-1"])),
  c("PATCH", "/api/v1/nodes/node-1", res("patch", "api", "", "v1", "", "nodes", "", "node-1", ["nodes", "node-1"])),
  c("DELETE", "/api/v1/nodes/node-1", res("delete", "api", "", "v1", "", "nodes", "", "node-1", ["nodes", "node-1"])),
  c("GET", "/api/v1/persistentvolumes?watch=true", res("watch", "api", "", "v1", "", "persistentvolumes", "", "", ["persistentvolumes"], "/api/v1/persistentvolumes")),
  c(
    "GET",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:controller:deployment-controller",
    res("get", "apis", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "", "system:controller:deployment-controller", [
      "clusterroles",
      "system:controller:deployment-controller",
    ]),
    "colons are valid in names",
  ),
  c(
    "GET",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aaggregate-to-view",
    res("get", "apis", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "", "system:aggregate-to-view", ["clusterroles", "system:aggregate-to-view"], "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:aggregate-to-view"),
    "harmless escapes are decoded, as Go's net/url does for the API server",
  ),
  c("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", res("create", "apis", "rbac.authorization.k8s.io", "v1", "", "clusterrolebindings", "", "", ["clusterrolebindings"])),
  c(
    "GET",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
    res("get", "apis", "apiextensions.k8s.io", "v1", "", "customresourcedefinitions", "", "widgets.example.com", ["customresourcedefinitions", "widgets.example.com"]),
  ),
  c(
    "POST",
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    res("create", "apis", "authorization.k8s.io", "v1", "", "selfsubjectaccessreviews", "", "", ["selfsubjectaccessreviews"]),
    "kubectl auth can-i",
  ),
  c(
    "POST",
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    res("create", "apis", "authentication.k8s.io", "v1", "", "selfsubjectreviews", "", "", ["selfsubjectreviews"]),
    "kubectl auth whoami",
  ),
  c(
    "PUT",
    "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval",
    res("update", "apis", "certificates.k8s.io", "v1", "", "certificatesigningrequests", "approval", "csr-1", ["certificatesigningrequests", "csr-1", "approval"]),
    "kubectl certificate approve",
  ),
];

// Lists across all namespaces: namespace "".
const allNamespaces: Case[] = [
  c("GET", "/api/v1/secrets", res("list", "api", "", "v1", "", "secrets", "", "", ["secrets"])),
  c("GET", "/api/v1/events?watch=true", res("watch", "api", "", "v1", "", "events", "", "", ["events"], "/api/v1/events")),
  c("GET", "/apis/apps/v1/deployments?labelSelector=app%3Dweb&limit=500", res("list", "apis", "apps", "v1", "", "deployments", "", "", ["deployments"], "/apis/apps/v1/deployments")),
  c("GET", "/api/v1/secrets?fieldSelector=metadata.name%3Dtoken", res("list", "api", "", "v1", "", "secrets", "", "token", ["secrets"], "/api/v1/secrets")),
  c("GET", "/apis/apps/v1/watch/deployments", res("watch", "apis", "apps", "v1", "", "deployments", "", "", ["deployments"])),
];

// Namespaces are themselves a resource; Kubernetes also sets namespace to the namespace's name.
const namespaces: Case[] = [
  c("GET", "/api/v1/namespaces/foo", res("get", "api", "", "v1", "foo", "namespaces", "", "foo", ["namespaces", "foo"])),
  c("POST", "/api/v1/namespaces", res("create", "api", "", "v1", "", "namespaces", "", "", ["namespaces"])),
  c("PATCH", "/api/v1/namespaces/foo", res("patch", "api", "", "v1", "foo", "namespaces", "", "foo", ["namespaces", "foo"])),
  c("DELETE", "/api/v1/namespaces/foo", res("delete", "api", "", "v1", "foo", "namespaces", "", "foo", ["namespaces", "foo"])),
  c("GET", "/api/v1/namespaces/foo/status", res("get", "api", "", "v1", "foo", "namespaces", "status", "foo", ["namespaces", "foo", "status"])),
  c("PUT", "/api/v1/namespaces/foo/finalize", res("update", "api", "", "v1", "foo", "namespaces", "finalize", "foo", ["namespaces", "foo", "finalize"])),
  c("GET", "/api/v1/namespaces?watch=true", res("watch", "api", "", "v1", "", "namespaces", "", "", ["namespaces"], "/api/v1/namespaces")),
  c(
    "GET",
    "/api/v1/namespaces?fieldSelector=metadata.name%3Dfoo&watch=true",
    res("watch", "api", "", "v1", "", "namespaces", "", "foo", ["namespaces"], "/api/v1/namespaces"),
    "kubectl get namespace foo --watch",
  ),
  c("GET", "/api/v1/watch/namespaces/foo", res("watch", "api", "", "v1", "foo", "namespaces", "", "foo", ["namespaces", "foo"])),
  c("GET", "/api/v1/watch/namespaces", res("watch", "api", "", "v1", "", "namespaces", "", "", ["namespaces"])),
  c(
    "GET",
    "/api/v1/namespaces/default/",
    res("get", "api", "", "v1", "default", "namespaces", "", "default", ["namespaces", "default"]),
    "a trailing slash on a resource path is trimmed, as Kubernetes does",
  ),
  c("GET", "/api/v1/namespaces/status", res("get", "api", "", "v1", "status", "namespaces", "", "status", ["namespaces", "status"]), "a namespace named status"),
  c(
    "GET",
    "/api/v1/namespaces/foo/status/extra",
    res("get", "api", "", "v1", "foo", "namespaces", "status", "foo", ["namespaces", "foo", "status", "extra"]),
    "namespace subresources keep the namespace as the resource",
  ),
];

// Subresources.
const POD = "/api/v1/namespaces/default/pods/web-0";
const podSub = (verb: ResourceVerb, sub: string, extra: string[] = []): ResourceExpect =>
  res(verb, "api", "", "v1", "default", "pods", sub, "web-0", ["pods", "web-0", sub, ...extra]);
const subresources: Case[] = [
  c("PUT", `${POD}/status`, podSub("update", "status")),
  c("PATCH", `${DEP}/web/status`, res("patch", "apis", "apps", "v1", "default", "deployments", "status", "web", ["deployments", "web", "status"])),
  c("GET", `${DEP}/web/scale`, res("get", "apis", "apps", "v1", "default", "deployments", "scale", "web", ["deployments", "web", "scale"])),
  c("PUT", `${DEP}/web/scale`, res("update", "apis", "apps", "v1", "default", "deployments", "scale", "web", ["deployments", "web", "scale"])),
  c("PATCH", `${DEP}/web/scale`, res("patch", "apis", "apps", "v1", "default", "deployments", "scale", "web", ["deployments", "web", "scale"]), "kubectl scale"),
  c("GET", `${POD}/log?container=app&follow=true`, { ...podSub("get", "log"), path: `${POD}/log` }, "kubectl logs -f"),
  c("POST", `${POD}/exec?command=ls&container=app&stdout=true&stderr=true`, { ...podSub("exec", "exec"), path: `${POD}/exec` }, "SPDY exec (Kubernetes: create) is exec", SPDY),
  c("GET", `${POD}/exec?command=sh&stdin=true&tty=true`, { ...podSub("exec", "exec"), path: `${POD}/exec` }, "WebSocket exec (Kubernetes: get) is exec", WS),
  c("GET", `${POD}/exec?command=sh&command=-c&command=printf%20%27a%0Ab%27`, { ...podSub("exec", "exec"), path: `${POD}/exec` }, "encoded newlines in exec commands are legitimate"),
  c("PUT", `${POD}/exec`, podSub("exec", "exec"), "exec whatever the method"),
  c("POST", `${POD}/attach?stdin=true`, { ...podSub("attach", "attach"), path: `${POD}/attach` }, "SPDY attach", SPDY),
  c("GET", `${POD}/attach?stdout=true`, { ...podSub("attach", "attach"), path: `${POD}/attach` }, "WebSocket attach", WS),
  c("POST", `${POD}/portforward`, podSub("portforward", "portforward"), "SPDY port-forward", SPDY),
  c("GET", `${POD}/portforward?ports=8080`, { ...podSub("portforward", "portforward"), path: `${POD}/portforward` }, "WebSocket port-forward", WS),
  c("GET", `${POD}/proxy`, podSub("proxy", "proxy")),
  c(
    "GET",
    "/api/v1/namespaces/default/pods/web-0:8080/proxy/metrics",
    res("proxy", "api", "", "v1", "default", "pods", "proxy", "web-0:8080", ["pods", "web-0:8080", "proxy", "metrics"]),
  ),
  c(
    "POST",
    "/api/v1/namespaces/default/services/web/proxy/api/submit",
    res("proxy", "api", "", "v1", "default", "services", "proxy", "web", ["services", "web", "proxy", "api", "submit"]),
  ),
  c(
    "GET",
    "/api/v1/namespaces/kube-system/services/https:metrics-server:/proxy/healthz",
    res("proxy", "api", "", "v1", "kube-system", "services", "proxy", "https:metrics-server:", ["services", "https:metrics-server:", "proxy", "healthz"]),
  ),
  c(
    "GET",
    "/api/v1/namespaces/default/services/web/proxy/",
    res("proxy", "api", "", "v1", "default", "services", "proxy", "web", ["services", "web", "proxy"]),
    "the proxied root keeps its slash",
  ),
  c("DELETE", "/api/v1/nodes/node-1/proxy/pods", res("proxy", "api", "", "v1", "", "nodes", "proxy", "node-1", ["nodes", "node-1", "proxy", "pods"])),
  c("GET", "/api/v1/nodes/node-1/proxy/logs/", res("proxy", "api", "", "v1", "", "nodes", "proxy", "node-1", ["nodes", "node-1", "proxy", "logs"])),
  c(
    "POST",
    "/api/v1/namespaces/default/serviceaccounts/builder/token",
    res("create", "api", "", "v1", "default", "serviceaccounts", "token", "builder", ["serviceaccounts", "builder", "token"]),
    "kubectl create token",
  ),
  c("POST", `${POD}/eviction`, podSub("create", "eviction"), "kubectl drain"),
  c("POST", `${POD}/binding`, podSub("create", "binding")),
  c("POST", "/api/v1/namespaces/default/bindings", res("create", "api", "", "v1", "default", "bindings", "", "", ["bindings"])),
  c("PATCH", `${POD}/ephemeralcontainers`, podSub("patch", "ephemeralcontainers"), "kubectl debug"),
  c("GET", `${POD}/ephemeralcontainers`, podSub("get", "ephemeralcontainers")),
  c("PATCH", `${POD}/resize`, podSub("patch", "resize")),
  c(
    "GET",
    "/api/v1/watch/namespaces/default/pods/web-0/exec",
    podSub("exec", "exec"),
    "an exec subresource is exec even under the /watch/ path verb",
  ),
];

// Watch forms.
const PODS = "/api/v1/namespaces/default/pods";
const podList = (verb: ResourceVerb, name = ""): ResourceExpect => res(verb, "api", "", "v1", "default", "pods", "", name, ["pods"], PODS);
const watchForms: Case[] = [
  c("GET", `${PODS}?watch=True`, podList("watch"), "any case, as Kubernetes lower-cases the value"),
  c("GET", `${PODS}?watch=FALSE`, podList("list")),
  c("GET", `${PODS}?resourceVersion=0&watch=true&allowWatchBookmarks=true&timeoutSeconds=300`, podList("watch"), "client-go informer watch"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Dweb-0&resourceVersion=0&watch=true`, podList("watch", "web-0"), "kubectl get pod web-0 --watch"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Dweb-0`, podList("list", "web-0"), "list of one"),
  c("GET", `${PODS}/web-0?watch=true`, res("get", "api", "", "v1", "default", "pods", "", "web-0", ["pods", "web-0"], `${PODS}/web-0`), "watch on a named GET is a get (Kubernetes ignores it there)"),
  c("POST", `${PODS}?watch=true`, podList("create"), "watch on a create is ignored"),
  c("GET", "/api/v1/watch/namespaces/default/pods/web-0", res("watch", "api", "", "v1", "default", "pods", "", "web-0", ["pods", "web-0"]), "deprecated single-object watch path"),
  c("GET", "/api/v1/watch/pods?watch=false", res("watch", "api", "", "v1", "", "pods", "", "", ["pods"], "/api/v1/watch/pods"), "the /watch/ path verb wins over the parameter, as in Kubernetes"),
  c("GET", `${PODS}??watch=true`, podList("list"), 'the API server reads the key "?watch", not "watch"'),
  c("GET", `${PODS}?w%61tch=true`, podList("watch"), "encoded keys decode, as in Go"),
  c("GET", `${PODS}?Watch=true`, podList("list"), "parameter names are case-sensitive, as in Go"),
];

// deletecollection.
const deleteCollection: Case[] = [
  c("DELETE", `${PODS}?labelSelector=app%3Dweb`, podList("deletecollection")),
  c("DELETE", `${PODS}?fieldSelector=metadata.name%3Dweb-0`, podList("deletecollection"), "a name selector narrows list/watch only, as in Kubernetes"),
  c("DELETE", `${PODS}/`, { ...podList("deletecollection"), path: `${PODS}/` }, "trailing slash trimmed, as in Kubernetes"),
  c("DELETE", "/apis/batch/v1/namespaces/ci/jobs?propagationPolicy=Background", res("deletecollection", "apis", "batch", "v1", "ci", "jobs", "", "", ["jobs"], "/apis/batch/v1/namespaces/ci/jobs")),
];

// fieldSelector naming (ports k8s.io/apimachinery/pkg/fields ParseSelector + RequiresExactMatch).
const selectorNaming: Case[] = [
  c("GET", `${PODS}?fieldSelector=metadata.name%3D%3Dweb-0`, podList("list", "web-0"), "== is an exact match"),
  c("GET", `${PODS}?fieldSelector=metadata.name!%3Dweb-0`, podList("list"), "!= names nothing"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Dweb-0,status.phase%3DRunning`, podList("list", "web-0")),
  c("GET", `${PODS}?fieldSelector=status.phase%3DRunning,metadata.name%3Dweb-0`, podList("list", "web-0")),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Db,metadata.name%3Da`, podList("list", "a"), "terms are sorted first, as in Kubernetes"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Da%5C%2Cb`, podList("list", "a,b"), "backslash escapes unescape"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Da%3Db`, podList("list"), "an unescaped = makes the selector invalid"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3D..`, podList("list"), "not a valid path segment name"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Da%2Fb`, podList("list"), "a / is not valid in a name"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Da%25b`, podList("list"), "a % is not valid in a name"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3D`, podList("list")),
  c("GET", `${PODS}?fieldSelector=metadata.name%20%3Dweb-0`, podList("list"), "the field name is not trimmed"),
  c("GET", `${PODS}?fieldSelector=metadata.namespace%3Ddefault`, podList("list")),
  c("GET", `${PODS}?fieldSelector=metadata.name=web+0`, podList("list", "web 0"), "+ is a space in queries, for Go as for URLSearchParams"),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Dweb%0A`, refused(/"fieldSelector".*control or non-ASCII/)),
  c("GET", `${PODS}?fieldSelector=metadata.name%3Dw%C3%A9b`, refused(/"fieldSelector".*non-ASCII/)),
];

// Deprecated path verbs and their malformed forms.
const pathVerbs: Case[] = [
  c("GET", "/api/v1/proxy/nodes/node-1", res("proxy", "api", "", "v1", "", "nodes", "", "node-1", ["nodes", "node-1"])),
  c(
    "POST",
    "/api/v1/proxy/namespaces/default/services/web/some/path",
    res("proxy", "api", "", "v1", "default", "services", "", "web", ["services", "web", "some", "path"]),
  ),
  c("GET", "/api/v1/watch", refused(/ends at "\/watch" without naming a resource/)),
  c("GET", "/apis/apps/v1/proxy", refused(/ends at "\/proxy" without naming a resource/)),
];

// ---------------------------------------------------------------------------------------------
// Refused shapes, one case each; the reason must name the problem.
const atLimit = "/api/v1/namespaces/default/configmaps/";
const refusals: Case[] = [
  c("GET", "/api/v1/namespaces/default/pods/../secrets", refused(/"\.\." segment/)),
  c("GET", "/api/v1/./pods", refused(/"\." segment/)),
  c("GET", "/api/v1/namespaces/default/services/web/proxy/../../secrets/x", refused(/"\.\." segment/), "also inside a proxied path"),
  c("GET", "/api/v1/namespaces/default/pods/..", refused(/"\.\." segment/)),
  c("GET", "/api//v1/pods", refused(/empty segment/)),
  c("GET", "//api/v1/pods", refused(/empty segment/)),
  c("GET", "/api/v1/pods//", refused(/empty segment/)),
  c("GET", "/version/", refused(/trailing slash/)),
  c("GET", "/healthz/", refused(/trailing slash/)),
  c("GET", "/api/v1/namespaces/default/pods/a%2Fb", refused(/percent-encoded slash \(%2F\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%2fb", refused(/percent-encoded slash \(%2f\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%5Cb", refused(/percent-encoded backslash \(%5C\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%5cb", refused(/percent-encoded backslash \(%5c\)/)),
  c("GET", "/api/v1/namespaces/default/pods/%2E%2E", refused(/percent-encoded dot \(%2E\)/)),
  c("GET", "/api/v1/namespaces/%2e/pods", refused(/percent-encoded dot \(%2e\)/)),
  c("GET", "/api/v1/namespaces/default/pods/web%2e0", refused(/percent-encoded dot/), "even inside a name"),
  c("GET", "/api/v1/namespaces/default/pods/a%252Fb", refused(/percent-encoded percent sign \(%25\).*double-encoded/)),
  c("GET", "/api/v1/namespaces/default/pods/a%00b", refused(/percent-encoded NUL \(%00\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a\u0000b", refused(/NUL byte/)),
  c("GET", "/api/v1/namespaces/default/pods/a\tb", refused(/control character \(0x09\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a\nb", refused(/control character \(0x0A\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a\u007fb", refused(/control character \(0x7F\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%0Ab", refused(/percent-encoded control character \(%0A\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%zzb", refused(/invalid percent-encoding/)),
  c("GET", "/api/v1/namespaces/default/pods/a%4", refused(/invalid percent-encoding/)),
  c("GET", "/api/v1/namespaces/default/pods/a%", refused(/invalid percent-encoding/)),
  c("GET", "/api/v1\\namespaces/default/pods", refused(/backslash/)),
  c("GET", "api/v1/pods", refused(/must be a path starting with "\/"/)),
  c("OPTIONS", "*", refused(/must be a path starting with "\/"/), "asterisk-form"),
  c("GET", "http://kubernetes.default/api/v1/pods", refused(/absolute-form/)),
  c("GET", "https://10.0.0.1:6443/api/v1/namespaces/default/secrets", refused(/absolute-form/)),
  c("CONNECT", "kubernetes.default:443", refused(/CONNECT \(authority-form\)/)),
  {
    method: "GET",
    url: atLimit + "a".repeat(MAX_REQUEST_URL_LENGTH + 1 - atLimit.length),
    label: `a ${MAX_REQUEST_URL_LENGTH + 1}-byte URL`,
    expect: refused(new RegExp(`longer than ${MAX_REQUEST_URL_LENGTH} bytes`)),
  },
  {
    method: "GET",
    url: atLimit + "a".repeat(MAX_REQUEST_URL_LENGTH - atLimit.length),
    label: `a ${MAX_REQUEST_URL_LENGTH}-byte URL`,
    note: "exactly at the limit is accepted",
    expect: res("get", "api", "", "v1", "default", "configmaps", "", "a".repeat(MAX_REQUEST_URL_LENGTH - atLimit.length), [
      "configmaps",
      "a".repeat(MAX_REQUEST_URL_LENGTH - atLimit.length),
    ]),
  },
  c("GET", "/api/v1/namespaces/default/pods/w\u00e9b", refused(/non-ASCII character/)),
  c("GET", "/api/v1/namespaces/default/pods/w%C3%A9b", refused(/percent-encoded non-ASCII byte \(%C3\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%20b", refused(/percent-encoded a space \(%20\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%3Fb", refused(/percent-encoded "\?" \(%3F\)/)),
  c("GET", "/api/v1/namespaces/default/pods/a%23b", refused(/percent-encoded "#" \(%23\)/)),
  c("GET", "/api/v1/namespaces/default/pods#fragment", refused(/fragment/)),
  c("GET", "/api/v1/namespaces/default/pods/a b", refused(/contains a space/)),
  c("GET", "/api/v1/namespaces/default/pods/a|b", refused(/"\|", which must be percent-encoded/)),
  c("GET", "/api/v1/namespaces/default/pods/{name}", refused(/"\{", which must be percent-encoded/)),
  c("TRACE", "/api/v1/pods", refused(/HTTP method TRACE is not used/)),
  c("PROPFIND", "/api/v1/pods", refused(/HTTP method PROPFIND is not used/)),
  c("get", "/api/v1/pods", refused(/HTTP method get is not used/), "methods are case-sensitive"),
  c("OPTIONS", "/api/v1/pods", refused(/HTTP method OPTIONS is not valid for a Kubernetes resource request/)),
  c("GET", `${PODS}?watch=true&watch=false`, refused(/"watch" query parameter appears more than once/)),
  c("GET", `${PODS}?watch=yes`, refused(/"watch" query parameter must be/), "Kubernetes would watch; refused rather than guessed"),
  c("GET", `${PODS}?watch=`, refused(/"watch" query parameter must be/), "Kubernetes reads the empty value as true"),
  c("GET", `${PODS}?watch=f`, refused(/"watch" query parameter must be/), "Kubernetes reads f as true, strconv.ParseBool as false"),
  c("GET", `${PODS}?watch=t`, refused(/"watch" query parameter must be/)),
  c("POST", `${PODS}?watch=true&watch=true`, refused(/"watch" query parameter appears more than once/), "duplicates are refused even where watch is ignored"),
  c("GET", `${PODS}?fieldSelector=a%3Db&fieldSelector=c%3Dd`, refused(/"fieldSelector" query parameter appears more than once/)),
  c("GET", `${PODS}?watch=true;x=1`, refused(/query string contains a ";"/)),
  c("GET", `${PODS}?labelSelector=app%zz`, refused(/query string has invalid percent-encoding/)),
  c("GET", `${POD}/exec?command=%00`, refused(/query string contains a percent-encoded NUL/)),
  c("GET", `${PODS}?labelSelector=\u0001`, refused(/control character \(0x01\)/)),
  c("GET", `${PODS}?labelSelector=<x>`, refused(/query string contains "<", which must be percent-encoded/)),
  c("POST", `${PODS}/web-0`, refused(/x-http-method-override header/), undefined, { "x-http-method-override": "DELETE" }),
  c("POST", `${PODS}/web-0`, refused(/x-http-method header/), "header names in any case", { "X-HTTP-Method": "DELETE" }),
  c("GET", `${PODS}/web-0`, refused(/connection upgrade \(Upgrade header\)/), "an upgrade on a plain get", WS),
  c("GET", "/version", refused(/connection upgrade/), "an upgrade on a non-resource path", { upgrade: "h2c", connection: "Upgrade" }),
];

// ---------------------------------------------------------------------------------------------
// Non-resource paths: lower-case method verbs, and known only for what clients really fetch.
const nonResource: Case[] = [
  c("GET", "/version", known()),
  c("HEAD", "/version", known()),
  c("POST", "/version", unknown(), "discovery paths take no writes"),
  c("OPTIONS", "/version", unknown()),
  c("DELETE", "/healthz", unknown()),
  c("GET", "/api/v1", known()),
  c("GET", "/apis", known()),
  c("GET", "/apis/apps", known()),
  c("GET", "/apis/apps/v1", known()),
  c("GET", "/apis/metrics.k8s.io/v1beta1", known()),
  c("GET", "/apis/Apps/v1", unknown(), "not a group name"),
  c("GET", "/apis/apps/V1", unknown(), "not a version name"),
  c("GET", "/api/v1/", refused(/trailing slash/)),
  c("GET", "/openapi/v2", known()),
  c("GET", "/openapi/v2?timeout=32s", known("/openapi/v2")),
  c("GET", "/openapi/v3", known()),
  c("GET", "/openapi/v3/apis/apps/v1?hash=0123ABCD", known("/openapi/v3/apis/apps/v1")),
  c("GET", "/openapi/v3/api/v1", known()),
  c("GET", "/openapi/v1", unknown()),
  c("GET", "/healthz", known()),
  c("GET", "/livez", known()),
  c("GET", "/readyz", known()),
  c("GET", "/readyz/etcd", known()),
  c("GET", "/livez/poststarthook/start-apiextensions-controllers", known()),
  c("GET", "/healthz?verbose", known("/healthz")),
  c("GET", "/.well-known/openid-configuration", known()),
  c("GET", "/openid/v1/jwks", known()),
  c("GET", "/metrics", known()),
  c("GET", "/metrics/slis", unknown()),
  c("GET", "/logs", unknown()),
  c("GET", "/logs/kube-apiserver.log", unknown()),
  c("GET", "/debug/pprof/profile", unknown()),
  c("GET", "/apiss", unknown()),
  c("GET", "/version?watch=yes&watch=no", known("/version"), "watch parameters mean nothing on non-resource paths"),
];

// Headers that are allowed.
const headerCases: Case[] = [
  c("GET", `${PODS}?watch=true`, podList("watch"), "a WebSocket watch may upgrade", WS),
  c("GET", `${POD}/proxy/ws`, podSub("proxy", "proxy", ["ws"]), "a proxied WebSocket may upgrade", WS),
  c("GET", `${PODS}/web-0`, res("get", "api", "", "v1", "default", "pods", "", "web-0", ["pods", "web-0"]), "an empty Upgrade header is no upgrade", { upgrade: "" }),
  c("POST", `${POD}/exec`, podSub("exec", "exec"), "headers are optional"),
];

// ---------------------------------------------------------------------------------------------

function display(url: string): string {
  // Control characters stay visible (and harmless) in test names.
  return JSON.stringify(url).slice(1, -1).replace(/\u007f/g, "\\u007f");
}

function describe(expect: Expect): string {
  switch (expect.kind) {
    case "resource": {
      const what = `${expect.apiGroup ? `${expect.apiGroup}/` : ""}${expect.resource}${expect.subresource ? `/${expect.subresource}` : ""}`;
      const shown = expect.name.length > 60 ? `${expect.name.slice(0, 20)}…(${expect.name.length} chars)` : expect.name;
      const name = shown ? ` "${shown}"` : "";
      const where = expect.namespace ? ` in namespace "${expect.namespace}"` : " cluster-wide";
      return `is ${expect.verb} ${what}${name}${where}`;
    }
    case "nonResource":
      return `is ${expect.known ? "a known" : "an unknown"} non-resource request`;
    case "refused":
      return `is refused (${expect.reason.source})`;
  }
}

const groups: [string, Case[]][] = [
  ["upstream successCases", upstreamSuccess],
  ["upstream errorCases", upstreamErrors],
  ["upstream TestGetNonAPIRequestInfo", upstreamNonAPI],
  ["upstream TestSelectorParsing", upstreamSelectors],
  ["core verbs", coreVerbs],
  ["grouped verbs", groupedVerbs],
  ["cluster-scoped", clusterScoped],
  ["all namespaces", allNamespaces],
  ["namespaces", namespaces],
  ["subresources", subresources],
  ["watch forms", watchForms],
  ["deletecollection", deleteCollection],
  ["fieldSelector naming", selectorNaming],
  ["path verbs", pathVerbs],
  ["refusals", refusals],
  ["non-resource", nonResource],
  ["headers", headerCases],
];

let total = 0;
for (const [group, cases] of groups) {
  for (const tc of cases) {
    total++;
    const name = `[${group}] ${tc.method} ${tc.label ?? display(tc.url)} ${describe(tc.expect)}${tc.note ? ` — ${tc.note}` : ""}`;
    test(name, () => {
      const got = classifyRequest(tc.method, tc.url, tc.headers);
      const expect = tc.expect;
      const urlPath = tc.url.split("?")[0] as string;
      switch (expect.kind) {
        case "resource": {
          const { path, ...fields } = expect;
          assert.deepEqual(got, { ...fields, path: path ?? urlPath });
          break;
        }
        case "nonResource":
          assert.deepEqual(got, { kind: "nonResource", verb: tc.method.toLowerCase(), path: expect.path ?? urlPath, known: expect.known });
          break;
        case "refused":
          assert.equal(got.kind, "refused", `expected a refusal, got ${JSON.stringify(got)}`);
          if (got.kind === "refused") assert.match(got.reason, expect.reason);
          break;
      }
    });
  }
}

test("the table covers at least 150 cases", () => {
  assert.ok(total >= 150, `only ${total} cases`);
});

test("refusal reasons never echo control characters back to the terminal", () => {
  for (const url of ["/api/v1/pods/a\u001b[31mb", "/api/v1/pods?x=\u001b", "/api/v1/pods/a%1B"]) {
    const got = classifyRequest("GET", url);
    assert.equal(got.kind, "refused");
    if (got.kind === "refused") assert.doesNotMatch(got.reason, /[\u0000-\u001f\u007f]/);
  }
});

test("every resource verb in the API is produced by some case", () => {
  const seen = new Set<string>();
  for (const [, cases] of groups) for (const tc of cases) if (tc.expect.kind === "resource") seen.add(tc.expect.verb);
  const all: ResourceVerb[] = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "exec", "attach", "portforward", "proxy"];
  assert.deepEqual([...seen].sort(), [...all].sort());
});
