import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Masker } from "./masker.js";
import { ruleSetFor, type ResourceKey } from "./mask-rules.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { maskValue } from "./object-masker.js";
import { restorePlaceholders, type WriteBackInput } from "./write-back.js";

const masker = new Masker(randomBytes(32));
const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

function seen<T>(object: T, key: ResourceKey): T {
  const rules = ruleSetFor(key, DEFAULT_MASKING);
  assert.ok(rules);
  return maskValue(object, rules.object, { masker, settings: DEFAULT_MASKING, note: () => undefined }) as T;
}

function input(key: ResourceKey, body: unknown, current: unknown, overrides: Partial<WriteBackInput> = {}): WriteBackInput {
  return {
    verb: "patch",
    contentType: "application/merge-patch+json",
    body: Buffer.from(JSON.stringify(body)),
    object: body,
    rules: ruleSetFor(key, DEFAULT_MASKING),
    masker,
    settings: DEFAULT_MASKING,
    current: () => Promise.resolve(current),
    ...overrides,
  };
}

const SECRETS: ResourceKey = { apiGroup: "", resource: "secrets", subresource: "" };
const DEPLOYMENTS: ResourceKey = { apiGroup: "apps", resource: "deployments", subresource: "" };

test("a body without a placeholder is left alone, without reading the current object", async () => {
  let read = false;
  const result = await restorePlaceholders(
    input(SECRETS, { data: { k: b64("new") } }, null, {
      current: () => {
        read = true;
        return Promise.resolve(null);
      },
    }),
  );
  assert.deepEqual(result, { kind: "unchanged" });
  assert.equal(read, false);
});

test("a JSON patch replacing an env value by its placeholder restores it, found by the entry's name", async () => {
  const current = {
    spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "MODE", value: "x" }, { name: "DB_PASSWORD", value: "hunter2-hunter2" }] }] } } },
  };
  const masked = seen(current, DEPLOYMENTS);
  const placeholder = masked.spec.template.spec.containers[0]?.env[1]?.value as string;
  const patch = [{ op: "replace", path: "/spec/template/spec/containers/0/env/1/value", value: placeholder }];
  const result = await restorePlaceholders(input(DEPLOYMENTS, patch, current, { contentType: "application/json-patch+json" }));
  assert.equal(result.kind, "restored");
  if (result.kind === "restored") {
    assert.deepEqual(result.object, [{ op: "replace", path: "/spec/template/spec/containers/0/env/1/value", value: "hunter2-hunter2" }]);
    assert.deepEqual(result.fields, ["spec.template.spec.containers[name=app].env[name=DB_PASSWORD].value"]);
  }
  // The same placeholder under another entry's name is refused.
  const moved = [{ op: "replace", path: "/spec/template/spec/containers/0/env/0/value", value: placeholder }];
  const refused = await restorePlaceholders(input(DEPLOYMENTS, moved, current, { contentType: "application/json-patch+json" }));
  assert.equal(refused.kind, "refused");
  if (refused.kind === "refused") assert.match(refused.message, /env\[name=MODE\]\.value holds a masked placeholder/);
});

test("a last-applied annotation is restored from the object's own fields when it held none itself", async () => {
  const current = { metadata: { name: "s" }, data: { password: b64("real-password") } };
  const masked = seen(current, SECRETS);
  const annotation = JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: masked.data });
  const patch = { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": annotation } } };
  const result = await restorePlaceholders(input(SECRETS, patch, current, { contentType: "application/strategic-merge-patch+json" }));
  assert.equal(result.kind, "restored");
  if (result.kind === "restored") {
    const restored = (result.object as typeof patch).metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"];
    assert.equal((JSON.parse(restored) as { data: { password: string } }).data.password, b64("real-password"));
  }
});

test("refusals name the field and say why", async () => {
  const current = { metadata: { name: "s", labels: {} }, data: { password: b64("real-password") } };
  const placeholder = seen(current, SECRETS).data.password;
  const decoded = Buffer.from(placeholder, "base64").toString("latin1");
  const cases: [unknown, Partial<WriteBackInput>, RegExp][] = [
    [{ metadata: { labels: { x: decoded } } }, {}, /metadata\.labels\.x holds a masked placeholder, but chaperone never masks that field/],
    [{ data: { other: placeholder } }, {}, /data\.other holds a masked placeholder .* does not stand for the value/],
    [{ data: { password: decoded } }, {}, /data\.password holds a masked placeholder that is not base64-encoded/],
    [{ metadata: { name: "s" }, data: { password: placeholder } }, { verb: "create", contentType: "application/json" }, /the object does not exist yet/],
    [[{ op: "move", from: "/data/password", path: "/metadata/labels/x" }], { contentType: "application/json-patch+json" }, /would move data\.password, which holds masked values/],
    [{ data: { password: placeholder } }, { rules: null }, /nothing chaperone masks can be written here/],
  ];
  for (const [body, overrides, message] of cases) {
    const result = await restorePlaceholders(input(SECRETS, body, current, overrides));
    assert.equal(result.kind, "refused", JSON.stringify(body));
    if (result.kind === "refused") assert.match(result.message, message);
  }
  const protobuf = await restorePlaceholders({ ...input(SECRETS, {}, current), body: Buffer.from(`k8s\0...${decoded}...`), object: null, contentType: "application/vnd.kubernetes.protobuf" });
  assert.equal(protobuf.kind, "refused");
  if (protobuf.kind === "refused") assert.match(protobuf.message, /in a format chaperone cannot read \(application\/vnd\.kubernetes\.protobuf\)/);
});

test("custom resources: a placeholder read in spec is put back where the current object holds its value (merge patch, JSON patch, apply); elsewhere refused", async () => {
  const WIDGETS: ResourceKey = { apiGroup: "example.com", resource: "widgets", subresource: "" };
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3aWRnZXQifQ.c2lnbmF0dXJlLWJ5dGVz";
  const current = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { auth: { token: `token ${jwt}` }, size: 3 } };
  const agentSaw = seen(current, WIDGETS);
  assert.notEqual(agentSaw.spec.auth.token, current.spec.auth.token);

  const edited = { ...agentSaw, spec: { ...agentSaw.spec, size: 4 } };
  const merge = await restorePlaceholders(input(WIDGETS, edited, current));
  assert.equal(merge.kind, "restored");
  if (merge.kind === "restored") assert.deepEqual(merge.object, { ...current, spec: { ...current.spec, size: 4 } });

  const patch = [{ op: "replace", path: "/spec/auth/token", value: agentSaw.spec.auth.token }];
  const jsonPatch = await restorePlaceholders(input(WIDGETS, patch, current, { contentType: "application/json-patch+json" }));
  assert.equal(jsonPatch.kind, "restored");
  if (jsonPatch.kind === "restored") assert.deepEqual(jsonPatch.object, [{ ...patch[0], value: current.spec.auth.token }]);

  const moved = await restorePlaceholders(input(WIDGETS, { spec: { other: agentSaw.spec.auth.token } }, current));
  assert.equal(moved.kind, "refused");
});
