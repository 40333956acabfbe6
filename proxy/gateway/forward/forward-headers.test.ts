import { test } from "node:test";
import assert from "node:assert/strict";
import { requestHeadersForUpstream, responseHeadersForAgent } from "./forward-headers.js";

const raw = [
  "Host", "127.0.0.1:16443",
  "Authorization", "Bearer chp_agent",
  "Impersonate-User", "admin",
  "Accept", "application/json",
  "Connection", "keep-alive, X-Secret-Hop",
  "X-Secret-Hop", "1",
  "Keep-Alive", "timeout=5",
  "Transfer-Encoding", "chunked",
  "Upgrade", "websocket",
  "Sec-WebSocket-Protocol", "v5.channel.k8s.io",
  "User-Agent", "kubectl/v1.33",
];

test("the agent's credential, impersonation and hop-by-hop headers never reach the upstream", () => {
  const names = requestHeadersForUpstream(raw, false).map(([n]) => n.toLowerCase());
  for (const gone of ["host", "authorization", "impersonate-user", "connection", "x-secret-hop", "keep-alive", "transfer-encoding", "upgrade"]) {
    assert.ok(!names.includes(gone), gone);
  }
  assert.deepEqual(names, ["accept", "sec-websocket-protocol", "user-agent"]);
});

test("an upgrade keeps Upgrade and asks for Connection: Upgrade, still without the agent's credential", () => {
  const headers = requestHeadersForUpstream(raw, true);
  assert.deepEqual(headers.find(([n]) => n === "Upgrade"), ["Upgrade", "websocket"]);
  assert.deepEqual(headers.at(-1), ["Connection", "Upgrade"]);
  assert.ok(!headers.some(([n]) => /^(authorization|impersonate-user)$/i.test(n)));
});

test("response hop-by-hop headers are dropped, content headers kept", () => {
  const headers = responseHeadersForAgent(["Content-Type", "application/json", "Transfer-Encoding", "chunked", "Connection", "close", "Audit-Id", "x"]);
  assert.deepEqual(headers, [["Content-Type", "application/json"], ["Audit-Id", "x"]]);
});
