// "What would this request get?" for a request described the way a person thinks of it
// (`delete namespaces kube-public`, `exec pods/exec nginx -n dev`). The description is turned into
// the HTTP method and URL kubectl would send, and that goes through the gateway's own classifier
// and describeRequest: explain then sees exactly the RequestInfo the gateway would see, instead
// of a hand-built one that could drift from it. Both `chaperone policy explain` (offline) and the
// control API's `POST /api/v1/policy/explain` call this.
import { classifyRequest, type RequestInfo } from "../gateway/request-info.js";
import type { ExplainRequest, ExplainResult, RuleView } from "../control/contract.js";
import { CliError } from "../cli/cli-error.js";
import { describeRequest, summarizeRequest } from "./describe-request.js";
import type { PolicyEngine } from "./policy-engine.js";
import type { RuleRef } from "./policy-types.js";

type Scope = "namespaced" | "cluster";

/** The core group's resources (kubectl api-resources --api-group=''), with their scope. */
const CORE_RESOURCES: ReadonlyMap<string, Scope> = new Map([
  ["pods", "namespaced"],
  ["services", "namespaced"],
  ["configmaps", "namespaced"],
  ["secrets", "namespaced"],
  ["serviceaccounts", "namespaced"],
  ["endpoints", "namespaced"],
  ["events", "namespaced"],
  ["limitranges", "namespaced"],
  ["resourcequotas", "namespaced"],
  ["persistentvolumeclaims", "namespaced"],
  ["replicationcontrollers", "namespaced"],
  ["podtemplates", "namespaced"],
  ["bindings", "namespaced"],
  ["namespaces", "cluster"],
  ["nodes", "cluster"],
  ["persistentvolumes", "cluster"],
  ["componentstatuses", "cluster"],
]);

/** Well-known resources of the other built-in groups, keyed `resource.group`. */
const GROUP_RESOURCES: ReadonlyMap<string, Scope> = new Map([
  ...["deployments", "statefulsets", "daemonsets", "replicasets", "controllerrevisions"].map((r) => [`${r}.apps`, "namespaced"] as const),
  ["jobs.batch", "namespaced"],
  ["cronjobs.batch", "namespaced"],
  ["ingresses.networking.k8s.io", "namespaced"],
  ["networkpolicies.networking.k8s.io", "namespaced"],
  ["ingressclasses.networking.k8s.io", "cluster"],
  ["roles.rbac.authorization.k8s.io", "namespaced"],
  ["rolebindings.rbac.authorization.k8s.io", "namespaced"],
  ["clusterroles.rbac.authorization.k8s.io", "cluster"],
  ["clusterrolebindings.rbac.authorization.k8s.io", "cluster"],
  ["poddisruptionbudgets.policy", "namespaced"],
  ["horizontalpodautoscalers.autoscaling", "namespaced"],
  ["leases.coordination.k8s.io", "namespaced"],
  ["endpointslices.discovery.k8s.io", "namespaced"],
  ["events.events.k8s.io", "namespaced"],
  ["customresourcedefinitions.apiextensions.k8s.io", "cluster"],
  ["apiservices.apiregistration.k8s.io", "cluster"],
  ["storageclasses.storage.k8s.io", "cluster"],
  ["csidrivers.storage.k8s.io", "cluster"],
  ["csinodes.storage.k8s.io", "cluster"],
  ["volumeattachments.storage.k8s.io", "cluster"],
  ["csistoragecapacities.storage.k8s.io", "namespaced"],
  ["priorityclasses.scheduling.k8s.io", "cluster"],
  ["runtimeclasses.node.k8s.io", "cluster"],
  ["certificatesigningrequests.certificates.k8s.io", "cluster"],
  ["mutatingwebhookconfigurations.admissionregistration.k8s.io", "cluster"],
  ["validatingwebhookconfigurations.admissionregistration.k8s.io", "cluster"],
  ["validatingadmissionpolicies.admissionregistration.k8s.io", "cluster"],
  ["validatingadmissionpolicybindings.admissionregistration.k8s.io", "cluster"],
  ["flowschemas.flowcontrol.apiserver.k8s.io", "cluster"],
  ["prioritylevelconfigurations.flowcontrol.apiserver.k8s.io", "cluster"],
  ["selfsubjectaccessreviews.authorization.k8s.io", "cluster"],
  ["selfsubjectrulesreviews.authorization.k8s.io", "cluster"],
  ["subjectaccessreviews.authorization.k8s.io", "cluster"],
  ["localsubjectaccessreviews.authorization.k8s.io", "namespaced"],
  ["tokenreviews.authentication.k8s.io", "cluster"],
  ["selfsubjectreviews.authentication.k8s.io", "cluster"],
]);

/** kubectl's short names, only to say what to write instead: a policy matches full names. */
const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ["po", "pods"],
  ["svc", "services"],
  ["cm", "configmaps"],
  ["sa", "serviceaccounts"],
  ["ep", "endpoints"],
  ["ev", "events"],
  ["ns", "namespaces"],
  ["no", "nodes"],
  ["pv", "persistentvolumes"],
  ["pvc", "persistentvolumeclaims"],
  ["rc", "replicationcontrollers"],
  ["quota", "resourcequotas"],
  ["limits", "limitranges"],
  ["deploy", "deployments.apps"],
  ["sts", "statefulsets.apps"],
  ["ds", "daemonsets.apps"],
  ["rs", "replicasets.apps"],
  ["cj", "cronjobs.batch"],
  ["ing", "ingresses.networking.k8s.io"],
  ["netpol", "networkpolicies.networking.k8s.io"],
  ["pdb", "poddisruptionbudgets.policy"],
  ["hpa", "horizontalpodautoscalers.autoscaling"],
  ["crd", "customresourcedefinitions.apiextensions.k8s.io"],
  ["sc", "storageclasses.storage.k8s.io"],
  ["csr", "certificatesigningrequests.certificates.k8s.io"],
]);

/**
 * The version kubectl prefers for each built-in group. Policies cannot match on the version; only
 * a `when:` condition reading request.resourceAttributes.version sees it, and other groups get v1.
 */
const GROUP_VERSIONS: ReadonlyMap<string, string> = new Map([["autoscaling", "v2"]]);

/** Kubernetes' own verbs a resource request can carry, with the HTTP method kubectl uses. */
const RESOURCE_VERBS: ReadonlyMap<string, string> = new Map([
  ["get", "GET"],
  ["list", "GET"],
  ["watch", "GET"],
  ["create", "POST"],
  ["update", "PUT"],
  ["patch", "PATCH"],
  ["delete", "DELETE"],
  ["deletecollection", "DELETE"],
  // Streaming subresources: kubectl's SPDY upgrade is a POST; the classifier names the verb after
  // the subresource whatever the method, so this choice changes nothing a policy sees.
  ["exec", "POST"],
  ["attach", "POST"],
  ["portforward", "POST"],
  ["proxy", "GET"],
]);
const STREAMING_VERBS = new Set(["exec", "attach", "portforward", "proxy"]);
const NON_RESOURCE_VERBS = new Set(["get", "head", "post", "put", "patch", "delete", "options"]);

const NAME_SEGMENT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface ResourceRef {
  resource: string;
  group: string;
  subresource: string;
}

function parseResource(text: string): ResourceRef {
  const slash = text.indexOf("/");
  const kind = slash === -1 ? text : text.slice(0, slash);
  const subresource = slash === -1 ? "" : text.slice(slash + 1);
  const dot = kind.indexOf(".");
  const resource = dot === -1 ? kind : kind.slice(0, dot);
  const group = dot === -1 ? "" : kind.slice(dot + 1);
  const shape = "write RESOURCE[.GROUP][/SUBRESOURCE], e.g. pods, deployments.apps, pods/exec, deployments.apps/scale";
  if (!NAME_SEGMENT.test(resource)) throw new CliError(`"${text}" is not a resource: ${shape}`);
  if (group !== "" && !group.split(".").every((label) => NAME_SEGMENT.test(label))) throw new CliError(`"${text}" has an invalid API group "${group}": ${shape}`);
  if (slash !== -1 && !NAME_SEGMENT.test(subresource)) throw new CliError(`"${text}" has an invalid subresource: ${shape}`);
  if (group === "" && !CORE_RESOURCES.has(resource)) {
    const short = SHORT_NAMES.get(resource);
    if (short) throw new CliError(`"${resource}" is kubectl's short name for ${short}; policies see full names, so write ${short}`);
    const grouped = [...GROUP_RESOURCES.keys()].find((key) => key.startsWith(`${resource}.`));
    if (grouped) throw new CliError(`"${resource}" is in the API group ${grouped.slice(resource.length + 1)}: write ${grouped}`);
    throw new CliError(`"${resource}" is not a resource of the core API group; name the group too (RESOURCE.GROUP, e.g. widgets.example.com)`);
  }
  return { resource, group, subresource };
}

function scopeOf(ref: ResourceRef): Scope | undefined {
  return ref.group === "" ? CORE_RESOURCES.get(ref.resource) : GROUP_RESOURCES.get(`${ref.resource}.${ref.group}`);
}

/** The method and request target kubectl sends for a described resource request. */
function resourceTarget(request: ExplainRequest, verb: string): { method: string; url: string } {
  const ref = parseResource(request.resource as string);
  let subresource = ref.subresource;
  const kind = ref.group === "" ? ref.resource : `${ref.resource}.${ref.group}`;
  if (STREAMING_VERBS.has(verb)) {
    if (subresource === "") subresource = verb;
    else if (subresource !== verb) throw new CliError(`${verb} is the verb of ${kind}/${verb}, not of ${kind}/${subresource}`);
  }
  const name = request.name ?? "";
  const method = RESOURCE_VERBS.get(verb) as string;

  if (subresource !== "" && name === "") throw new CliError(`${kind}/${subresource} needs the NAME of the object`);
  if (name === "" && ["update", "patch", "delete"].includes(verb)) {
    throw new CliError(`${verb} needs the NAME of the object${verb === "delete" ? " (deletecollection deletes a whole collection)" : ""}`);
  }
  if (name !== "" && verb === "deletecollection") throw new CliError("deletecollection takes no NAME: it deletes a whole collection");

  const scope = scopeOf(ref);
  const isNamespaceObject = ref.group === "" && ref.resource === "namespaces";
  // kubectl ignores -n for cluster-scoped resources; for unknown ones (custom resources) -n says it.
  let namespace = scope === "cluster" ? "" : (request.namespace ?? "");
  const collectionRead = verb === "list" || verb === "watch" || (verb === "get" && name === "");
  if (scope === "namespaced" && namespace === "" && !collectionRead) {
    // An empty namespace would explain a request kubectl never sends, and a rule limited to a
    // namespace would then seem not to apply: better to ask than to answer the wrong question.
    throw new CliError(`${verb} ${kind} needs a namespace (-n NAMESPACE): kubectl sends it to one, its context's when -n is not given`);
  }
  if (isNamespaceObject) namespace = "";

  const version = ref.group === "" ? "v1" : (GROUP_VERSIONS.get(ref.group) ?? "v1");
  const base = ref.group === "" ? `/api/${version}` : `/apis/${ref.group}/${version}`;
  const namespacePart = namespace === "" ? "" : `/namespaces/${encodeURIComponent(namespace)}`;
  let url = `${base}${namespacePart}/${ref.resource}`;
  const query = new URLSearchParams();
  if (verb === "list" || verb === "watch") {
    // `kubectl get pod NAME --watch` narrows the collection with a field selector; the
    // classifier then reads the name from it, as Kubernetes does.
    if (name !== "" && subresource === "") query.set("fieldSelector", `metadata.name=${name}`);
    if (verb === "watch") query.set("watch", "true");
  } else if (name !== "" && !(verb === "create" && subresource === "")) {
    // A create names its object in the body, so the request itself carries no name.
    url += `/${encodeURIComponent(name)}`;
  }
  if (subresource !== "") url += `/${subresource}`;
  const search = query.toString();
  return { method, url: search === "" ? url : `${url}?${search}` };
}

function nonResourceTarget(request: ExplainRequest, verb: string): { method: string; url: string } {
  const path = request.path ?? request.resource ?? "";
  if (!path.startsWith("/")) throw new CliError(`a non-resource path starts with "/" (e.g. /version), got "${path}"`);
  if (!NON_RESOURCE_VERBS.has(verb)) throw new CliError(`a non-resource path takes an HTTP verb (get, head, post, put, patch, delete, options), not ${verb}`);
  if (request.name || request.namespace) throw new CliError("a non-resource path takes no NAME or namespace");
  return { method: verb.toUpperCase(), url: path };
}

/** The RequestInfo the gateway's classifier gives the request kubectl would send for `request`. */
export function classifyDescribed(request: ExplainRequest): { info: RequestInfo; url: string } {
  const verb = (request.verb ?? "").trim().toLowerCase();
  if (verb === "") throw new CliError("missing VERB (e.g. get, list, create, delete, exec)");
  const nonResource = request.path !== undefined || (request.resource ?? "").startsWith("/");
  if (!nonResource) {
    if (!request.resource) throw new CliError("missing RESOURCE (e.g. pods, deployments.apps, pods/exec, or a path like /version)");
    if (!RESOURCE_VERBS.has(verb)) {
      const hint = NON_RESOURCE_VERBS.has(verb) ? ` (${verb} is for non-resource paths such as /version)` : "";
      throw new CliError(`unknown verb "${verb}" for a resource: use ${[...RESOURCE_VERBS.keys()].join(", ")}${hint}`);
    }
  }
  const { method, url } = nonResource ? nonResourceTarget(request, verb) : resourceTarget(request, verb);
  const info = classifyRequest(method, url);
  if (info.kind === "refused") throw new CliError(`the gateway would refuse this request before any policy: ${info.reason}`);
  return { info, url };
}

function view(rule: RuleRef): RuleView {
  return { profile: rule.profile, name: rule.name, source: rule.source };
}

/**
 * Explains a described request for `request.agent` with its profile (`profileOf` answers it, or
 * undefined for an unknown agent). Throws a CliError for a description that is not a request.
 * What the policy says, without grants: a grant is a temporary answer to an ask, not policy.
 */
export function explainDescribed(engine: PolicyEngine, profileOf: (agent: string) => string | undefined, request: ExplainRequest): ExplainResult {
  if (typeof request.agent !== "string" || request.agent === "") throw new CliError("missing the agent to explain for (--agent NAME)");
  const profile = profileOf(request.agent);
  if (profile === undefined) throw new CliError(`no agent named "${request.agent}" (see: chaperone agent list)`);
  const { info, url } = classifyDescribed(request);
  const policyRequest = describeRequest({ identity: { agent: request.agent, run: null, profile }, info, url, contentType: null, body: undefined });
  const explanation = engine.explain(policyRequest);
  return {
    action: explanation.decision.action,
    rule: view(explanation.decision.rule),
    message: explanation.decision.message,
    profile: explanation.profile,
    summary: summarizeRequest(info),
    matches: explanation.matches.map((match) => ({ rule: view(match.rule), action: match.action, location: match.location })),
    guardrails: explanation.guardrails.map((g) => ({ name: g.name, reason: g.reason, action: g.action })),
  };
}
