// Create-only "review" endpoints that are answered rather than stored:
// SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`kubectl auth can-i --list`),
// SelfSubjectReview (`kubectl auth whoami`) and the ServiceAccount `token` subresource (TokenRequest,
// `kubectl create token`), whose tokens then authenticate as the service account until they expire
// or the service account is deleted.
import { randomBytes } from "node:crypto";
import type { Authenticator, UserInfo } from "./auth.js";
import type { ObjectStore } from "./store.js";
import { apiVersionOf, type ResourceType } from "./resources.js";
import { authorize, rulesFor } from "./rbac.js";
import { badRequest, invalid, invalidValue } from "./status.js";
import { getPath, isObject, str, type Json, type JsonObject } from "./json.js";

function userInfoJson(user: UserInfo): JsonObject {
  const info: JsonObject = { username: user.username, groups: user.groups };
  if (user.uid) info["uid"] = user.uid;
  if (user.extra) info["extra"] = user.extra as unknown as Json;
  return info;
}

export function handleReview(store: ObjectStore, type: ResourceType, body: JsonObject, user: UserInfo): JsonObject {
  const base: JsonObject = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { creationTimestamp: null } };
  switch (type.resource) {
    case "selfsubjectaccessreviews": {
      const spec = isObject(body["spec"]) ? body["spec"] : {};
      const ra = spec["resourceAttributes"];
      const nra = spec["nonResourceAttributes"];
      if (!isObject(ra) && !isObject(nra)) {
        throw invalid("SelfSubjectAccessReview.authorization.k8s.io", "", [{ type: "FieldValueRequired", field: "spec.resourceAttributes", detail: "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified" }], "authorization.k8s.io");
      }
      const decision = isObject(ra)
        ? authorize(store, {
            user,
            verb: str(ra["verb"]),
            resourceRequest: true,
            apiGroup: str(ra["group"]),
            resource: str(ra["resource"]),
            ...(str(ra["subresource"]) ? { subresource: str(ra["subresource"]) } : {}),
            ...(str(ra["name"]) ? { name: str(ra["name"]) } : {}),
            ...(str(ra["namespace"]) ? { namespace: str(ra["namespace"]) } : {}),
          })
        : authorize(store, { user, verb: str((nra as JsonObject)["verb"]), resourceRequest: false, path: str((nra as JsonObject)["path"]) });
      const status: JsonObject = { allowed: decision.allowed };
      if (decision.reason) status["reason"] = decision.reason;
      return { ...base, spec, status };
    }
    case "selfsubjectrulesreviews": {
      const spec = isObject(body["spec"]) ? body["spec"] : {};
      const namespace = str(spec["namespace"]);
      let resourceRules: JsonObject[] = [];
      let nonResourceRules: JsonObject[] = [];
      if (user.groups.includes("system:masters")) {
        resourceRules = [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }];
        nonResourceRules = [{ verbs: ["*"], nonResourceURLs: ["*"] }];
      }
      for (const bound of rulesFor(store, user, namespace || undefined)) {
        for (const rule of bound.rules) {
          if (Array.isArray(rule["nonResourceURLs"]) && rule["nonResourceURLs"].length > 0) nonResourceRules.push({ verbs: rule["verbs"] ?? [], nonResourceURLs: rule["nonResourceURLs"] });
          else {
            const r: JsonObject = { verbs: rule["verbs"] ?? [], apiGroups: rule["apiGroups"] ?? [], resources: rule["resources"] ?? [] };
            if (Array.isArray(rule["resourceNames"])) r["resourceNames"] = rule["resourceNames"];
            resourceRules.push(r);
          }
        }
      }
      return { ...base, spec, status: { resourceRules, nonResourceRules, incomplete: false } };
    }
    case "selfsubjectreviews":
      return { ...base, status: { userInfo: userInfoJson(user) } };
  }
  throw badRequest(`unsupported review ${type.resource}`);
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

export function handleTokenRequest(auth: Authenticator, sa: JsonObject, body: JsonObject, dryRun: boolean): JsonObject {
  const spec = isObject(body["spec"]) ? structuredClone(body["spec"]) : {};
  const name = str(getPath(sa, ["metadata", "name"]));
  const namespace = str(getPath(sa, ["metadata", "namespace"]));
  const uid = str(getPath(sa, ["metadata", "uid"]));
  const requested = spec["expirationSeconds"];
  const expirationSeconds = typeof requested === "number" ? requested : 3600;
  if (expirationSeconds < 600) {
    throw invalid("TokenRequest.authentication.k8s.io", name, [invalidValue("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes")], "authentication.k8s.io");
  }
  if (expirationSeconds > 2 ** 32) {
    throw invalid("TokenRequest.authentication.k8s.io", name, [invalidValue("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds")], "authentication.k8s.io");
  }
  const audiences = Array.isArray(spec["audiences"]) && spec["audiences"].length > 0 ? spec["audiences"].map(str) : ["https://kubernetes.default.svc.cluster.local"];
  spec["audiences"] = audiences;
  spec["expirationSeconds"] = expirationSeconds;
  if (spec["boundObjectRef"] === undefined) spec["boundObjectRef"] = null;
  const now = Math.floor(Date.now() / 1000);
  const exp = now + expirationSeconds;
  const username = `system:serviceaccount:${namespace}:${name}`;
  const header = base64url(JSON.stringify({ alg: "RS256", kid: "chaperone-test-cluster" }));
  const payload = base64url(
    JSON.stringify({
      aud: audiences,
      exp,
      iat: now,
      iss: "https://kubernetes.default.svc.cluster.local",
      jti: randomBytes(16).toString("hex"),
      "kubernetes.io": { namespace, serviceaccount: { name, uid } },
      nbf: now,
      sub: username,
    }),
  );
  const token = `${header}.${payload}.${base64url(randomBytes(64))}`;
  if (!dryRun) {
    auth.addToken(token, username, ["system:serviceaccounts", `system:serviceaccounts:${namespace}`], { expiresAt: exp * 1000, boundTo: { namespace, name, uid } }, uid);
  }
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace, creationTimestamp: null },
    spec,
    status: { token: dryRun ? "" : token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") },
  };
}
