// API discovery, both forms client-go speaks:
// - legacy: /api (APIVersions), /apis (APIGroupList), /api/v1 and /apis/G/V (APIResourceList);
// - aggregated (apidiscovery.k8s.io v2 and v2beta1), returned for /api and /apis when the Accept header
//   asks for `as=APIGroupDiscoveryList`: kubectl 1.27 asks for v2beta1, 1.30+ for v2 then v2beta1.
// A client that gets a plain APIGroupList falls back to per-group requests, so both paths stay correct.
import { apiGroups, resourcesIn, type ResourceType } from "./resources.js";
import { parseAccept } from "./negotiation.js";
import type { Json, JsonObject } from "./json.js";

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

export function versionInfo(gitVersion: string): JsonObject {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "32",
    emulationMajor: m?.[1] ?? "1",
    emulationMinor: m?.[2] ?? "32",
    minCompatibilityMajor: m?.[1] ?? "1",
    minCompatibilityMinor: String(Math.max(0, Number(m?.[2] ?? 32) - 1)),
    gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-01-01T00:00:00Z",
    goVersion: "go1.23.4",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(): JsonObject {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: apiGroups().map((g) => apiGroup(g.name) as Json),
  };
}

export function apiGroup(name: string): JsonObject | undefined {
  const g = apiGroups().find((x) => x.name === name);
  if (!g) return undefined;
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${g.preferredVersion}`, version: g.preferredVersion },
  };
}

export function apiResourceList(group: string, version: string): JsonObject | undefined {
  const types = resourcesIn(group, version);
  if (types.length === 0) return undefined;
  const resources: Json[] = [];
  for (const t of types) {
    const entry: JsonObject = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames.length) entry["shortNames"] = t.shortNames;
    if (t.categories.length) entry["categories"] = t.categories;
    entry["storageVersionHash"] = Buffer.from(`${group}/${version}/${t.kind}`).toString("base64").slice(0, 11);
    resources.push(entry);
    for (const s of t.subresources) {
      const sub: JsonObject = { name: `${t.resource}/${s.name}`, singularName: "", namespaced: t.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) sub["group"] = s.group;
      if (s.version !== undefined) sub["version"] = s.version;
      resources.push(sub);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

function resourceDiscovery(t: ResourceType): JsonObject {
  const entry: JsonObject = {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) entry["shortNames"] = t.shortNames;
  if (t.categories.length) entry["categories"] = t.categories;
  if (t.subresources.length) {
    entry["subresources"] = t.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? t.group, version: s.version ?? t.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return entry;
}

function groupDiscovery(name: string, versions: string[]): JsonObject {
  return {
    metadata: name === "" ? { creationTimestamp: null } : { name, creationTimestamp: null },
    versions: versions.map((v) => ({ version: v, resources: resourcesIn(name, v).map(resourceDiscovery), freshness: "Current" })),
  };
}

/** The aggregated discovery version the client asked for, if any (v2 preferred in the client's order). */
export function aggregatedVersionRequested(accept: string | undefined): "v2" | "v2beta1" | undefined {
  for (const r of parseAccept(accept)) {
    if (r.params["as"] !== "APIGroupDiscoveryList" || r.params["g"] !== "apidiscovery.k8s.io") continue;
    if (r.params["v"] === "v2" || r.params["v"] === "v2beta1") return r.params["v"];
  }
  return undefined;
}

export function aggregatedDiscovery(core: boolean, version: "v2" | "v2beta1"): JsonObject {
  const items = core ? [groupDiscovery("", ["v1"])] : apiGroups().map((g) => groupDiscovery(g.name, g.versions));
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function aggregatedContentType(version: "v2" | "v2beta1"): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
