import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { JsonStreamMasker, MaskingStreamError } from "./json-stream-masker.js";
import { Masker } from "./masker.js";
import { ruleSetFor, type ResourceKey } from "./mask-rules.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { recordingScope } from "./object-masker.js";

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
