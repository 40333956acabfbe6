// OpenAPI documents, generated from the resource table and the structural schema.
// What kubectl needs from them:
// - v3 (`/openapi/v3`, `/openapi/v3/apis/G/V`): kubectl's field-validation verifier looks for a PATCH
//   operation tagged with the kind's x-kubernetes-group-version-kind that takes a `fieldValidation` query
//   parameter; finding it, kubectl leaves validation to the server (it sends fieldValidation=Strict).
//   Apply checks the PATCH operation accepts strategic-merge-patch+json. Component schemas carry no GVK
//   tag on purpose, so kubectl computes apply patches from its compiled-in types, which are complete.
// - v2 (`/openapi/v2`): kubectl loads it before validating; served as JSON or as the gnostic protobuf
//   kubectl asks for (see openapi-proto.ts).
import { createHash } from "node:crypto";
import { RESOURCE_TYPES, apiVersionOf, resourcesIn, type ResourceType } from "./resources.js";
import { TYPES, isList, isMap, type StructType, type TypeRef } from "./schema.js";
import type { Json, JsonObject } from "./json.js";

const META_TYPES = new Set(["ObjectMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector", "LabelSelectorRequirement"]);
const APPS_TYPES = new Set(["Deployment", "DeploymentSpec", "DeploymentStrategy", "RollingUpdateDeployment", "DeploymentStatus", "ReplicaSet", "ReplicaSetSpec"]);
const RBAC_TYPES = new Set(["PolicyRule", "Subject", "RoleRef", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

function packageOf(typeName: string, owner?: ResourceType): string {
  if (META_TYPES.has(typeName)) return "io.k8s.apimachinery.pkg.apis.meta.v1";
  if (APPS_TYPES.has(typeName)) return "io.k8s.api.apps.v1";
  if (RBAC_TYPES.has(typeName)) return "io.k8s.api.rbac.v1";
  if (owner && owner.group !== "") return `io.k8s.api.${owner.group.split(".")[0]}.${owner.version}`;
  return "io.k8s.api.core.v1";
}

function ownerOf(typeName: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.kind === typeName);
}

export function schemaName(typeName: string): string {
  return `${packageOf(typeName, ownerOf(typeName))}.${typeName}`;
}

type Refs = Set<string>;

function scalarSchema(t: string): JsonObject {
  switch (t) {
    case "string":
      return { type: "string" };
    case "integer":
      return { type: "integer", format: "int32" };
    case "number":
      return { type: "number", format: "double" };
    case "boolean":
      return { type: "boolean" };
    case "int-or-string":
      return { "x-kubernetes-int-or-string": true };
    case "quantity":
      return { "x-kubernetes-int-or-string": true };
    case "time":
      return { type: "string", format: "date-time" };
    case "bytes":
      return { type: "string", format: "byte" };
    default:
      return { type: "object" };
  }
}

function refSchema(name: string, refs: Refs, prefix: string): JsonObject {
  if (name === "Open") return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  refs.add(name);
  return { $ref: `${prefix}${schemaName(name)}` };
}

function typeSchema(t: TypeRef, refs: Refs, prefix: string): JsonObject {
  if (typeof t === "string") return scalarSchema(t);
  if (isList(t)) {
    const s: JsonObject = { type: "array", items: typeSchema(t.list, refs, prefix), "x-kubernetes-list-type": t.listType };
    if (t.keys) s["x-kubernetes-list-map-keys"] = t.keys;
    if (t.merge) s["x-kubernetes-patch-strategy"] = t.retainKeys ? "merge,retainKeys" : "merge";
    if (t.mergeKey) s["x-kubernetes-patch-merge-key"] = t.mergeKey;
    return s;
  }
  if (isMap(t)) return { type: "object", additionalProperties: typeSchema(t.map, refs, prefix) };
  const ref = refSchema(t.ref, refs, prefix);
  if (t.retainKeys) return { allOf: [ref], "x-kubernetes-patch-strategy": "retainKeys" };
  return ref;
}

function structSchema(s: StructType, refs: Refs, prefix: string): JsonObject {
  const properties: JsonObject = {};
  for (const [k, t] of Object.entries(s.fields)) properties[k] = typeSchema(t, refs, prefix);
  const out: JsonObject = { type: "object", properties };
  if (s.open) out["x-kubernetes-preserve-unknown-fields"] = true;
  return out;
}

function definitions(seed: string[], prefix: string): JsonObject {
  const refs: Refs = new Set(seed);
  const out: JsonObject = {};
  const done = new Set<string>();
  let pending = [...refs];
  while (pending.length > 0) {
    for (const name of pending) {
      done.add(name);
      const s = TYPES[name];
      out[schemaName(name)] = s ? structSchema(s, refs, prefix) : { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    }
    pending = [...refs].filter((r) => !done.has(r));
  }
  return out;
}

const QUERY = (name: string, description: string, type = "string"): JsonObject => ({ name, in: "query", description, schema: { type, uniqueItems: true } });
const WRITE_PARAMS: JsonObject[] = [
  QUERY("dryRun", "When present, indicates that modifications should not be persisted."),
  QUERY("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  QUERY("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict."),
];
const PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];
const LIST_PARAMS: JsonObject[] = ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"].map((n) =>
  QUERY(n, n, ["limit", "timeoutSeconds"].includes(n) ? "integer" : ["allowWatchBookmarks", "watch", "sendInitialEvents"].includes(n) ? "boolean" : "string"),
);

function basePath(t: ResourceType): string {
  const root = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  return t.namespaced ? `${root}/namespaces/{namespace}/${t.resource}` : `${root}/${t.resource}`;
}

function gvk(group: string, version: string, kind: string): JsonObject {
  return { group, version, kind };
}

function pathsFor(t: ResourceType, refPrefix: string, v3: boolean): JsonObject {
  const paths: JsonObject = {};
  const kindRef = { $ref: `${refPrefix}${schemaName(t.kind)}` };
  const ok = (schema: Json): JsonObject => (v3 ? { "200": { description: "OK", content: { "application/json": { schema } } } } : { "200": { description: "OK", schema } });
  const op = (action: string, id: string, extra: JsonObject, kind = gvk(t.group, t.version, t.kind)): JsonObject => ({
    operationId: id,
    tags: [t.group ? `${t.group.split(".")[0]}_${t.version}` : `core_${t.version}`],
    ...extra,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": kind,
  });
  const body = (schema: Json, types = ["application/json", "application/yaml"]): JsonObject =>
    v3 ? { requestBody: { content: Object.fromEntries(types.map((c) => [c, { schema }])), required: true } } : { consumes: types, parameters: [{ name: "body", in: "body", required: true, schema }] };
  const withParams = (params: JsonObject[], extra: JsonObject): JsonObject => {
    const p = [...(Array.isArray(extra["parameters"]) ? (extra["parameters"] as JsonObject[]) : []), ...params];
    const v2 = p.map((x): JsonObject => {
      if (x["in"] === "body") return x;
      return { name: x["name"] ?? "", in: x["in"] ?? "query", type: (x["schema"] as JsonObject)["type"] ?? "string", uniqueItems: true };
    });
    return { ...extra, parameters: v3 ? p : v2 };
  };
  const Id = t.kind;
  const ns = t.namespaced ? "Namespaced" : "";
  const collection: JsonObject = {};
  if (t.verbs.includes("list")) collection["get"] = op("list", `list${ns}${Id}`, withParams(LIST_PARAMS, { responses: ok({ type: "object" }) }));
  if (t.verbs.includes("create")) collection["post"] = op("post", `create${ns}${Id}`, withParams(WRITE_PARAMS, { ...body(kindRef), responses: { ...ok(kindRef), "201": { description: "Created" } } }));
  if (t.verbs.includes("deletecollection")) collection["delete"] = op("deletecollection", `deleteCollection${ns}${Id}`, withParams([...LIST_PARAMS, QUERY("dryRun", "dryRun")], { responses: ok({ type: "object" }) }));
  if (Object.keys(collection).length) paths[basePath(t)] = collection;
  const item: JsonObject = {};
  if (t.verbs.includes("get")) item["get"] = op("get", `read${ns}${Id}`, { responses: ok(kindRef) });
  if (t.verbs.includes("update")) item["put"] = op("put", `replace${ns}${Id}`, withParams(WRITE_PARAMS, { ...body(kindRef), responses: ok(kindRef) }));
  if (t.verbs.includes("patch")) {
    item["patch"] = op("patch", `patch${ns}${Id}`, withParams([...WRITE_PARAMS, QUERY("force", "Force is going to \"force\" Apply requests.", "boolean")], { ...body({ type: "object" }, PATCH_TYPES), responses: ok(kindRef) }));
  }
  if (t.verbs.includes("delete")) item["delete"] = op("delete", `delete${ns}${Id}`, withParams([QUERY("dryRun", "dryRun"), QUERY("gracePeriodSeconds", "gracePeriodSeconds", "integer"), QUERY("propagationPolicy", "propagationPolicy")], { responses: ok({ type: "object" }) }));
  if (Object.keys(item).length) paths[`${basePath(t)}/{name}`] = item;
  for (const s of t.subresources) {
    const sub: JsonObject = {};
    const subKind = gvk(s.group ?? t.group, s.version ?? t.version, s.kind);
    const cap = s.name.charAt(0).toUpperCase() + s.name.slice(1);
    if (s.verbs.includes("get")) sub["get"] = op("get", `read${ns}${Id}${cap}`, { responses: ok({ type: "object" }) }, subKind);
    if (s.verbs.includes("create")) sub["post"] = op("post", `create${ns}${Id}${cap}`, withParams(WRITE_PARAMS, { ...body({ type: "object" }), responses: ok({ type: "object" }) }), subKind);
    if (s.verbs.includes("update")) sub["put"] = op("put", `replace${ns}${Id}${cap}`, withParams(WRITE_PARAMS, { ...body({ type: "object" }), responses: ok({ type: "object" }) }), subKind);
    if (s.verbs.includes("patch")) sub["patch"] = op("patch", `patch${ns}${Id}${cap}`, withParams([...WRITE_PARAMS, QUERY("force", "force", "boolean")], { ...body({ type: "object" }, PATCH_TYPES), responses: ok({ type: "object" }) }), subKind);
    paths[`${basePath(t)}/{name}/${s.name}`] = sub;
  }
  return paths;
}

export function openApiV3GroupVersion(group: string, version: string, serverVersion: string): JsonObject | undefined {
  const types = resourcesIn(group, version);
  if (types.length === 0) return undefined;
  const prefix = "#/components/schemas/";
  const paths: JsonObject = {};
  for (const t of types) Object.assign(paths, pathsFor(t, prefix, true));
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: serverVersion },
    paths,
    components: { schemas: definitions(types.map((t) => t.kind), prefix) },
  };
}

function hashOf(doc: JsonObject): string {
  return createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase().slice(0, 128);
}

/** GroupVersion path (e.g. `api/v1`, `apis/apps/v1`) → document, for the v3 root listing. */
export function openApiV3Documents(serverVersion: string): Map<string, JsonObject> {
  const docs = new Map<string, JsonObject>();
  const seen = new Set<string>();
  for (const t of RESOURCE_TYPES) {
    const gv = apiVersionOf(t);
    if (seen.has(gv)) continue;
    seen.add(gv);
    const doc = openApiV3GroupVersion(t.group, t.version, serverVersion);
    if (doc) docs.set(t.group ? `apis/${gv}` : `api/${gv}`, doc);
  }
  return docs;
}

export function openApiV3Root(docs: Map<string, JsonObject>): JsonObject {
  const paths: JsonObject = {};
  for (const [path, doc] of docs) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(doc)}` };
  return { paths };
}

export function openApiV2(serverVersion: string): JsonObject {
  const prefix = "#/definitions/";
  const paths: JsonObject = {};
  const types = RESOURCE_TYPES.filter((t, i, all) => all.findIndex((x) => x.group === t.group && x.resource === t.resource) === i);
  for (const t of types) Object.assign(paths, pathsFor(t, prefix, false));
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: serverVersion },
    paths,
    definitions: definitions(types.map((t) => t.kind), prefix),
  };
}
