import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { fallbackMasker } from "./body-masker.js";
import { newGatewayRequest } from "../gateway/gateway-request.js";
import { classifyRequest, type RequestInfo } from "../gateway/request-info.js";

function request(method: string, url: string) {
  const r = newGatewayRequest({ method, url, headers: {} } as unknown as IncomingMessage, false, new AbortController().signal);
  r.info = classifyRequest(method, url) as RequestInfo;
  return r;
}

test("until the masking issue's masker is set, Secret values and last-applied manifests stay out of the log", () => {
  const secret = {
    kind: "Secret",
    metadata: { name: "db", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"aHVudGVyMg=="}}' } },
    data: { password: "aHVudGVyMg==" },
    stringData: { token: "t0ken" },
  };
  const masked = fallbackMasker(secret, { request: request("POST", "/api/v1/namespaces/default/secrets"), direction: "request" });
  assert.deepEqual((masked.object as typeof secret).data, { password: "***" });
  assert.deepEqual((masked.object as typeof secret).stringData, { token: "***" });
  assert.equal((masked.object as typeof secret).metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"], "***");
  assert.deepEqual(masked.masked.sort(), ["data.password", "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration", "stringData.token"]);
  assert.equal(secret.data.password, "aHVudGVyMg==", "the request's own object is untouched");

  const patch = fallbackMasker({ data: { password: "x" } }, { request: request("PATCH", "/api/v1/namespaces/default/secrets/db"), direction: "request" });
  assert.deepEqual(patch.object, { data: { password: "***" } });
  const jsonPatch = fallbackMasker([{ op: "replace", path: "/data/password", value: "x" }], { request: request("PATCH", "/api/v1/namespaces/default/secrets/db"), direction: "request" });
  assert.deepEqual(jsonPatch.object, [{ op: "replace", path: "/data/password", value: "***" }]);
  const configMap = fallbackMasker({ kind: "ConfigMap", data: { mode: "one" } }, { request: request("POST", "/api/v1/namespaces/default/configmaps"), direction: "request" });
  assert.deepEqual(configMap.object, { kind: "ConfigMap", data: { mode: "one" } });
});
