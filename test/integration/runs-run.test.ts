// `chaperone run`: the command gets a kubeconfig whose token belongs to the run alone, every
// request it makes is tied to the run in the audit log, the token is revoked when it exits, and
// its exit code is passed on.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync, existsSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { startGatewayFixture, EVERYDAY_POLICY, type GatewayFixture } from "../support/gateway-fixture.js";
import { chaperone } from "../support/chaperone-cli.js";
import { CLI_PATH, KUBECTL } from "../support/paths.js";
import { auditEvents, waitFor, waitForEvent } from "../support/audit-events.js";
import type { RunRecord } from "../../proxy/runs/run-store.js";

/** PATH with `kubectl` meaning kubectl 1.33, as an agent's shell would have it. */
function kubectlPath(fx: GatewayFixture): string {
  const bin = join(fx.dir, "bin");
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(KUBECTL["1.33"], join(bin, "kubectl"));
  }
  return `${bin}:${process.env.PATH}`;
}

function runs(fx: GatewayFixture): RunRecord[] {
  return (JSON.parse(readFileSync(join(fx.dataDir, "runs.json"), "utf8")) as { runs: RunRecord[] }).runs;
}

function tokenRevoked(fx: GatewayFixture, tokenId: string): boolean {
  const registry = JSON.parse(readFileSync(join(fx.dataDir, "agents.json"), "utf8")) as { agents: { tokens: { id: string; revokedAt: string | null }[] }[] };
  return registry.agents.some((a) => a.tokens.some((t) => t.id === tokenId && t.revokedAt !== null));
}

describe("chaperone run", () => {
  it("ties every request of the command to the run, revokes its token at exit and passes on the exit code", async (t) => {
    const fx = await startGatewayFixture(t, { policy: EVERYDAY_POLICY, profile: "everyday" });
    const env = { PATH: kubectlPath(fx), HOME: fx.dir };
    const result = await chaperone(
      ["run", "--profile", "everyday", "--name", "cleanup", "--data-dir", fx.dataDir, "--", "sh", "-c", "kubectl get pods; kubectl delete pod x"],
      { env, cwd: fx.dir, timeoutMs: 60_000 },
    );
    assert.equal(result.code, 1, "kubectl delete pod x fails (no such pod), and so does the run");
    assert.match(result.stdout, /nginx/);
    assert.match(result.stderr, /pods "x" not found/);
    const match = /chaperone: run ([0-9a-f]{12}) as agent (run-[0-9a-f]{12}) \(profile everyday\)/.exec(result.stderr);
    assert.ok(match, result.stderr);
    const [, id, agent] = match;

    const run = runs(fx).find((r) => r.id === id)!;
    assert.equal(run.name, "cleanup");
    assert.deepEqual(run.command, ["sh", "-c", "kubectl get pods; kubectl delete pod x"]);
    assert.equal(run.cwd, fx.dir);
    assert.equal(run.status, "exited");
    assert.equal(run.exitCode, 1);
    assert.ok(run.endedAt && run.endedAt >= run.startedAt);
    assert.ok(tokenRevoked(fx, run.tokenId), "the run's token is revoked");
    assert.equal(existsSync(join(fx.dataDir, "runs", `${id}.kubeconfig`)), false, "the run's kubeconfig is gone");

    const deletion = await waitForEvent(fx.dataDir, "the delete of pod x", (e) => e.verb === "delete" && e.objectRef?.name === "x" && e.stage === "ResponseComplete");
    assert.equal(deletion.annotations["chaperone.dev/run"], id);
    assert.equal(deletion.annotations["chaperone.dev/agent"], agent);
    assert.equal(deletion.responseStatus?.code, 404);
    assert.deepEqual(deletion.user.extra, { "chaperone.dev/run": [id] });
    const requests = auditEvents(fx.dataDir).filter((e) => e.annotations["chaperone.dev/event"] === "request" && e.annotations["chaperone.dev/agent"] === agent);
    assert.ok(requests.some((e) => e.verb === "list" && e.objectRef?.resource === "pods"), "the get is tied to the run");
    assert.ok(requests.length >= 2);
    for (const event of requests) assert.equal(event.annotations["chaperone.dev/run"], id, `${event.verb} ${event.requestURI}`);

    await waitForEvent(fx.dataDir, "run.started", (e) => e.annotations["chaperone.dev/event"] === "run.started" && e.annotations["chaperone.dev/run"] === id);
    const ended = await waitForEvent(fx.dataDir, "run.ended", (e) => e.annotations["chaperone.dev/event"] === "run.ended" && e.annotations["chaperone.dev/run"] === id);
    assert.equal(ended.annotations["chaperone.dev/exit-code"], "1");

    const listed = await chaperone(["runs", "list", "--data-dir", fx.dataDir]);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+cleanup\\s+${agent}\\s+everyday\\s+\\S+\\s+\\S+\\s+exit 1\\s+sh -c 'kubectl get pods; kubectl delete pod x'$`, "m"));
    const shown = await chaperone(["runs", "show", id!.slice(0, 6), "--data-dir", fx.dataDir]);
    assert.match(shown.stdout, /requests {2}\d+/);
    assert.match(shown.stdout, /delete {2}pods\/x -n default {2}404/);
    const tail = await chaperone(["audit", "tail", "--run", id!, "--verb", "delete", "--data-dir", fx.dataDir]);
    assert.match(tail.stdout, /run=[0-9a-f]{12} {2}delete {2}pods\/x/);
  });

  it("--agent acts as an existing agent with a token of the run's own, and exit codes pass through", async (t) => {
    const fx = await startGatewayFixture(t, { policy: EVERYDAY_POLICY, profile: "everyday" });
    const env = { PATH: kubectlPath(fx), HOME: fx.dir };
    const result = await chaperone(["run", "--agent", "claude", "--data-dir", fx.dataDir, "--", "sh", "-c", "kubectl get configmaps >/dev/null && exit 7"], { env, timeoutMs: 60_000 });
    assert.equal(result.code, 7, result.stderr);
    const run = runs(fx).at(-1)!;
    assert.equal(run.agent, "claude");
    assert.equal(run.ephemeralAgent, false);
    assert.equal(run.exitCode, 7);
    const list = await waitForEvent(fx.dataDir, "the run's list", (e) => e.verb === "list" && e.annotations["chaperone.dev/run"] === run.id);
    assert.equal(list.annotations["chaperone.dev/agent"], "claude");
    assert.ok(tokenRevoked(fx, run.tokenId));
    // The agent's own token still works: only the run's was revoked.
    const own = JSON.parse(readFileSync(join(fx.dataDir, "agents.json"), "utf8")) as { agents: { name: string; revokedAt: string | null }[] };
    assert.equal(own.agents.find((a) => a.name === "claude")?.revokedAt, null);

    const missing = await chaperone(["run", "--data-dir", fx.dataDir, "--", "no-such-command-anywhere"], { env });
    assert.equal(missing.code, 127);
  });

  it("SIGTERM to chaperone run reaches the command; a killed chaperone run has its token revoked by the engine", async (t) => {
    const fx = await startGatewayFixture(t, { policy: EVERYDAY_POLICY, profile: "everyday" });
    const env = { ...process.env, PATH: kubectlPath(fx), HOME: fx.dir };

    const term = spawn(process.execPath, [CLI_PATH, "run", "--data-dir", fx.dataDir, "--", "sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.05; done"], { env, stdio: "ignore" });
    const termRun = await waitFor("the run to start", () => (existsSync(join(fx.dataDir, "runs.json")) ? runs(fx).find((r) => r.status === "running") : undefined));
    await new Promise((r) => setTimeout(r, 200));
    term.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => term.on("exit", (c) => resolve(c)));
    assert.equal(code, 42);
    assert.ok(tokenRevoked(fx, termRun.tokenId));

    const killed = spawn(process.execPath, [CLI_PATH, "run", "--data-dir", fx.dataDir, "--", "sleep", "30"], { env, stdio: "ignore", detached: true });
    t.after(() => {
      try {
        process.kill(-(killed.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    });
    const killedRun = await waitFor("the second run to start", () => runs(fx).find((r) => r.status === "running" && r.id !== termRun.id));
    killed.kill("SIGKILL");
    const abandoned = await waitFor("the engine to notice", () => runs(fx).find((r) => r.id === killedRun.id && r.status === "abandoned"), 10_000);
    assert.ok(abandoned.endedAt);
    assert.ok(tokenRevoked(fx, killedRun.tokenId));
    await waitForEvent(fx.dataDir, "run.ended (abandoned)", (e) => e.annotations["chaperone.dev/event"] === "run.ended" && e.annotations["chaperone.dev/run-status"] === "abandoned");
  });
});
