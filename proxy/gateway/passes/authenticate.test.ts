import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import { AgentRegistry } from "../../agents/agent-registry.js";
import { authenticatePass } from "./authenticate.js";
import { newGatewayRequest, type GatewayRequest } from "../gateway-request.js";

function requestWith(headers: Record<string, string>): GatewayRequest {
  return newGatewayRequest({ headers } as unknown as IncomingMessage, false, new AbortController().signal);
}

function setup(t: import("node:test").TestContext) {
  const dir = mkdtempSync(join(tmpdir(), "auth-pass-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const registry = new AgentRegistry(dir);
  const { token } = registry.add("claude", "guarded");
  return { registry, token, pass: authenticatePass(registry) };
}

test("a live agent token sets the request's identity and lets it continue", (t) => {
  const { token, pass } = setup(t);
  const request = requestWith({ authorization: `Bearer ${token}` });
  assert.equal(pass.run(request), undefined);
  assert.equal(request.identity?.agent, "claude");
  assert.equal(request.identity?.profile, "guarded");
});

test("a missing, malformed or unknown token is answered 401", (t) => {
  const { pass, token } = setup(t);
  const cases: Record<string, string>[] = [{}, { authorization: "Bearer" }, { authorization: "Token abc" }, { authorization: `Bearer ${token}x` }];
  for (const headers of cases) {
    const outcome = pass.run(requestWith(headers));
    assert.equal((outcome as { code: number }).code, 401, JSON.stringify(headers));
  }
});

test("a revoked agent's token is answered 401", (t) => {
  const { pass, token, registry } = setup(t);
  registry.revoke("claude");
  assert.equal((pass.run(requestWith({ authorization: `Bearer ${token}` })) as { code: number }).code, 401);
});

test("any Impersonate-* header from an authenticated agent is answered 403", (t) => {
  const { pass, token } = setup(t);
  for (const header of ["impersonate-user", "impersonate-group", "impersonate-uid", "impersonate-extra-scopes"]) {
    const outcome = pass.run(requestWith({ authorization: `Bearer ${token}`, [header]: "x" })) as { code: number; message: string };
    assert.equal(outcome.code, 403, header);
    assert.match(outcome.message, /impersonation is not allowed/);
  }
});
