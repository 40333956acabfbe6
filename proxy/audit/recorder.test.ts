import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import { Recorder } from "./recorder.js";
import { DEFAULT_AUDIT_SETTINGS } from "./audit-settings.js";
import { newGatewayRequest, type GatewayRequest } from "../gateway/gateway-request.js";
import { classifyRequest, type RequestInfo } from "../gateway/request-info.js";
import { auditEventsIn } from "./test-helpers.js";

function request(method: string, url: string): GatewayRequest {
  const req = { method, url, headers: { "user-agent": "kubectl/test" }, socket: { remoteAddress: "127.0.0.1" } } as unknown as IncomingMessage;
  const r = newGatewayRequest(req, false, new AbortController().signal);
  r.identity = { agent: "claude", profile: "guarded", run: "run-1", tokenId: "tok" };
  r.info = classifyRequest(method, url) as RequestInfo;
  r.decision = { action: "allow", rule: { profile: "guarded", name: "reads", source: "builtin" }, message: null };
  return r;
}

test("the record pass lets reads through at once and holds a write until its record is synced", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "chaperone-recorder-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const recorder = new Recorder({ dataDir, settings: DEFAULT_AUDIT_SETTINGS, upstream: { context: "c", server: "https://s" }, log: () => {} });
  assert.equal(recorder.beforeForward(request("GET", "/api/v1/namespaces/default/pods")), undefined, "a read is not held");
  const write = request("DELETE", "/api/v1/namespaces/default/pods/x");
  const held = recorder.beforeForward(write);
  assert.ok(held instanceof Promise);
  assert.equal(await held, undefined);
  const events = auditEventsIn(join(dataDir, "audit"));
  const received = events.find((e) => e.auditID === write.id);
  assert.equal(received?.stage, "RequestReceived");
  assert.equal(received?.annotations["chaperone.dev/run"], "run-1");
  await recorder.close();
});

test("while the audit log cannot be written, every request is refused with a Status saying why", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "chaperone-recorder-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  let full = false;
  const recorder = new Recorder({
    dataDir,
    settings: DEFAULT_AUDIT_SETTINGS,
    upstream: { context: "c", server: "https://s" },
    log: () => {},
    writeFault: () => (full ? Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }) : undefined),
  });
  full = true;
  const refused = await recorder.beforeForward(request("POST", "/api/v1/namespaces/default/configmaps"));
  assert.equal(refused?.code, 503);
  assert.match(refused?.message ?? "", /the audit log cannot be written \(ENOSPC: no space left on device, write\); the request was not sent/);
  const read = await recorder.beforeForward(request("GET", "/api/v1/namespaces/default/pods"));
  assert.equal(read?.code, 503, "reads wait for a durable record too while the log is failing");
  full = false;
  assert.equal(await recorder.beforeForward(request("GET", "/api/v1/namespaces/default/pods")), undefined);
  assert.equal(recorder.beforeForward(request("GET", "/api/v1/namespaces/default/pods")), undefined, "healthy again: reads are not held");
  await recorder.close();
});
