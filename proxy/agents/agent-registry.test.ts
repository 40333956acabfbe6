import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRegistry } from "./agent-registry.js";

function dir(t: import("node:test").TestContext): string {
  const d = mkdtempSync(join(tmpdir(), "registry-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test("a token authenticates its agent; another agent's token does not cross over", (t) => {
  const registry = new AgentRegistry(dir(t));
  const a = registry.add("a", "guarded");
  const b = registry.add("b", "read-only");
  assert.equal(registry.authenticate(a.token)?.agent, "a");
  assert.equal(registry.authenticate(b.token)?.profile, "read-only");
  // chp_<16-char id>_<43-char secret>; both parts are base64url and may themselves contain "_".
  const idA = a.token.slice(4, 20);
  const secretB = b.token.slice(-43);
  assert.equal(registry.authenticate(`chp_${idA}_${secretB}`), null, "id of one agent with the secret of another");
});

test("the registry file holds a hash, never the token's secret", (t) => {
  const d = dir(t);
  const { token } = new AgentRegistry(d).add("a", "guarded");
  const secret = token.slice(-43);
  assert.ok(!readFileSync(join(d, "agents.json"), "utf8").includes(secret));
});

test("a revocation written by another process is seen on the next authentication", (t) => {
  const d = dir(t);
  const engine = new AgentRegistry(d);
  const cli = new AgentRegistry(d);
  const { token } = cli.add("a", "guarded");
  assert.equal(engine.authenticate(token)?.agent, "a", "an agent added elsewhere is picked up");
  cli.revoke("a");
  assert.equal(engine.authenticate(token), null);
});

test("a revoked name can be added again with a new token; the old one stays dead", (t) => {
  const registry = new AgentRegistry(dir(t));
  const first = registry.add("a", "guarded");
  registry.revoke("a");
  const second = registry.add("a", "strict");
  assert.equal(registry.authenticate(first.token), null);
  assert.equal(registry.authenticate(second.token)?.profile, "strict");
});
