// A recording that cannot be written fails closed: a new exec session is refused with a Status
// kubectl prints, saying why, and nothing reaches the pod. Other requests are unaffected.
import { it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startGatewayFixture, EVERYDAY_POLICY } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { waitForEvent } from "../support/audit-events.js";

/** Makes a folder unwritable: by mode, or (as root, who ignores modes) with the immutable attribute. */
function makeUnwritable(dir: string): (() => void) | null {
  chmodSync(dir, 0o500);
  let immutable = false;
  if (process.getuid?.() === 0) {
    try {
      execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
      immutable = true;
    } catch {
      chmodSync(dir, 0o700);
      return null;
    }
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (immutable) execFileSync("chattr", ["-i", dir]);
    chmodSync(dir, 0o700);
  };
}

it("exec is refused with a Status saying why when its recording cannot be written", async (t) => {
  const fx = await startGatewayFixture(t, { policy: EVERYDAY_POLICY, profile: "everyday" });
  const recordings = join(fx.dataDir, "recordings");
  mkdirSync(recordings, { recursive: true });
  const restore = makeUnwritable(recordings);
  if (!restore) {
    t.skip("running as root without chattr: cannot make the recordings folder unwritable");
    return;
  }
  try {
    for (const version of ["1.27", "1.33"] as const) {
      const before = fx.cluster.requests.filter((r) => r.path.includes("/exec")).length;
      const refused = await kubectl(fx.agentKubeconfig, ["exec", "nginx", "--", "echo", "should-not-run"], { version, env: fx.env });
      assert.notEqual(refused.code, 0, `kubectl ${version} exec should fail`);
      assert.match(refused.stderr, /exec and attach sessions are recorded, and the recording cannot be written \((EACCES|EPERM)/, refused.stderr);
      assert.equal(refused.stdout, "");
      assert.equal(fx.cluster.requests.filter((r) => r.path.includes("/exec")).length, before, "nothing reached the pod");
    }
    const event = await waitForEvent(fx.dataDir, "the refused exec", (e) => e.verb === "exec" && e.stage === "ResponseComplete");
    assert.equal(event.responseStatus?.code, 500);
    assert.match(event.responseStatus?.message ?? "", /recording cannot be written/);

    const read = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
    assert.equal(read.code, 0, "other requests still work");
  } finally {
    // The temporary folder can only be removed once it is writable again.
    restore();
  }

  const works = await kubectl(fx.agentKubeconfig, ["exec", "nginx", "--", "echo", "recorded-again"], { env: fx.env });
  assert.equal(works.code, 0, works.stderr);
  assert.equal(works.stdout, "recorded-again\n");
});
