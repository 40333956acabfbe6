// HTTP handling for resource paths (/api/v1/..., /apis/G/V/...): request-info parsing as in
// k8s.io/apiserver's RequestInfoFactory, then get/list/watch/create/update/patch/delete/deletecollection
// with the query options kubectl and client-go use.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, invalid, methodNotAllowed, pathNotFound, successStatus, unsupportedMediaType, forbiddenField, notSupported } from "./status.js";
import { getPath, isObject, metadataOf, str, type Json, type JsonObject } from "./json.js";
import { apiVersionOf, findResource, storageKey, type ResourceType } from "./resources.js";
import { ObjectStore } from "./store.js";
import { Registry, withTypeMeta, type WriteOptions } from "./registry.js";
import { decodeObjectBody, mediaTypeOf, negotiateOutput, outputContentType, readBody, sendBody, warningHeader, type Output } from "./negotiation.js";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectableFields, validateFieldSelector } from "./selectors.js";
import { partialMetadata, toTable, type IncludeObject } from "./table.js";
import { serveWatch } from "./watch.js";
import { decodeChecks, type FieldValidation } from "./validation.js";
import { applyJsonPatch } from "./json-patch.js";
import { applyMergePatch } from "./merge-patch.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";
import { typeForKind } from "./schema.js";
import type { PodLogs } from "./logs.js";
import type { UserInfo } from "./auth.js";
import { handleReview, handleTokenRequest } from "./reviews.js";
import type { Authenticator } from "./auth.js";
import { parse as parseYaml } from "yaml";

export interface RequestInfo {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy /watch/ path prefix. */
  watchPrefix: boolean;
}

/** Splits a resource path; undefined for anything that is not one (discovery roots are handled elsewhere). */
export function parseResourcePath(pathname: string): RequestInfo | undefined {
  const parts = pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1] ?? "";
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1] ?? "";
    version = parts[2] ?? "";
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (rest[0] === "watch") {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 2) {
    namespace = rest[1];
    if (rest.length > 2 && rest[2] !== "status" && rest[2] !== "finalize") rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const info: RequestInfo = { group, version, resource: rest[0] ?? "", watchPrefix };
  if (namespace !== undefined) info.namespace = namespace;
  if (rest[1] !== undefined) info.name = rest[1];
  if (rest[2] !== undefined) info.subresource = rest[2];
  return info;
}

export function verbOf(method: string, info: RequestInfo, query: URLSearchParams): string {
  const watch = info.watchPrefix || query.get("watch") === "true" || query.get("watch") === "1";
  switch (method) {
    case "GET":
    case "HEAD":
      if (watch) return "watch";
      return info.name === undefined ? "list" : "get";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return info.name === undefined ? "deletecollection" : "delete";
    default:
      return method.toLowerCase();
  }
}

export interface ApiContext {
  store: ObjectStore;
  registry: Registry;
  logs: PodLogs;
  auth: Authenticator;
  registerStream(close: () => void): () => void;
}

export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  type: ResourceType;
  query: URLSearchParams;
  user: UserInfo;
  verb: string;
}

function dryRunOf(query: URLSearchParams, body?: JsonObject): boolean {
  const values = [...query.getAll("dryRun"), ...(Array.isArray(body?.["dryRun"]) ? (body["dryRun"] as Json[]).map(str) : [])];
  for (const v of values) if (v !== "All") throw invalid("CreateOptions.meta.k8s.io", "", [notSupported("dryRun", v, ["All"])]);
  return values.length > 0;
}

function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get("fieldValidation") ?? "";
  if (v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

function managerOf(req: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get("fieldManager");
  if (explicit) {
    if (explicit.length > 128) throw invalid("UpdateOptions.meta.k8s.io", "", [{ type: "FieldValueTooLong", field: "fieldManager", detail: "Too long: may not be longer than 128" }]);
    return explicit;
  }
  const ua = req.headers["user-agent"] ?? "";
  return ua.split("/")[0] || "unknown";
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get("includeObject");
  if (v === "None" || v === "Object" || v === "Metadata") return v;
  if (v === null || v === "") return "Metadata";
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

function respondObject(r: ApiRequest, code: number, obj: JsonObject, output: Output, warnings: string[] = []): void {
  let body: Json = obj;
  if (output.kind === "table") {
    body = toTable(r.type, [obj], {
      includeObject: includeObjectOf(r.query),
      apiVersion: `meta.k8s.io/${output.version}`,
      listMeta: { resourceVersion: str(getPath(obj, ["metadata", "resourceVersion"])) },
    });
  } else if (output.kind === "partial") {
    body = partialMetadata(obj, `meta.k8s.io/${output.version}`);
  }
  sendBody(r.res, code, body, outputContentType(output), warningHeader(warnings));
}

/** The output for writes: no Table transformation, but YAML/JSON negotiation applies. */
function writeOutput(req: IncomingMessage): Output {
  const o = negotiateOutput(req.headers.accept, false);
  return o;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv !== "number" || typeof parsed.start !== "string") throw new Error("bad token");
    return { rv: parsed.rv, start: parsed.start.replace(/\u0000$/, "") };
  } catch {
    throw badRequest("continue key is not valid: illegal base64 data at input byte 0");
  }
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: t.rv, start: `${t.start}\u0000` })).toString("base64url");
}

function objectKey(obj: JsonObject): string {
  return ObjectStore.key(str(getPath(obj, ["metadata", "namespace"])) || undefined, str(getPath(obj, ["metadata", "name"])));
}

function selectedObjects(ctx: ApiContext, r: ApiRequest): JsonObject[] {
  const bucket = storageKey(r.type);
  const labels = parseLabelSelector(r.query.get("labelSelector"));
  const fields = parseFieldSelector(r.query.get("fieldSelector"));
  validateFieldSelector(bucket, fields);
  return ctx.store
    .list(bucket, r.type.namespaced ? r.info.namespace : undefined)
    .filter((o) => matchesLabels(labels, getPath(o, ["metadata", "labels"]) as Record<string, unknown> | undefined) && matchesFields(fields, selectableFields(bucket, o)));
}

function handleList(ctx: ApiContext, r: ApiRequest): void {
  const output = negotiateOutput(r.req.headers.accept, true);
  let items = selectedObjects(ctx, r);
  const token = r.query.get("continue");
  let rv = ctx.store.resourceVersion;
  if (token) {
    const decoded = decodeContinue(token);
    rv = decoded.rv;
    items = items.filter((o) => objectKey(o) > decoded.start);
  }
  const limit = Number(r.query.get("limit") ?? 0);
  const listMeta: JsonObject = { resourceVersion: String(rv) };
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    listMeta["continue"] = encodeContinue({ rv, start: objectKey(items[items.length - 1] as JsonObject) });
    if (!r.query.get("labelSelector") && !r.query.get("fieldSelector")) listMeta["remainingItemCount"] = remaining;
  }
  let body: Json;
  if (output.kind === "table") {
    body = toTable(r.type, items.map((o) => withTypeMeta(r.type, o)), { includeObject: includeObjectOf(r.query), apiVersion: `meta.k8s.io/${output.version}`, listMeta });
  } else if (output.kind === "partial") {
    body = {
      kind: "PartialObjectMetadataList",
      apiVersion: `meta.k8s.io/${output.version}`,
      metadata: listMeta,
      items: items.map((o) => partialMetadata(o, `meta.k8s.io/${output.version}`)),
    };
  } else {
    // Items of a typed list carry no kind/apiVersion on the wire; clients infer them from the list.
    body = {
      kind: r.type.listKind,
      apiVersion: apiVersionOf(r.type),
      metadata: listMeta,
      items: items.map((o) => {
        const { kind: _k, apiVersion: _a, ...rest } = o;
        return rest;
      }),
    };
  }
  sendBody(r.res, 200, body, outputContentType(output));
}

function handleWatch(ctx: ApiContext, r: ApiRequest): void {
  const output = negotiateOutput(r.req.headers.accept, true);
  const bucket = storageKey(r.type);
  const fields = parseFieldSelector(r.query.get("fieldSelector"));
  validateFieldSelector(bucket, fields);
  const timeout = r.query.get("timeoutSeconds");
  const rv = r.query.get("resourceVersion");
  serveWatch(
    ctx.store,
    r.req,
    r.res,
    {
      type: r.type,
      ...(r.type.namespaced && r.info.namespace !== undefined ? { namespace: r.info.namespace } : {}),
      labels: parseLabelSelector(r.query.get("labelSelector")),
      fields,
      ...(rv !== null ? { resourceVersion: rv } : {}),
      sendInitialEvents: r.query.get("sendInitialEvents") === "true",
      allowBookmarks: r.query.get("allowWatchBookmarks") === "true",
      ...(timeout !== null && Number(timeout) > 0 ? { timeoutSeconds: Number(timeout) } : {}),
      output,
      includeObject: includeObjectOf(r.query),
    },
    ctx.registerStream,
  );
}

async function readObject(r: ApiRequest): Promise<JsonObject> {
  const body = await readBody(r.req);
  return decodeObjectBody(body, mediaTypeOf(r.req));
}

/** Checks apiVersion/kind in a body against the endpoint's (missing ones are defaulted, like the server's decoder). */
function checkTypeMeta(type: ResourceType, obj: JsonObject, expectedKind = type.kind, expectedApiVersion = apiVersionOf(type)): void {
  const apiVersion = obj["apiVersion"];
  const kind = obj["kind"];
  if (apiVersion !== undefined && apiVersion !== expectedApiVersion) {
    throw badRequest(`the API version in the data (${str(apiVersion)}) does not match the expected API version (${expectedApiVersion})`);
  }
  if (kind !== undefined && kind !== expectedKind) {
    throw badRequest(`${str(kind)} in version "${expectedApiVersion.split("/").pop() ?? ""}" cannot be handled as a ${expectedKind}: no kind "${str(kind)}" is registered for version "${expectedApiVersion}"`);
  }
}

function writeOptions(r: ApiRequest, body?: JsonObject): WriteOptions {
  const options: WriteOptions = { manager: managerOf(r.req, r.query), dryRun: dryRunOf(r.query, body) };
  if (r.info.subresource) options.subresource = r.info.subresource;
  return options;
}

async function handleCreate(ctx: ApiContext, r: ApiRequest): Promise<void> {
  if (r.type.virtual) {
    const body = await readObject(r);
    checkTypeMeta(r.type, body);
    const result = handleReview(ctx.store, r.type, body, r.user);
    sendBody(r.res, 201, result);
    return;
  }
  const body = await readObject(r);
  checkTypeMeta(r.type, body);
  const warnings = decodeChecks(r.type, body, fieldValidationOf(r.query));
  const created = ctx.registry.create(r.type, r.info.namespace, body, writeOptions(r));
  respondObject(r, 201, created, writeOutput(r.req), warnings);
}

async function handleUpdate(ctx: ApiContext, r: ApiRequest): Promise<void> {
  const body = await readObject(r);
  checkTypeMeta(r.type, body);
  const warnings = decodeChecks(r.type, body, fieldValidationOf(r.query));
  const { object, created } = ctx.registry.update(r.type, r.info.namespace, r.info.name ?? "", body, writeOptions(r));
  respondObject(r, created ? 201 : 200, object, writeOutput(r.req), warnings);
}

const PATCH_MEDIA = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

function applyNonApplyPatch(mediaType: string, type: ResourceType, current: JsonObject, raw: Buffer): JsonObject {
  let patch: unknown;
  try {
    patch = JSON.parse(raw.toString("utf8") || "null");
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  let result: Json;
  if (mediaType === "application/json-patch+json") {
    result = applyJsonPatch(current, patch);
  } else {
    if (!isObject(patch)) throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch} into Go value of type map[string]interface {}`);
    result = mediaType === "application/merge-patch+json" ? applyMergePatch(current, patch) : applyStrategicMergePatch(current, patch, typeForKind(type.kind));
  }
  if (!isObject(result)) throw badRequest("the patch produced a value that is not an object");
  return result;
}

async function handlePatch(ctx: ApiContext, r: ApiRequest): Promise<void> {
  const mediaType = mediaTypeOf(r.req);
  if (!PATCH_MEDIA.includes(mediaType)) throw unsupportedMediaType(mediaType);
  const raw = await readBody(r.req);
  const name = r.info.name ?? "";
  const isApply = mediaType === "application/apply-patch+yaml";
  const forceParam = r.query.get("force");
  if (!isApply && forceParam !== null) throw invalid("PatchOptions.meta.k8s.io", "", [forbiddenField("force", "may not be specified for non-apply patch")]);
  const validation = fieldValidationOf(r.query);
  if (isApply) {
    if (!r.query.get("fieldManager")) {
      throw invalid("PatchOptions.meta.k8s.io", "", [{ type: "FieldValueRequired", field: "fieldManager", detail: "Required value: is required for apply patch" }]);
    }
    let config: unknown;
    try {
      config = parseYaml(raw.toString("utf8"));
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!isObject(config)) throw badRequest("error decoding patch: the patch is not an object");
    if (config["apiVersion"] === undefined || config["kind"] === undefined) throw badRequest(`Object 'Kind' is missing in '${raw.toString("utf8")}'`);
    checkTypeMeta(r.type, config);
    const warnings = decodeChecks(r.type, config, validation);
    const { object, created } = ctx.registry.apply(r.type, r.info.namespace, name, config, {
      ...writeOptions(r),
      manager: r.query.get("fieldManager") ?? "",
      force: forceParam === "true",
    });
    respondObject(r, created ? 201 : 200, object, writeOutput(r.req), warnings);
    return;
  }
  const current = ctx.registry.get(r.type, r.info.namespace, name);
  const patched = applyNonApplyPatch(mediaType, r.type, current, raw);
  const warnings = decodeChecks(r.type, patched, validation);
  // A patch carries the resourceVersion precondition only if it sets one explicitly.
  const patchedMeta = metadataOf(patched);
  if (str(patchedMeta["resourceVersion"]) === str(getPath(current, ["metadata", "resourceVersion"]))) delete patchedMeta["resourceVersion"];
  const { object } = ctx.registry.update(r.type, r.info.namespace, name, patched, writeOptions(r));
  respondObject(r, 200, object, writeOutput(r.req), warnings);
}

async function deleteOptionsOf(r: ApiRequest): Promise<JsonObject> {
  const raw = await readBody(r.req);
  if (raw.length === 0 || raw.toString("utf8").trim() === "") return {};
  const body = decodeObjectBody(raw, mediaTypeOf(r.req));
  return body;
}

/** Kinds whose registry returns the deleted object instead of a Status (ReturnDeletedObject). */
function returnsDeletedObject(type: ResourceType): boolean {
  return type.group === "" && ["pods", "services", "namespaces"].includes(type.resource);
}

async function handleDelete(ctx: ApiContext, r: ApiRequest): Promise<void> {
  const body = await deleteOptionsOf(r);
  const preconditions = isObject(body["preconditions"]) ? body["preconditions"] : {};
  const policy = str(body["propagationPolicy"]) || r.query.get("propagationPolicy") || undefined;
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw invalid("DeleteOptions.meta.k8s.io", "", [notSupported("propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"])]);
  }
  const dryRun = dryRunOf(r.query, body);
  const name = r.info.name ?? "";
  const deleted = ctx.registry.delete(r.type, r.info.namespace, name, {
    dryRun,
    ...(policy ? { propagationPolicy: policy } : {}),
    preconditions: {
      ...(typeof preconditions["uid"] === "string" ? { uid: preconditions["uid"] } : {}),
      ...(typeof preconditions["resourceVersion"] === "string" ? { resourceVersion: preconditions["resourceVersion"] } : {}),
    },
  });
  const stillThere = ctx.store.has(storageKey(r.type), r.type.namespaced ? r.info.namespace : undefined, name);
  if (returnsDeletedObject(r.type) || stillThere) {
    respondObject(r, stillThere && !dryRun ? 202 : 200, deleted, writeOutput(r.req));
    return;
  }
  sendBody(r.res, 200, successStatus(r.type.group, r.type.resource, name, str(getPath(deleted, ["metadata", "uid"]))) as Json);
}

async function handleDeleteCollection(ctx: ApiContext, r: ApiRequest): Promise<void> {
  const body = await deleteOptionsOf(r);
  const dryRun = dryRunOf(r.query, body);
  const policy = str(body["propagationPolicy"]) || r.query.get("propagationPolicy") || undefined;
  const deleted: Json[] = [];
  for (const obj of selectedObjects(ctx, r)) {
    try {
      const d = ctx.registry.delete(r.type, str(getPath(obj, ["metadata", "namespace"])) || undefined, str(getPath(obj, ["metadata", "name"])), {
        dryRun,
        ...(policy ? { propagationPolicy: policy } : {}),
      });
      const { kind: _k, apiVersion: _a, ...rest } = d;
      deleted.push(rest);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }
  sendBody(r.res, 200, { kind: r.type.listKind, apiVersion: apiVersionOf(r.type), metadata: { resourceVersion: String(ctx.store.resourceVersion) }, items: deleted });
}

function scaleOf(type: ResourceType, obj: JsonObject): JsonObject {
  const selector = getPath(obj, ["spec", "selector", "matchLabels"]);
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: str(getPath(obj, ["metadata", "name"])),
      namespace: str(getPath(obj, ["metadata", "namespace"])),
      uid: str(getPath(obj, ["metadata", "uid"])),
      resourceVersion: str(getPath(obj, ["metadata", "resourceVersion"])),
      creationTimestamp: str(getPath(obj, ["metadata", "creationTimestamp"])),
    },
    spec: { replicas: Number(getPath(obj, ["spec", "replicas"]) ?? 1) },
    status: {
      replicas: Number(getPath(obj, ["status", "replicas"]) ?? 0),
      selector: isObject(selector)
        ? Object.entries(selector)
            .map(([k, v]) => `${k}=${str(v)}`)
            .join(",")
        : "",
    },
  };
}

async function handleScale(ctx: ApiContext, r: ApiRequest): Promise<void> {
  const name = r.info.name ?? "";
  const current = ctx.registry.get(r.type, r.info.namespace, name);
  if (r.verb === "get") {
    sendBody(r.res, 200, scaleOf(r.type, current));
    return;
  }
  let scale: JsonObject;
  if (r.verb === "update") {
    scale = await readObject(r);
    checkTypeMeta(r.type, scale, "Scale", "autoscaling/v1");
  } else if (r.verb === "patch") {
    const mediaType = mediaTypeOf(r.req);
    if (!PATCH_MEDIA.includes(mediaType) || mediaType === "application/apply-patch+yaml") throw unsupportedMediaType(mediaType);
    scale = applyNonApplyPatch(mediaType, r.type, scaleOf(r.type, current), await readBody(r.req));
  } else {
    throw methodNotAllowed();
  }
  const replicas = getPath(scale, ["spec", "replicas"]);
  if (typeof replicas !== "number" || replicas < 0) throw invalid("Scale.autoscaling", name, [{ type: "FieldValueInvalid", field: "spec.replicas", detail: `Invalid value: ${String(replicas)}: must be greater than or equal to 0` }], "autoscaling");
  const rv = str(getPath(scale, ["metadata", "resourceVersion"]));
  const next = structuredClone(current);
  (next["spec"] as JsonObject)["replicas"] = replicas;
  metadataOf(next)["resourceVersion"] = r.verb === "update" ? rv : "";
  const options = writeOptions(r);
  const { object } = ctx.registry.update(r.type, r.info.namespace, name, next, options);
  sendBody(r.res, 200, scaleOf(r.type, object));
}

async function handleSubresource(ctx: ApiContext, r: ApiRequest): Promise<void> {
  const sub = r.info.subresource ?? "";
  const declared = r.type.subresources.find((s) => s.name === sub);
  if (!declared) throw pathNotFound();
  const name = r.info.name ?? "";
  const key = `${r.type.group}/${r.type.resource}/${sub}`;
  if (!declared.verbs.includes(r.verb)) throw methodNotAllowed();
  switch (key) {
    case "/pods/log": {
      const pod = ctx.registry.get(r.type, r.info.namespace, name);
      ctx.logs.serve(r.req, r.res, pod, r.query);
      return;
    }
    case "/pods/exec":
    case "/pods/attach":
    case "/pods/portforward":
      ctx.registry.get(r.type, r.info.namespace, name);
      throw badRequest("Upgrade request required");
    case "/pods/eviction": {
      await readBody(r.req);
      ctx.registry.delete(r.type, r.info.namespace, name, { dryRun: dryRunOf(r.query) });
      sendBody(r.res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
      return;
    }
    case "/pods/binding": {
      const binding = await readObject(r);
      const pod = ctx.registry.get(r.type, r.info.namespace, name);
      (pod["spec"] as JsonObject)["nodeName"] = str(getPath(binding, ["target", "name"]));
      metadataOf(pod)["resourceVersion"] = "";
      ctx.registry.update(r.type, r.info.namespace, name, pod, { ...writeOptions(r), subresource: "binding" });
      sendBody(r.res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
      return;
    }
    case "/serviceaccounts/token": {
      const body = await readObject(r);
      const sa = ctx.registry.get(r.type, r.info.namespace, name);
      const result = handleTokenRequest(ctx.auth, sa, body, dryRunOf(r.query));
      sendBody(r.res, 201, result);
      return;
    }
    case "apps/deployments/scale":
    case "apps/replicasets/scale":
      await handleScale(ctx, r);
      return;
  }
  // status / finalize: the object itself, written through the subresource's strategy.
  if (r.verb === "get") {
    respondObject(r, 200, ctx.registry.get(r.type, r.info.namespace, name), negotiateOutput(r.req.headers.accept, true));
    return;
  }
  if (r.verb === "update") {
    await handleUpdate(ctx, r);
    return;
  }
  if (r.verb === "patch") {
    await handlePatch(ctx, r);
    return;
  }
  throw methodNotAllowed();
}

export async function handleResourceRequest(ctx: ApiContext, r: ApiRequest): Promise<void> {
  if (r.info.subresource !== undefined) {
    if (r.info.name === undefined) throw pathNotFound();
    await handleSubresource(ctx, r);
    return;
  }
  if (!r.type.verbs.includes(r.verb)) throw methodNotAllowed();
  switch (r.verb) {
    case "get":
      respondObject(r, 200, ctx.registry.get(r.type, r.info.namespace, r.info.name ?? ""), negotiateOutput(r.req.headers.accept, true));
      return;
    case "list":
      handleList(ctx, r);
      return;
    case "watch":
      if (r.info.name !== undefined) {
        // A watch on a single object: the legacy /watch/.../NAME form.
        r.query.set("fieldSelector", [r.query.get("fieldSelector"), `metadata.name=${r.info.name}`].filter(Boolean).join(","));
      }
      handleWatch(ctx, r);
      return;
    case "create":
      if (r.info.name !== undefined) throw methodNotAllowed();
      await handleCreate(ctx, r);
      return;
    case "update":
      if (r.info.name === undefined) throw methodNotAllowed();
      await handleUpdate(ctx, r);
      return;
    case "patch":
      if (r.info.name === undefined) throw methodNotAllowed();
      await handlePatch(ctx, r);
      return;
    case "delete":
      await handleDelete(ctx, r);
      return;
    case "deletecollection":
      await handleDeleteCollection(ctx, r);
      return;
    default:
      throw methodNotAllowed();
  }
}

export function resolveType(info: RequestInfo): ResourceType {
  const type = findResource(info.group, info.version, info.resource);
  if (!type) throw pathNotFound();
  if (type.namespaced && info.namespace === undefined && info.name !== undefined) throw pathNotFound();
  if (!type.namespaced && info.namespace !== undefined && !(type.resource === "namespaces")) throw pathNotFound();
  return type;
}
