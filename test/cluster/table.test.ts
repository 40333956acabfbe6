// Server-side printing into meta.k8s.io Tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { humanDuration, toTable } from "./table.js";
import type { JsonObject } from "./json.js";

test("ages print like kubectl's HumanDuration", () => {
  assert.equal(humanDuration(5_000), "5s");
  assert.equal(humanDuration(119_000), "119s");
  assert.equal(humanDuration(150_000), "2m30s");
  assert.equal(humanDuration(45 * 60_000), "45m");
  assert.equal(humanDuration((5 * 60 + 3) * 60_000), "5h3m");
  assert.equal(humanDuration(30 * 3600_000), "30h");
  assert.equal(humanDuration(3 * 86400_000 + 4 * 3600_000), "3d4h");
  assert.equal(humanDuration(400 * 86400_000), "400d");
});

test("pod rows report readiness, waiting reasons, restarts and Terminating", () => {
  const now = Date.parse("2024-01-01T01:00:00Z");
  const pod = (extra: object): JsonObject => ({
    metadata: { name: "p", creationTimestamp: "2024-01-01T00:00:00Z", ...extra },
    spec: { containers: [{ name: "a" }, { name: "b" }] },
    status: {
      phase: "Running",
      podIP: "10.0.0.1",
      containerStatuses: [
        { name: "a", ready: true, restartCount: 2, state: { running: {} } },
        { name: "b", ready: false, restartCount: 0, state: { waiting: { reason: "CrashLoopBackOff" } } },
      ],
    },
  });
  const table = toTable({ group: "", resource: "pods" }, [pod({}), pod({ deletionTimestamp: "2024-01-01T00:59:00Z" })], { includeObject: "None", apiVersion: "meta.k8s.io/v1", now });
  const rows = table["rows"] as any[];
  assert.deepEqual(rows[0].cells.slice(0, 6), ["p", "1/2", "CrashLoopBackOff", "2", "60m", "10.0.0.1"]);
  assert.equal(rows[1].cells[2], "Terminating");
  assert.equal(rows[0].object, undefined);
});

test("secrets, configmaps and unknown kinds get their own columns; includeObject=Metadata embeds PartialObjectMetadata", () => {
  const meta = { name: "s", creationTimestamp: new Date().toISOString() };
  const secret = toTable({ group: "", resource: "secrets" }, [{ metadata: meta, type: "Opaque", data: { a: "", b: "" } }], { includeObject: "Metadata", apiVersion: "meta.k8s.io/v1" }) as any;
  assert.deepEqual(secret.columnDefinitions.map((c: any) => c.name), ["Name", "Type", "Data", "Age"]);
  assert.deepEqual(secret.rows[0].cells.slice(0, 3), ["s", "Opaque", 2]);
  assert.deepEqual(secret.rows[0].object, { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: meta });
  const cm = toTable({ group: "", resource: "configmaps" }, [{ metadata: meta, data: { a: "1" }, binaryData: { b: "" } }], { includeObject: "None", apiVersion: "meta.k8s.io/v1" }) as any;
  assert.deepEqual(cm.rows[0].cells.slice(0, 2), ["s", 2]);
  const other = toTable({ group: "x", resource: "widgets" }, [{ metadata: meta }], { includeObject: "None", apiVersion: "meta.k8s.io/v1" }) as any;
  assert.deepEqual(other.columnDefinitions.map((c: any) => c.name), ["Name", "Age"]);
});
