import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import type { ApprovalView, DecideRequest, DecideResult } from "../../control/contract.js";
import { CliError } from "../cli-error.js";
import { ApprovalWatcher, WATCH_PROMPT } from "./approvals-watch.js";

function view(id: string, minutesAgo: number, overrides: Partial<ApprovalView> = {}): ApprovalView {
  const now = Date.now();
  return {
    id,
    createdAt: new Date(now - minutesAgo * 60_000).toISOString(),
    expiresAt: new Date(now + 5 * 60_000).toISOString(),
    agent: "claude",
    run: null,
    profile: "guarded",
    summary: `delete configmaps "${id}" in namespace "default"`,
    verb: "delete",
    apiGroup: "",
    resource: "configmaps",
    subresource: "",
    namespace: "default",
    name: id,
    path: `/api/v1/namespaces/default/configmaps/${id}`,
    rule: { profile: "guarded", name: "default", source: "default" },
    reason: "needs approval",
    exec: null,
    object: null,
    preview: null,
    alwaysRule: "- verb: delete\n  action: allow\n",
    ...overrides,
  };
}

/** A watcher on pipes, with the engine's decide route replaced by a recorder. */
function harness(decideImpl?: (id: string, request: DecideRequest) => Promise<DecideResult>) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d: Buffer) => (text += d.toString("utf8")));
  const decisions: [string, DecideRequest][] = [];
  const watcher = new ApprovalWatcher(
    (id, request) => {
      decisions.push([id, request]);
      return decideImpl ? decideImpl(id, request) : Promise.resolve({ id, outcome: request.decision === "deny" ? "denied" : "allowed", grant: null, ruleAdded: null });
    },
    { policyFile: "/d/policy.yaml", input, output },
  );
  const running = watcher.run();
  let cursor = 0;
  return {
    watcher,
    running,
    decisions,
    output: () => text,
    send: (line: string) => input.write(`${line}\n`),
    end: () => input.end(),
    /** Resolves once `pattern` appears after what earlier waits consumed. */
    async expect(pattern: RegExp | string, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rest = text.slice(cursor);
        const index = typeof pattern === "string" ? rest.indexOf(pattern) : rest.search(pattern);
        if (index !== -1) {
          const length = typeof pattern === "string" ? pattern.length : (pattern.exec(rest)?.[0].length ?? 0);
          cursor += index + length;
          return;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)} in:\n${rest}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

test("piped answers are used in order for requests taken oldest first, and the watch ends with its input", { timeout: 10_000 }, async () => {
  const h = harness();
  h.send("a");
  h.send("d use staging");
  h.send("f");
  h.send("90s");
  h.end();
  h.watcher.onApprovals([view("newest", 1), view("oldest", 3), view("middle", 2)]);
  assert.equal(await h.running, 0);
  assert.deepEqual(h.decisions, [
    ["oldest", { decision: "allow-once" }],
    ["middle", { decision: "deny", reason: "use staging" }],
    ["newest", { decision: "allow-for", minutes: 1.5 }],
  ]);
  assert.match(h.output(), /allowed oldest: .*, once\n/);
  assert.match(h.output(), /denied middle: .*\n  the agent reads: Denied by the approver: use staging\n/);
});

test("a request that disappears while asked about is dropped with a note, and the next one is asked", { timeout: 10_000 }, async () => {
  const h = harness();
  h.watcher.onApprovals([view("one", 2)]);
  await h.expect("request one from claude");
  await h.expect(WATCH_PROMPT);
  h.watcher.onApprovals([view("two", 1)]);
  await h.expect('note: one (delete configmaps "one" in namespace "default") is no longer pending: decided elsewhere or withdrawn\n');
  await h.expect("request two from claude");
  await h.expect(WATCH_PROMPT);
  h.send("s");
  await h.expect("skipped two; it stays pending");
  h.end();
  assert.equal(await h.running, 0);
  assert.deepEqual(h.decisions, [], "nothing was decided for a request that had gone");
});

test("a request arriving during a prompt is queued with a one-line notice, then shown in full", { timeout: 10_000 }, async () => {
  const h = harness();
  h.watcher.onApprovals([view("first", 2)]);
  await h.expect(WATCH_PROMPT);
  h.watcher.onApprovals([view("first", 2), view("second", 1)]);
  await h.expect('(queued second from claude: delete configmaps "second" in namespace "default")');
  h.send("a");
  await h.expect("allowed first");
  await h.expect("request second from claude");
  await h.expect(WATCH_PROMPT);
  h.end();
  assert.equal(await h.running, 0);
});

test("a dry run that finishes while asking is shown, and the question asked again", { timeout: 10_000 }, async () => {
  const h = harness();
  const pending = { state: "pending" as const, status: null, rejected: false, message: null, diff: null };
  h.watcher.onApprovals([view("x", 1, { preview: pending })]);
  await h.expect("  preview:  dry run pending…\n");
  await h.expect(WATCH_PROMPT);
  h.watcher.onApprovals([view("x", 1, { preview: { state: "ready", status: 404, rejected: true, message: 'configmaps "x" not found', diff: null } })]);
  await h.expect('\n  preview:  would be rejected: configmaps "x" not found\n');
  await h.expect(WATCH_PROMPT);
  h.send("d");
  await h.expect("denied x");
  h.end();
  assert.equal(await h.running, 0);
  assert.deepEqual(h.decisions, [["x", { decision: "deny" }]]);
});

test("an answer the engine refuses is reported and asked again while the request is still pending", { timeout: 10_000 }, async () => {
  let calls = 0;
  const h = harness(async (id) => {
    calls += 1;
    if (calls === 1) throw new CliError("the policy file has a layout chaperone cannot edit; add the rule by hand");
    return { id, outcome: "allowed", grant: null, ruleAdded: null };
  });
  h.watcher.onApprovals([view("x", 1)]);
  await h.expect(WATCH_PROMPT);
  h.send("l");
  await h.expect("could not answer x: the policy file has a layout chaperone cannot edit; add the rule by hand\n");
  await h.expect(WATCH_PROMPT);
  h.send("a");
  await h.expect("allowed x");
  h.end();
  assert.equal(await h.running, 0);
  assert.deepEqual(h.decisions.map(([, r]) => r.decision), ["always", "allow-once"]);
});

test("unknown answers get the help line; a duration without digits is refused and asked again", { timeout: 10_000 }, async () => {
  const h = harness();
  h.watcher.onApprovals([view("x", 1)]);
  await h.expect(WATCH_PROMPT);
  h.send("yes please");
  await h.expect("answer a (allow once), f N");
  await h.expect(WATCH_PROMPT);
  h.send("f soon");
  await h.expect('allow for: "soon" is not a duration');
  await h.expect(WATCH_PROMPT);
  h.send("f 2h");
  await h.expect("allowed x");
  h.end();
  assert.equal(await h.running, 0);
  assert.deepEqual(h.decisions, [["x", { decision: "allow-for", minutes: 120 }]]);
});

test("end of input while asking leaves the request pending; a lost stream ends the watch with one line", { timeout: 10_000 }, async () => {
  const h = harness();
  h.watcher.onApprovals([view("x", 1)]);
  await h.expect(WATCH_PROMPT);
  h.end();
  assert.equal(await h.running, 0);
  assert.match(h.output(), /input ended; x stays pending\n$/);

  const lost = harness();
  lost.watcher.onApprovals([view("y", 1)]);
  await lost.expect(WATCH_PROMPT);
  lost.watcher.onStreamEnd("the engine closed the event stream");
  await assert.rejects(lost.running, (error: unknown) => error instanceof CliError && error.message === "approvals watch: the engine closed the event stream");
  assert.deepEqual(lost.decisions, []);
});
