import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { runPasses, newGatewayRequest, type GatewayRequest, type Pass } from "./gateway-request.js";
import { statusFor } from "./status.js";

function request(): GatewayRequest {
  return newGatewayRequest({} as IncomingMessage, false, new AbortController().signal);
}

function recording(name: string, log: string[], outcome?: ReturnType<typeof statusFor>, async = false): Pass {
  return {
    name,
    run() {
      log.push(name);
      return async ? Promise.resolve(outcome) : outcome;
    },
  };
}

test("passes run in order and the first answer stops the rest", () => {
  const log: string[] = [];
  const denied = statusFor("Forbidden", "no");
  const outcome = runPasses([recording("a", log), recording("b", log, denied), recording("c", log)], request());
  assert.equal(outcome, denied);
  assert.deepEqual(log, ["a", "b"]);
});

test("all-synchronous passes that let the request through return synchronously", () => {
  const log: string[] = [];
  const outcome = runPasses([recording("a", log), recording("b", log)], request());
  assert.equal(outcome, undefined);
  assert.deepEqual(log, ["a", "b"]);
});

test("an asynchronous pass in the middle keeps the order and can still answer", async () => {
  const log: string[] = [];
  const denied = statusFor("Forbidden", "later");
  const outcome = runPasses(
    [recording("a", log), recording("b", log, undefined, true), recording("c", log, denied), recording("d", log)],
    request(),
  );
  assert.ok(outcome instanceof Promise);
  assert.equal(await outcome, denied);
  assert.deepEqual(log, ["a", "b", "c"]);
});
