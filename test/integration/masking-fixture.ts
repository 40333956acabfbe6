// Shared by the masking integration tests: a policy whose agents may read and write anything
// (Secret writes and token requests included, so write-back can be exercised) with masking on,
// plus helpers to seed Secrets with random values and to assert none of them leaked.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { GatewayFixture } from "../support/gateway-fixture.js";
import type { JsonObject } from "../cluster/index.js";

/** Profile `masked`: everything allowed (guardrails overridden for Secret writes and tokens), masking at its default. */
export const MASKING_POLICY = `profiles:
  masked:
    extends: guarded
    default: allow
    rules:
      - id: secret-writes
        verb: [create, update, patch]
        resource: secrets
        action: allow
        overrideGuardrail: secret-write
      - id: token-requests
        verb: create
        resource: serviceaccounts
        subresource: token
        action: allow
        overrideGuardrail: token-request
  revealing:
    extends: masked
    rules:
      - id: read-ci-token
        verb: get
        resource: secrets
        name: ci-token
        action: allow
        reveal: true
  logs-unmasked:
    extends: masked
    masking:
      logs: false
      secrets: false
`;

export const PLACEHOLDER = /chaperone-masked-[a-z2-7]{22}/;

/** A value no test output would contain by chance. */
export function secretValue(label: string): string {
  return `${label}-${randomBytes(9).toString("base64url")}`;
}

/** Every form of a value that must never reach the agent. */
export function formsOf(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [value, bytes.toString("base64"), bytes.toString("base64").replace(/=+$/, ""), bytes.toString("base64url"), JSON.stringify(value).slice(1, -1)];
}

export function assertNoLeak(output: string, values: readonly string[], what: string): void {
  for (const value of values) {
    for (const form of formsOf(value)) assert.ok(!output.includes(form), `${what} leaked ${JSON.stringify(form)}:\n${output}`);
  }
}

export function putSecret(fx: GatewayFixture, name: string, data: Record<string, string>, extra: Partial<JsonObject> = {}, namespace = "default"): JsonObject {
  return fx.cluster.store.put({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
    ...extra,
  });
}

/** The decoded data of a Secret as the cluster holds it. */
export function storedSecretData(fx: GatewayFixture, name: string, namespace = "default"): Record<string, string> {
  const secret = fx.cluster.store.get("secrets", namespace, name);
  const data = (secret?.["data"] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}
