import { test } from "node:test";
import assert from "node:assert/strict";
import { ApprovalQueue } from "./approval-queue.js";
import type { ApprovalView } from "../control/contract.js";

function view(id: string): ApprovalView {
  return {
    id,
    createdAt: "",
    expiresAt: "",
    agent: "a",
    run: null,
    profile: "guarded",
    summary: "delete pods",
    verb: "delete",
    apiGroup: "",
    resource: "pods",
    subresource: "",
    namespace: "d",
    name: "p",
    path: "/",
    rule: { profile: "guarded", name: "default", source: "default" },
    reason: null,
    exec: null,
    object: null,
    preview: null,
    alwaysRule: "",
  };
}

test("a held request ends once, with the first outcome; later answers find nothing to settle", async () => {
  const queue = new ApprovalQueue(60_000);
  const held = queue.hold(view("x"), new AbortController().signal);
  assert.equal(queue.list().length, 1);
  assert.equal(queue.settle("x", { kind: "denied", reason: "no" }), true);
  assert.equal(queue.settle("x", { kind: "allowed" }), false);
  assert.deepEqual(await held, { kind: "denied", reason: "no" });
  assert.equal(queue.list().length, 0);
});

test("an unanswered request times out", async () => {
  const queue = new ApprovalQueue(30);
  assert.deepEqual(await queue.hold(view("t"), new AbortController().signal), { kind: "timeout" });
});

test("the agent hanging up withdraws the request, also if it hung up before it was queued", async () => {
  const queue = new ApprovalQueue(60_000);
  const abort = new AbortController();
  const held = queue.hold(view("w"), abort.signal);
  abort.abort();
  assert.deepEqual(await held, { kind: "withdrawn" });
  const gone = new AbortController();
  gone.abort();
  assert.deepEqual(await queue.hold(view("w2"), gone.signal), { kind: "withdrawn" });
  assert.equal(queue.list().length, 0);
});

test("shutdown fails every held request closed and announces the change", async () => {
  const queue = new ApprovalQueue(60_000);
  let changes = 0;
  queue.on("change", () => changes++);
  const a = queue.hold(view("a"), new AbortController().signal);
  const b = queue.hold(view("b"), new AbortController().signal);
  queue.closeAll();
  assert.deepEqual(await a, { kind: "shutdown" });
  assert.deepEqual(await b, { kind: "shutdown" });
  assert.equal(changes, 4, "two holds and two settlements");
});
