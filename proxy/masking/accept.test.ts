import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonOnlyAccept } from "./accept.js";

test("protobuf, CBOR, YAML and wildcards become JSON; Table negotiation survives", () => {
  assert.equal(jsonOnlyAccept(undefined), "application/json");
  assert.equal(jsonOnlyAccept("application/vnd.kubernetes.protobuf, application/json"), "application/json");
  assert.equal(jsonOnlyAccept("application/cbor"), "application/json");
  assert.equal(jsonOnlyAccept("*/*"), "application/json");
  assert.equal(
    jsonOnlyAccept("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"),
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
  );
  assert.equal(
    jsonOnlyAccept("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/vnd.kubernetes.protobuf"),
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
  );
  assert.equal(jsonOnlyAccept("application/vnd.kubernetes.protobuf;stream=watch"), "application/json;stream=watch,application/json");
});
