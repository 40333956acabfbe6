import { test } from "node:test";
import assert from "node:assert/strict";
import type { ApprovalView } from "../control/contract.js";
import { approvalBlock, approvalLine, byArrival, decisionLines } from "./approval-format.js";

const NOW = Date.parse("2025-01-01T12:00:00Z");

function view(overrides: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id: "a1b2c3",
    createdAt: "2025-01-01T11:59:00Z",
    expiresAt: "2025-01-01T12:04:12Z",
    agent: "claude",
    run: null,
    profile: "guarded",
    summary: 'delete namespaces "prod"',
    verb: "delete",
    apiGroup: "",
    resource: "namespaces",
    subresource: "",
    namespace: "prod",
    name: "prod",
    path: "/api/v1/namespaces/prod",
    rule: { profile: "guarded", name: "default", source: "default" },
    reason: "the guarded profile asks for deletes",
    exec: null,
    object: null,
    preview: null,
    alwaysRule: "- verb: delete\n  resource: namespaces\n  action: allow\n",
    ...overrides,
  };
}

test("a pending approval lists as one line, its id first", () => {
  assert.equal(approvalLine(view(), NOW), 'a1b2c3  claude  delete namespaces "prod"  (rule guarded/default, expires in 4m12s)');
  assert.equal(approvalLine(view({ run: "r7", expiresAt: "2025-01-01T11:00:00Z" }), NOW), 'a1b2c3  claude (run r7)  delete namespaces "prod"  (rule guarded/default, expired)');
});

test("approvals sort oldest first", () => {
  const list = [view({ id: "b", createdAt: "2025-01-01T11:59:30Z" }), view({ id: "a" }), view({ id: "c", createdAt: "2025-01-01T11:00:00Z" })];
  assert.deepEqual(list.sort(byArrival).map((v) => v.id), ["c", "a", "b"]);
});

test("the watch block shows the rule and reason, the exec command line, the preview and the always rule", () => {
  const lines = approvalBlock(
    view({
      summary: 'exec pods/exec "web" in namespace "dev"',
      exec: { command: ["sh", "-c", "echo hi; rm -rf /tmp/x"], container: "app", tty: true, stdin: true },
      preview: { state: "ready", status: 200, rejected: false, message: null, diff: "--- a\n+++ b\n-replicas: 1\n+replicas: 3\n" },
    }),
    NOW,
  );
  assert.deepEqual(lines, [
    "request a1b2c3 from claude, expires in 4m12s",
    '  exec pods/exec "web" in namespace "dev"',
    "  rule:     guarded/default (default): the guarded profile asks for deletes",
    "  exec:     sh -c 'echo hi; rm -rf /tmp/x'  (container app, tty, stdin)",
    "  preview:  the API server would accept it; diff:",
    "      --- a",
    "      +++ b",
    "      -replicas: 1",
    "      +replicas: 3",
    '  "always" would add to profile guarded:',
    "    - verb: delete",
    "      resource: namespaces",
    "      action: allow",
  ]);
  const rejected = approvalBlock(view({ preview: { state: "ready", status: 404, rejected: true, message: 'namespaces "prod" not found', diff: null } }), NOW);
  assert.ok(rejected.includes('  preview:  would be rejected: namespaces "prod" not found'));
});

test("a long preview diff is cut to a screenful with a count of what was left out", () => {
  const diff = ["--- current", "+++ after", ...Array.from({ length: 100 }, (_, i) => `-line ${i}`)].join("\n");
  const lines = approvalBlock(view({ preview: { state: "ready", status: 200, rejected: false, message: null, diff } }), NOW);
  const start = lines.indexOf("  preview:  the API server would accept it; diff:");
  assert.equal(lines[start + 40], "      -line 37");
  assert.equal(lines[start + 41], "      … 62 more lines (the desktop UI shows the whole diff)");
});

test("agent-controlled text cannot carry terminal escapes into the watch output", () => {
  const lines = approvalBlock(view({ exec: { command: ["echo", "\u001b[2K\rallowed"], container: "", tty: false, stdin: false } }), NOW);
  const exec = lines.find((l) => l.startsWith("  exec:")) ?? "";
  assert.ok(!exec.includes("\u001b") && !exec.includes("\r"), exec);
  assert.match(exec, /\\x1b\[2K\\x0dallowed/);
});

test("decisions say what happened: once, a grant with its rule, an added rule's text, a denial's reason", () => {
  const base = { id: "a1b2c3", outcome: "allowed" as const, grant: null, ruleAdded: null };
  assert.deepEqual(decisionLines(base, { view: view(), policyFile: "/d/policy.yaml" }), ['allowed a1b2c3: delete namespaces "prod" (agent claude), once']);
  const grant = { id: "g1", agent: "claude", rule: { profile: "guarded", name: "default", source: "default" as const }, createdAt: "", expiresAt: "2025-01-01T12:10:00Z" };
  const forLines = decisionLines({ ...base, grant }, { view: view(), policyFile: "/d/policy.yaml", duration: "10m" });
  assert.match(forLines[1] as string, /^  grant g1: claude's requests matching rule guarded\/default are allowed for 10m \(until /);
  const always = decisionLines({ ...base, ruleAdded: { profile: "guarded", name: "rules[3]", text: "- verb: delete\n  action: allow\n" } }, { view: view(), policyFile: "/d/policy.yaml" });
  assert.deepEqual(always.slice(1), ["  added rule rules[3] to profile guarded in /d/policy.yaml:", "    - verb: delete", "      action: allow"]);
  assert.deepEqual(decisionLines({ ...base, outcome: "denied" }, { view: view(), policyFile: "", reason: "not today" }), [
    'denied a1b2c3: delete namespaces "prod" (agent claude)',
    "  the agent reads: Denied by the approver: not today",
  ]);
});
