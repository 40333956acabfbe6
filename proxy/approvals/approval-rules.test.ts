import { test } from "node:test";
import assert from "node:assert/strict";
import { alwaysRuleFor } from "./approval-rules.js";
import { PolicyEngine } from "../policy/index.js";
import { policyRequest } from "../policy/test-helpers.js";

test("the always rule allows exactly the approved request and nothing next to it", () => {
  const request = policyRequest("DELETE", "/api/v1/namespaces/dev/pods/web-1", { agent: "claude", profile: "guarded" });
  const decision = PolicyEngine.builtin().evaluate(request);
  assert.equal(decision.action, "ask");
  const rule = alwaysRuleFor(request, decision, "approved-1");
  const engine = PolicyEngine.fromText(`profiles:\n  guarded:\n    rules:\n      - ${JSON.stringify(rule)}\n`);
  assert.equal(engine.evaluate(request).action, "allow");
  for (const [url, agent] of [
    ["/api/v1/namespaces/dev/pods/web-2", "claude"],
    ["/api/v1/namespaces/prod/pods/web-1", "claude"],
    ["/api/v1/namespaces/dev/pods/web-1", "codex"],
  ] as const) {
    assert.equal(engine.evaluate(policyRequest("DELETE", url, { agent, profile: "guarded" })).action, "ask", `${agent} ${url}`);
  }
});

test("an always rule for a guardrail's ask overrides only that guardrail", () => {
  const request = policyRequest("DELETE", "/api/v1/namespaces/scratch", { agent: "claude", profile: "guarded" });
  const decision = PolicyEngine.builtin().evaluate(request);
  assert.equal(decision.rule.source, "guardrail");
  const rule = alwaysRuleFor(request, decision, "approved-2");
  assert.equal(rule.overrideGuardrail, decision.rule.name);
  const engine = PolicyEngine.fromText(`profiles:\n  guarded:\n    rules:\n      - ${JSON.stringify(rule)}\n`);
  assert.equal(engine.evaluate(request).action, "allow");
});
