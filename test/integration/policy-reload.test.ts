// The policy file is hot-reloaded: a valid edit takes effect on the next request; a broken edit
// is reported and the previous policy stays in force.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { startGatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";

const DENY_DEFAULT_NS = "profiles:\n  guarded:\n    rules:\n      - id: no-default\n        namespace: default\n        verb: list\n        action: deny\n        message: the default namespace is closed today\n";

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("an edit to policy.yaml takes effect without a restart; a broken edit is reported and the old policy stays", async (t) => {
  const fx = await startGatewayFixture(t);
  const policyFile = join(fx.dataDir, "policy.yaml");
  assert.equal((await kubectl(fx.agentKubeconfig, ["get", "configmaps"], { env: fx.env })).code, 0);

  writeFileSync(policyFile, DENY_DEFAULT_NS);
  await eventually(async () => /closed today/.test((await kubectl(fx.agentKubeconfig, ["get", "configmaps"], { env: fx.env })).stderr));

  writeFileSync(policyFile, DENY_DEFAULT_NS.replace("action: deny", "action: dney"));
  await eventually(async () => /policy error \S*policy\.yaml:\d+:\d+ \S*action: unknown action "dney"/.test(fx.server.output()));
  const still = await kubectl(fx.agentKubeconfig, ["get", "configmaps"], { env: fx.env });
  assert.match(still.stderr, /closed today/, "the previous policy is still in force");

  writeFileSync(policyFile, "profiles: {}\n");
  await eventually(async () => (await kubectl(fx.agentKubeconfig, ["get", "configmaps"], { env: fx.env })).code === 0);
});
