// Decoding of application/vnd.kubernetes.protobuf request bodies (what kubectl >= 1.32 sends).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeKubernetesProtobuf, ProtobufKindUnsupported } from "./protobuf.js";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
const bytes = (no: number, value: Buffer | string): Buffer => {
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
};
const num = (no: number, value: number): Buffer => Buffer.from([...varint(no << 3), ...varint(value)]);
const msg = (...parts: Buffer[]) => Buffer.concat(parts);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), bytes(1, msg(bytes(1, apiVersion), bytes(2, kind))), bytes(2, raw)]);

test("a ConfigMap in protobuf decodes to its JSON form, omitting zero-valued value fields", () => {
  const meta = msg(bytes(1, "cm"), bytes(2, ""), bytes(3, "default"), bytes(11, msg(bytes(1, "app"), bytes(2, "web"))));
  const raw = msg(bytes(1, meta), bytes(2, msg(bytes(1, "key"), bytes(2, "value"))), num(4, 0));
  const obj = decodeKubernetesProtobuf(envelope("v1", "ConfigMap", raw));
  assert.deepEqual(obj, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default", labels: { app: "web" } }, data: { key: "value" }, immutable: false });
});

test("a SelfSubjectAccessReview decodes nested pointer messages", () => {
  const attrs = msg(bytes(1, "default"), bytes(2, "get"), bytes(5, "pods"));
  const raw = msg(bytes(1, msg()), bytes(2, msg(bytes(1, attrs))));
  const obj = decodeKubernetesProtobuf(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", raw));
  assert.deepEqual(obj["spec"], { resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } });
});

test("bodies without the k8s magic are 400s; kinds without a descriptor are reported as unsupported", () => {
  assert.throws(() => decodeKubernetesProtobuf(Buffer.from("{}")), (e: any) => e.code === 400);
  assert.throws(() => decodeKubernetesProtobuf(envelope("v1", "Widget", msg())), ProtobufKindUnsupported);
});
