// Answering held kubectl requests from the command line: `approvals list|approve|deny` and the
// interactive `approvals watch`, driven through a pipe as a script (or a test) would drive it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { chaperone } from "../support/chaperone-cli.js";
import { spawnWatched } from "../support/spawned.js";
import { kubectl } from "../support/kubectl.js";
import { CLI_PATH, KUBECTL } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";
import { waitForApproval } from "../support/control-api.js";
import { assertOneLineError } from "../support/assert-cli.js";

const TEST_TIMEOUT = { timeout: 60_000 };

function kubectlEnv(fx: GatewayFixture): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig };
}


function configMap(fx: GatewayFixture, name: string): void {
  fx.cluster.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: {} });
}

/** `approvals watch` with its stdin a pipe, read like a terminal transcript. */
function startWatch(t: { after(fn: () => unknown): void }, dataDir: string) {
  const child = spawn(process.execPath, [CLI_PATH, "approvals", "watch", "--data-dir", dataDir], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  /** Where the next `expect` starts looking: prompts repeat, so each one is matched once. */
  let cursor = 0;
  const listeners = new Set<() => void>();
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString("utf8");
    for (const l of listeners) l();
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    send(line: string): void {
      child.stdin.write(`${line}\n`);
    },
    endInput(): void {
      child.stdin.end();
    },
    expect(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(stdout.slice(cursor));
          if (!match) return;
          cursor += match.index + match[0].length;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output after the cursor:\n${stdout.slice(cursor)}\nstderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

const PROMPT = /\[a\]llow once \/ allow \[f\]or N minutes \/ a\[l\]ways \/ \[d\]eny \(reason\) \/ \[s\]kip: /;

test("approvals list shows the held request, id first; approvals approve lets kubectl finish", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  const empty = await chaperone(["approvals", "list", "--data-dir", fx.dataDir]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, "no pending approvals\n");

  fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } });
  const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "scratch", "--wait=false"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.name === "scratch");
  const listed = await chaperone(["approvals", "list", "--data-dir", fx.dataDir]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^${approval.id}  claude  delete namespaces "scratch"  \\(rule guarded/namespace-delete, expires in [0-9ms]+\\)\\n$`));

  const approved = await chaperone(["approvals", "approve", approval.id, "--data-dir", fx.dataDir]);
  assert.equal(approved.code, 0, approved.stderr);
  assert.equal(approved.stdout, `allowed ${approval.id}: delete namespaces "scratch" (agent claude), once\n`);
  assert.equal(await deletion.exited, 0, deletion.output());
  assert.match(deletion.output(), /namespace "scratch" deleted/);
  assert.equal((await chaperone(["approvals", "list", "--data-dir", fx.dataDir])).stdout, "no pending approvals\n");
});

test("approvals deny sends the reason to the agent, whose kubectl fails with it", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "pod", "nginx", "--wait=false"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.name === "nginx");
  const denied = await chaperone(["approvals", "deny", approval.id, "--reason", "scale it down instead", "--data-dir", fx.dataDir]);
  assert.equal(denied.code, 0, denied.stderr);
  assert.equal(
    denied.stdout,
    `denied ${approval.id}: delete pods "nginx" in namespace "default" (agent claude)\n  the agent reads: Denied by the approver: scale it down instead\n`,
  );
  assert.notEqual(await deletion.exited, 0);
  assert.match(deletion.output(), /Denied by the approver: scale it down instead/);
  assert.ok(fx.cluster.store.get("pods", "default", "nginx"), "nothing was deleted");
});

test("approvals approve --for creates a grant that lets the next matching request through", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  configMap(fx, "a");
  configMap(fx, "b");
  const first = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "a"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.name === "a");
  const approved = await chaperone(["approvals", "approve", approval.id, "--for", "10m", "--data-dir", fx.dataDir]);
  assert.equal(approved.code, 0, approved.stderr);
  const lines = approved.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `allowed ${approval.id}: delete configmaps "a" in namespace "default" (agent claude)`);
  assert.match(lines[1] as string, /^  grant \S+: claude's requests matching rule guarded\/default are allowed for 10m \(until .+\)$/);
  assert.equal(await first.exited, 0, first.output());
  const second = await kubectl(fx.agentKubeconfig, ["delete", "configmap", "b"], { env: fx.env, timeoutMs: 15_000 });
  assert.equal(second.code, 0, `the grant answered it: ${second.stderr}`);
});

test("approvals approve --always prints the rule it added to the policy file, which then allows the request", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  const exec = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "echo", "hi"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.subresource === "exec");
  const approved = await chaperone(["approvals", "approve", approval.id, "--always", "--data-dir", fx.dataDir]);
  assert.equal(approved.code, 0, approved.stderr);
  const lines = approved.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `allowed ${approval.id}: exec pods/exec "nginx" in namespace "default" (agent claude)`);
  assert.match(lines[1] as string, new RegExp(`^  added rule \\S+ to profile guarded in ${join(fx.dataDir, "policy.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:$`));
  const ruleText = lines.slice(2).map((l) => l.replace(/^ {4}/, "")).join("\n");
  assert.match(ruleText, /verb: exec/);
  assert.match(ruleText, /name: nginx/);
  assert.equal(await exec.exited, 0, exec.output());
  assert.equal(exec.output(), "hi\n");
  const policy = readFileSync(join(fx.dataDir, "policy.yaml"), "utf8");
  for (const line of lines.slice(3)) assert.ok(policy.includes(line.trim()), `policy.yaml has: ${line.trim()}`);
  const again = await kubectl(fx.agentKubeconfig, ["exec", "nginx", "--", "echo", "hi"], { env: fx.env, timeoutMs: 15_000 });
  assert.equal(again.code, 0, `the rule allows it now: ${again.stderr}`);
});

test("approve and deny errors are one line: unknown id, --for with --always, a duration without a unit", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  const d = ["--data-dir", fx.dataDir];
  assertOneLineError(await chaperone(["approvals", "approve", "nope", ...d]), /no pending approval "nope"/);
  assertOneLineError(await chaperone(["approvals", "deny", "nope", "--reason", "x", ...d]), /no pending approval "nope"/);
  assertOneLineError(await chaperone(["approvals", "approve", "x", "--for", "10m", "--always", ...d]), /--for and --always exclude each other/);
  assertOneLineError(await chaperone(["approvals", "approve", "x", "--for", "10", ...d]), /--for: "10" has no unit; write 10m/);
  assertOneLineError(await chaperone(["approvals", "approve", ...d]), /approvals approve: missing ID/);
  assertOneLineError(await chaperone(["approvals", "deny", "x", "--always", ...d]), /approvals deny: unknown option --always/);
  assertOneLineError(await chaperone(["approvals", "frob", ...d]), /unknown subcommand "frob"/);
});

test("without a running engine every approvals command says so in one line", TEST_TIMEOUT, async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, "data");
  const expected = new RegExp(`^chaperone: no running engine for ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(start it with: chaperone serve\\)$`);
  for (const args of [["list"], ["approve", "abc"], ["deny", "abc"], ["watch"]]) {
    assertOneLineError(await chaperone(["approvals", ...args, "--data-dir", dataDir], { timeoutMs: 10_000 }), expected);
  }
  // A control.json left behind by an engine that died: its pid is gone, and so is its port.
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, "control.json"), JSON.stringify({ url: "http://127.0.0.1:9", token: "x", pid: 2 ** 22 + 12345 }));
  assertOneLineError(await chaperone(["approvals", "list", "--data-dir", dataDir], { timeoutMs: 10_000 }), expected);
  // One whose pid is alive (ours) but nothing listens at the address.
  writeFileSync(join(dataDir, "control.json"), JSON.stringify({ url: "http://127.0.0.1:9", token: "x", pid: process.pid }));
  assertOneLineError(await chaperone(["approvals", "list", "--data-dir", dataDir], { timeoutMs: 10_000 }), expected);
});

test("approvals watch shows a held exec with its command line and the always rule, and allows it once", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  const watch = startWatch(t, fx.dataDir);
  await watch.expect(/watching for requests/);
  const exec = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "sh", "-c", "echo hi there"], kubectlEnv(fx));
  const header = await watch.expect(/request ([0-9a-f]+) from claude, expires in [0-9ms]+\n/);
  const id = header[1] as string;
  await watch.expect(PROMPT);
  const shown = watch.stdout();
  assert.match(shown, /\n  exec pods\/exec "nginx" in namespace "default"\n/);
  assert.match(shown, /\n  rule: {5}guarded\/default \(default\): exec pods\/exec "nginx" in namespace "default" needs approval/);
  assert.match(shown, /\n  exec: {5}sh -c 'echo hi there'/);
  assert.match(shown, /\n  "always" would add to profile guarded:\n    .*\n/);
  watch.send("a");
  await watch.expect(new RegExp(`allowed ${id}: exec pods/exec "nginx" in namespace "default" \\(agent claude\\), once\\n`));
  assert.equal(await exec.exited, 0, exec.output());
  assert.equal(exec.output(), "hi there\n");
  watch.endInput();
  assert.equal(await watch.exited, 0, watch.stderr());
  assert.equal(watch.stderr(), "");
});

test("approvals watch takes requests one at a time in arrival order: deny with a reason, skip, allow for N minutes", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  configMap(fx, "first");
  configMap(fx, "second");
  fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } });
  // Held before the watch starts, in a known order: the watch must begin with the oldest.
  const first = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "first"], kubectlEnv(fx));
  await waitForApproval(fx.dataDir, (a) => a.name === "first");
  const second = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "scratch", "--wait=false"], kubectlEnv(fx));
  await waitForApproval(fx.dataDir, (a) => a.name === "scratch");

  const watch = startWatch(t, fx.dataDir);
  await watch.expect(/request \S+ from claude.*\n  delete configmaps "first" in namespace "default"\n/);
  await watch.expect(PROMPT);
  watch.send("d not this one");
  await watch.expect(/denied \S+: delete configmaps "first".*\n  the agent reads: Denied by the approver: not this one\n/);
  assert.notEqual(await first.exited, 0);
  assert.match(first.output(), /Denied by the approver: not this one/);

  await watch.expect(/request (\S+) from claude.*\n  delete namespaces "scratch"\n  rule: {5}guarded\/namespace-delete \(guardrail\)/);
  await watch.expect(PROMPT);
  watch.send("what?");
  await watch.expect(/answer a \(allow once\), f N/);
  await watch.expect(PROMPT);
  watch.send("s");
  await watch.expect(/skipped \S+; it stays pending/);
  assert.equal(second.child.exitCode, null, "a skipped request keeps waiting");

  // A new request while the watch is idle is shown at once; `f` asks how long.
  const third = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "second"], kubectlEnv(fx));
  await watch.expect(/request \S+ from claude.*\n  delete configmaps "second" in namespace "default"\n/);
  await watch.expect(PROMPT);
  watch.send("f");
  await watch.expect(/allow for how long\? \(minutes, or e\.g\. 90s, 2h\): /);
  watch.send("5");
  await watch.expect(/allowed \S+: delete configmaps "second".*\n  grant \S+: claude's requests matching rule guarded\/default are allowed for 5m/);
  assert.equal(await third.exited, 0, third.output());

  const skipped = await waitForApproval(fx.dataDir, (a) => a.name === "scratch");
  const denied = await chaperone(["approvals", "deny", skipped.id, "--data-dir", fx.dataDir]);
  assert.equal(denied.code, 0, denied.stderr);
  await second.exited;
  watch.endInput();
  assert.equal(await watch.exited, 0, watch.stderr());
  assert.doesNotMatch(watch.stdout(), /no longer pending/, "a skipped request leaving is not news");
});

test("approvals watch drops a request decided elsewhere with a note and moves to the next", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  configMap(fx, "one");
  configMap(fx, "two");
  const watch = startWatch(t, fx.dataDir);
  await watch.expect(/watching for requests/);
  const one = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "one"], kubectlEnv(fx));
  const header = await watch.expect(/request (\S+) from claude.*\n  delete configmaps "one"/);
  const oneId = header[1] as string;
  await watch.expect(PROMPT);
  const two = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "two"], kubectlEnv(fx));
  const queued = await watch.expect(/\(queued (\S+) from claude: delete configmaps "two" in namespace "default"\)/);

  // Another terminal answers the one being shown.
  const elsewhere = await chaperone(["approvals", "approve", oneId, "--data-dir", fx.dataDir]);
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  await watch.expect(new RegExp(`note: ${oneId} \\(delete configmaps "one" in namespace "default"\\) is no longer pending: decided elsewhere or withdrawn\\n`));
  assert.equal(await one.exited, 0, one.output());

  await watch.expect(new RegExp(`request ${queued[1] as string} from claude.*\\n  delete configmaps "two"`));
  await watch.expect(PROMPT);
  // The agent gives up: the request is withdrawn, and the prompt moves on.
  two.child.kill("SIGKILL");
  await watch.expect(/note: \S+ \(delete configmaps "two" in namespace "default"\) is no longer pending: decided elsewhere or withdrawn\n/);
  watch.endInput();
  assert.equal(await watch.exited, 0, watch.stderr());
  assert.ok(fx.cluster.store.get("configmaps", "default", "two"), "the withdrawn request was not applied");
});

test("approvals watch ends with one line when the engine stops", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t);
  const watch = startWatch(t, fx.dataDir);
  await watch.expect(/watching for requests/);
  await fx.server.stop();
  assert.notEqual(await watch.exited, 0);
  assert.match(watch.stderr(), /^chaperone: approvals watch: the engine closed the event stream\n$/);
});
