import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { classifyRequest, type RequestInfo } from "../gateway/request-info.js";
import { MaskingService, objectPath, secretsReferencedBy } from "./masking-service.js";
import { DEFAULT_MASKING, resolveMasking } from "./masking-settings.js";

const service = new MaskingService({ key: randomBytes(32) });

function info(method: string, url: string): RequestInfo {
  const classified = classifyRequest(method, url);
  assert.notEqual(classified.kind, "refused");
  return classified as RequestInfo;
}

test("the plan: untouched for what cannot hold a secret, JSON for objects, text for logs, the wire for exec", () => {
  const plan = (method: string, url: string, upgrade = false, settings = DEFAULT_MASKING) => service.planFor(info(method, url), upgrade, settings, []);
  for (const url of ["/api/v1/namespaces/default/events", "/api/v1/nodes", "/api/v1/namespaces", "/apis/coordination.k8s.io/v1/namespaces/x/leases", "/version", "/apis/apps/v1/namespaces/x/deployments/d/scale"]) {
    assert.equal(plan("GET", url).kind, "none", url);
  }
  const json = (url: string, method = "GET") => {
    const result = plan(method, url);
    assert.equal(result.kind, "mask", url);
    return result.kind === "mask" ? result.response : null;
  };
  assert.equal(json("/api/v1/namespaces/x/secrets")?.kind, "json");
  assert.equal(json("/api/v1/namespaces/x/secrets/s", "PATCH")?.kind, "json");
  assert.equal(json("/api/v1/namespaces/x/configmaps?watch=true")?.root?.label, "event");
  assert.equal(json("/apis/example.com/v1/namespaces/x/widgets")?.kind, "json");
  assert.equal(json("/api/v1/namespaces/x/serviceaccounts/default/token", "POST")?.kind, "json");
  const logs = plan("GET", "/api/v1/namespaces/x/pods/p/log?follow=true");
  assert.ok(logs.kind === "mask" && logs.response.kind === "text" && logs.learnPod?.name === "p");
  const exec = plan("GET", "/api/v1/namespaces/x/pods/p/exec?command=env&stdout=true", true);
  assert.ok(exec.kind === "mask" && exec.response.kind === "exec");
  const forward = plan("GET", "/api/v1/namespaces/x/pods/p/portforward?ports=8080", true);
  assert.ok(forward.kind === "mask" && forward.response.kind === "exec" && forward.learnPod?.name === "p");
  assert.equal(plan("GET", "/api/v1/namespaces/x/pods/p/portforward", true, resolveMasking({ exec: false }, DEFAULT_MASKING, []).settings).kind, "none");
  const ws = plan("GET", "/api/v1/namespaces/x/secrets?watch=true", true);
  assert.ok(ws.kind === "refuse" && /over a WebSocket cannot be masked/.test(ws.message));
  const off = resolveMasking({ logs: false, exec: false }, DEFAULT_MASKING, []).settings;
  assert.equal(plan("GET", "/api/v1/namespaces/x/pods/p/log", false, off).kind, "none");
  assert.equal(plan("GET", "/api/v1/namespaces/x/secrets", false, resolveMasking(false, DEFAULT_MASKING, []).settings).kind, "none");
});

test("records are masked in full: request objects, JSON patches, response lists and text", () => {
  const masked: string[] = [];
  const write = service.maskObjectForRecord(info("POST", "/api/v1/namespaces/x/secrets"), { kind: "Secret", stringData: { token: "record-me-not" } }, "application/json", masked);
  assert.match(JSON.stringify(write), /chaperone-masked-/);
  assert.deepEqual(masked, ["stringData.token"]);
  const patch = service.maskObjectForRecord(
    info("PATCH", "/apis/apps/v1/namespaces/x/deployments/d"),
    [
      { op: "replace", path: "/spec/template/spec/containers/0/env/0/value", value: "patched-env-value" },
      { op: "replace", path: "/spec/replicas", value: 3 },
    ],
    "application/json-patch+json",
  ) as { value: unknown }[];
  assert.match(String(patch[0]?.value), /^chaperone-masked-/);
  assert.equal(patch[1]?.value, 3);
  const list = service.maskBodyForRecord(
    info("GET", "/api/v1/namespaces/x/secrets"),
    Buffer.from(JSON.stringify({ kind: "SecretList", items: [{ data: { k: Buffer.from("listed-value").toString("base64") } }] })),
    "application/json",
    "response",
  );
  assert.ok(list && !list.includes(Buffer.from("listed-value").toString("base64")));
  assert.equal(service.maskBodyForRecord(info("GET", "/api/v1/namespaces/x/secrets"), Buffer.from([0x6b, 0x38, 0x73, 0]), "application/vnd.kubernetes.protobuf", "response"), null);
  const log = service.maskBodyForRecord(info("GET", "/api/v1/namespaces/x/pods/p/log"), Buffer.from("said listed-value\n"), "text/plain", "response");
  assert.match(log?.toString() ?? "", /^said chaperone-masked-[a-z2-7]{22}\n$/);
});

test("a pod's Secrets are found in env, envFrom and volumes; an object's path drops the subresource", () => {
  const pod = {
    spec: {
      containers: [{ env: [{ name: "A", valueFrom: { secretKeyRef: { name: "one", key: "k" } } }], envFrom: [{ secretRef: { name: "two" } }] }],
      initContainers: [{ env: [{ name: "B", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }] }],
      volumes: [{ secret: { secretName: "three" } }, { projected: { sources: [{ secret: { name: "four" } }, { configMap: { name: "cm" } }] } }],
    },
  };
  assert.deepEqual(secretsReferencedBy(pod).sort(), ["four", "one", "three", "two"]);
  const status = info("PATCH", "/api/v1/namespaces/x/pods/p/status");
  assert.ok(status.kind === "resource");
  assert.equal(objectPath(status), "/api/v1/namespaces/x/pods/p");
  const deployment = info("PUT", "/apis/apps/v1/namespaces/x/deployments/d");
  assert.ok(deployment.kind === "resource");
  assert.equal(objectPath(deployment), "/apis/apps/v1/namespaces/x/deployments/d");
});
