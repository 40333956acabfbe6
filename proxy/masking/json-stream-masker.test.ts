import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { JsonStreamMasker, MaskingStreamError } from "./json-stream-masker.js";
import { Masker } from "./masker.js";
import { ruleSetFor, type ResourceKey } from "./mask-rules.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { compileDetector, DetectorSet } from "./detectors.js";
import { maskValue, recordingScope } from "./object-masker.js";

const SECRETS: ResourceKey = { apiGroup: "", resource: "secrets", subresource: "" };

function maskAll(text: string, key: ResourceKey = SECRETS, chunkSize = 7, watch = false): { out: string; masked: string[]; masker: Masker } {
  const masker = new Masker(randomBytes(32));
  const rules = ruleSetFor(key, DEFAULT_MASKING);
  assert.ok(rules);
  const masked: string[] = [];
  const stream = new JsonStreamMasker(watch ? rules.event : rules.body, recordingScope(masker, DEFAULT_MASKING, masked));
  const buf = Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) parts.push(stream.push(buf.subarray(i, i + chunkSize)));
  parts.push(stream.end());
  return { out: Buffer.concat(parts).toString("utf8"), masked, masker };
}

test("bytes no rule points at go out unchanged, byte for byte", () => {
  const text = '{"kind":"Secret","metadata":{"name":"a","labels":{"x":"y \\"quoted\\" {[]}"},"managedFields":[{"f:data":{"f:x":{}}}]},"type":"Opaque","immutable":true,"n":-1.5e3}';
  for (const size of [1, 2, 5, 64]) assert.equal(maskAll(text, SECRETS, size).out, text);
});

test("Secret data is masked to base64 placeholders, stringData to plain ones, however the body is chunked", () => {
  const text = JSON.stringify({ kind: "Secret", data: { a: Buffer.from("first-secret").toString("base64") }, stringData: { b: 'with "quotes" and \\ é' } });
  for (const size of [1, 3, 16, 1000]) {
    const { out, masked } = maskAll(text, SECRETS, size);
    const object = JSON.parse(out) as { data: { a: string }; stringData: { b: string } };
    assert.match(Buffer.from(object.data.a, "base64").toString("latin1"), /^chaperone-masked-[a-z2-7]{22}$/);
    assert.match(object.stringData.b, /^chaperone-masked-[a-z2-7]{22}$/);
    assert.deepEqual(masked.sort(), ["data.a", "stringData.b"]);
  }
});

test("escaped keys are read as what they mean", () => {
  const { out } = maskAll('{"\\u0064ata":{"k":"c2VjcmV0LXZhbHVl"}}');
  assert.ok(!out.includes("c2VjcmV0LXZhbHVl"), out);
});

test("a watch stream is masked event by event, each event out as soon as its last byte is in", () => {
  const masker = new Masker(randomBytes(32));
  const rules = ruleSetFor(SECRETS, DEFAULT_MASKING);
  assert.ok(rules);
  const stream = new JsonStreamMasker(rules.event, recordingScope(masker, DEFAULT_MASKING, []));
  const event = (value: string): string => JSON.stringify({ type: "MODIFIED", object: { kind: "Secret", data: { k: Buffer.from(value).toString("base64") } } }) + "\n";
  const first = stream.push(Buffer.from(event("one-secret-value")));
  assert.match(first.toString(), /^\{"type":"MODIFIED".*\}\n$/);
  assert.equal(stream.heldBytes, 0);
  const second = event("two-secret-value");
  const half = stream.push(Buffer.from(second.slice(0, 40)));
  const rest = stream.push(Buffer.from(second.slice(40)));
  assert.equal(JSON.parse(Buffer.concat([half, rest]).toString()).type, "MODIFIED");
  assert.equal(stream.end().length, 0);
});

test("Tables: the row objects and string cells are masked", () => {
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJl";
  const table = { kind: "Table", rows: [{ cells: ["a", jwt, 3], object: { kind: "Secret", data: { k: Buffer.from("row-secret-value").toString("base64") } } }] };
  const { out } = maskAll(JSON.stringify(table));
  assert.ok(!out.includes(jwt));
  assert.ok(!out.includes(Buffer.from("row-secret-value").toString("base64")));
  assert.equal((JSON.parse(out) as { rows: { cells: unknown[] }[] }).rows[0]?.cells[2], 3);
});

test("env entries are masked as a unit, whatever order their fields come in, across chunks", () => {
  const pod = {
    kind: "Pod",
    spec: { containers: [{ name: "c", env: [{ value: "db-password-value", name: "DB_PASSWORD" }, { name: "MODE", value: "fast" }] }] },
  };
  for (const size of [1, 9, 4096]) {
    const { out, masked } = maskAll(JSON.stringify(pod), { apiGroup: "", resource: "pods", subresource: "" }, size);
    const env = (JSON.parse(out) as typeof pod).spec.containers[0]?.env ?? [];
    assert.match(env[0]?.value ?? "", /^chaperone-masked-/);
    assert.equal(env[1]?.value, "fast");
    assert.deepEqual(masked, ["spec.containers[*].env[*].value"]);
  }
});

test("last-applied annotations stay valid JSON with the values inside masked", () => {
  const inner = JSON.stringify({ kind: "Secret", data: { k: Buffer.from("applied-secret").toString("base64") } }) + "\n";
  const { out } = maskAll(JSON.stringify({ kind: "Secret", metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": inner } } }));
  const annotation = (JSON.parse(out) as { metadata: { annotations: Record<string, string> } }).metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] as string;
  assert.ok(annotation.endsWith("\n"));
  const data = (JSON.parse(annotation) as { data: { k: string } }).data.k;
  assert.match(Buffer.from(data, "base64").toString("latin1"), /^chaperone-masked-/);
});

test("malformed or cut-short JSON is an error, never passed on", () => {
  const masker = new Masker(randomBytes(32));
  const rules = ruleSetFor(SECRETS, DEFAULT_MASKING);
  assert.ok(rules);
  const scope = recordingScope(masker, DEFAULT_MASKING, []);
  assert.throws(() => new JsonStreamMasker(rules.body, scope).push(Buffer.from('{"data":}')), MaskingStreamError);
  const cut = new JsonStreamMasker(rules.body, scope);
  const out = cut.push(Buffer.from('{"data":{"k":"c2VjcmV0LX')).toString();
  assert.ok(!out.includes("c2VjcmV0"), out);
  assert.throws(() => cut.end(), MaskingStreamError);
});

test("the same value gets the same placeholder in every response; a different value a different one", () => {
  const masker = new Masker(randomBytes(32));
  const rules = ruleSetFor(SECRETS, DEFAULT_MASKING);
  assert.ok(rules);
  const mask = (value: string): string => {
    const stream = new JsonStreamMasker(rules.body, recordingScope(masker, DEFAULT_MASKING, []));
    const out = Buffer.concat([stream.push(Buffer.from(JSON.stringify({ data: { k: Buffer.from(value).toString("base64") } }))), stream.end()]);
    return (JSON.parse(out.toString()) as { data: { k: string } }).data.k;
  };
  assert.equal(mask("same-value"), mask("same-value"));
  assert.notEqual(mask("same-value"), mask("other-value"));
});

test("custom resources: JWTs, private keys and known Secret values anywhere in spec and status are masked; ordinary values, metadata and the rest untouched", () => {
  const WIDGETS: ResourceKey = { apiGroup: "example.com", resource: "widgets", subresource: "" };
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLWJ5dGVz";
  const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabcdef==\n-----END RSA PRIVATE KEY-----";
  const known = "known-db-passw0rd-9f3a";
  const widget = {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w1", namespace: "default", labels: { app: "demo" } },
    spec: {
      replicas: 3,
      image: "registry.example.com/widget:1.2.3",
      auth: { token: `Bearer-less ${jwt}` },
      tls: [{ key: pem, hosts: ["w1.example.com"] }],
      database: { url: `postgres://app:${known}@db:5432/app` },
      env: [{ name: "API_TOKEN", value: "plain-but-sensitive-name" }, { name: "LOG_LEVEL", value: "debug", note: `uses ${known}` }],
    },
    status: { conditions: [{ type: "Ready", status: "True", message: `connected with ${known} as password` }], observed: known },
  };
  const masker = new Masker(randomBytes(32));
  masker.secret(known);
  const rules = ruleSetFor(WIDGETS, DEFAULT_MASKING);
  assert.ok(rules);
  for (const [size, watch] of [
    [5, false],
    [64, false],
    [4096, true],
  ] as const) {
    const masked: string[] = [];
    const stream = new JsonStreamMasker(watch ? rules.event : rules.body, recordingScope(masker, DEFAULT_MASKING, masked));
    const list = watch ? { type: "ADDED", object: widget } : { apiVersion: "example.com/v1", kind: "WidgetList", metadata: { resourceVersion: "7" }, items: [widget] };
    const buf = Buffer.from(JSON.stringify(list));
    const parts: Buffer[] = [];
    for (let i = 0; i < buf.length; i += size) parts.push(stream.push(buf.subarray(i, i + size)));
    parts.push(stream.end());
    const out = Buffer.concat(parts).toString("utf8");
    for (const secret of [jwt, "MIIEpAIBAAKCAQEA", known, "plain-but-sensitive-name"]) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    const parsed = JSON.parse(out) as { items?: (typeof widget)[]; object?: typeof widget };
    const object = (watch ? parsed.object : parsed.items?.[0]) as typeof widget;
    assert.deepEqual(object.metadata, widget.metadata);
    assert.equal(object.apiVersion, widget.apiVersion);
    assert.equal(object.spec.image, widget.spec.image);
    assert.equal(object.spec.replicas, 3);
    assert.deepEqual(object.spec.tls[0]?.hosts, ["w1.example.com"]);
    assert.equal(object.spec.env[1]?.value, "debug");
    assert.deepEqual(object.status.conditions[0]?.type, "Ready");
    assert.match(object.spec.auth.token, /^Bearer-less chaperone-masked-[a-z2-7]{22}$/);
    assert.match(object.spec.tls[0]?.key ?? "", /^chaperone-masked-[a-z2-7]{22}$/);
    assert.match(object.spec.database.url, /^postgres:\/\/app:chaperone-masked-[a-z2-7]{22}@db:5432\/app$/);
    assert.match(object.spec.env[0]?.value ?? "", /^chaperone-masked-[a-z2-7]{22}$/);
    assert.match(object.spec.env[1]?.note ?? "", /^uses chaperone-masked-[a-z2-7]{22}$/);
    assert.match(object.status.observed, /^chaperone-masked-[a-z2-7]{22}$/);
    assert.ok(masked.includes("items[*].spec.auth.token") || masked.includes("object.spec.auth.token"), masked.join(", "));
    // The object masker (records, write-back) agrees with the stream.
    assert.deepEqual(maskValue(widget, rules.object, recordingScope(masker, DEFAULT_MASKING, [])), object);
  }
  // Built-in resources keep their rules: a JWT in a Service's spec is not looked at.
  const service = JSON.stringify({ kind: "Service", spec: { externalName: jwt } });
  assert.equal(maskAll(service, { apiGroup: "", resource: "services", subresource: "" }).out, service);
});

test("ConfigMap values found clean are remembered per detector set: listed again they are not scanned, and another profile's detectors still see them", () => {
  const CONFIGMAPS: ResourceKey = { apiGroup: "", resource: "configmaps", subresource: "" };
  const masker = new Masker(randomBytes(32));
  const list = JSON.stringify({ kind: "ConfigMapList", items: [{ metadata: { name: "a" }, data: { "app.conf": "mode=fast\nacme_0123456789abcdef0123456789abcdef\n", plain: "nothing here" } }] });
  const run = (settings: typeof DEFAULT_MASKING, size: number): string => {
    const rules = ruleSetFor(CONFIGMAPS, settings);
    assert.ok(rules);
    const stream = new JsonStreamMasker(rules.body, recordingScope(masker, settings, []));
    const buf = Buffer.from(list);
    const parts: Buffer[] = [];
    for (let i = 0; i < buf.length; i += size) parts.push(stream.push(buf.subarray(i, i + size)));
    parts.push(stream.end());
    return Buffer.concat(parts).toString("utf8");
  };
  for (const size of [7, 4096]) assert.equal(run(DEFAULT_MASKING, size), list);
  const acme = compileDetector({ name: "acme", pattern: "acme_[0-9a-f]{32}" });
  assert.ok(typeof acme !== "string");
  const withAcme = { ...DEFAULT_MASKING, detectors: new DetectorSet([...DEFAULT_MASKING.detectors.detectors, acme]) };
  for (const size of [7, 4096]) {
    const out = run(withAcme, size);
    assert.ok(!out.includes("acme_0123456789abcdef"), out);
    assert.match(out, /mode=fast\\nchaperone-masked-[a-z2-7]{22}\\n/);
  }
  assert.equal(run(DEFAULT_MASKING, 7), list);
});

test("a List masked again gives the same bytes and notes from the item memo; a changed item, or one scanned for known values that changed since, is masked afresh", () => {
  const masker = new Masker(randomBytes(32));
  const item = (name: string, value: string, note: string): unknown => ({
    kind: "Secret",
    metadata: { name, namespace: "default", annotations: { note } },
    data: { password: Buffer.from(value).toString("base64") },
  });
  const mask = (items: unknown[], size: number): { out: string; masked: string[] } => {
    const rules = ruleSetFor(SECRETS, DEFAULT_MASKING);
    assert.ok(rules);
    const masked: string[] = [];
    const stream = new JsonStreamMasker(rules.body, recordingScope(masker, DEFAULT_MASKING, masked));
    const buf = Buffer.from(JSON.stringify({ kind: "SecretList", items }));
    const parts: Buffer[] = [];
    for (let i = 0; i < buf.length; i += size) parts.push(stream.push(buf.subarray(i, i + size)));
    parts.push(stream.end());
    return { out: Buffer.concat(parts).toString("utf8"), masked: masked.sort() };
  };
  const items = [item("a", "first-password", "plain note"), item("b", "second-password", "mentions later-learned-value")];
  const first = mask(items, 4096);
  for (const size of [4096, 13, 4096]) assert.deepEqual(mask(items, size), first);
  assert.deepEqual(first.masked, ["items[*].data.password"]);
  // Another Secret's value becomes known: the note that mentions it is masked from now on.
  masker.secret("later-learned-value");
  const after = mask(items, 4096);
  assert.ok(!after.out.includes("later-learned-value"), after.out);
  assert.deepEqual(after.masked, ["items[*].data.password", "items[*].metadata.annotations.note"]);
  // A changed value gets its own placeholder.
  const changed = mask([item("a", "first-password-changed", "plain note"), items[1]], 4096);
  const passwords = (text: string): string[] => (JSON.parse(text) as { items: { data: { password: string } }[] }).items.map((i) => i.data.password);
  assert.notEqual(passwords(changed.out)[0], passwords(first.out)[0]);
  assert.equal(passwords(changed.out)[1], passwords(first.out)[1]);
});
