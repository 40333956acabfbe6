// The command line as a person uses it: help, one-line errors, agent management, file modes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { statSync, readFileSync } from "node:fs";
import { chaperone, serve } from "../support/chaperone-cli.js";
import { tempDir } from "../support/temp-dir.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";
import { writeDevKubeconfig } from "../support/dev-kubeconfig.js";
import { assertOneLineError } from "../support/assert-cli.js";

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}


function devKubeconfig(dir: string, namespace?: string): string {
  return writeDevKubeconfig(join(dir, "dev.kubeconfig"), namespace ? { namespace } : {});
}

test("--help lists the commands and exits 0", async () => {
  const result = await chaperone(["--help"]);
  assert.equal(result.code, 0);
  for (const command of ["serve", "agent add", "agent list", "agent revoke"]) assert.ok(result.stdout.includes(command), command);
});

test("an unknown command or flag is one readable line and a non-zero exit", async () => {
  assertOneLineError(await chaperone(["frobnicate"]), /unknown command "frobnicate"/);
  assertOneLineError(await chaperone(["serve", "--bogus"]), /unknown option --bogus/);
  assertOneLineError(await chaperone(["serve", "--listen"]), /--listen needs a value/);
});

test("serve refuses a missing kubeconfig, an unknown context and a non-loopback address, each in one line", async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, "data");
  assertOneLineError(await chaperone(["serve", "--data-dir", dataDir, "--kubeconfig", join(dir, "nope")]), /kubeconfig .*nope does not exist/);
  const kubeconfig = devKubeconfig(dir);
  assertOneLineError(await chaperone(["serve", "--data-dir", dataDir, "--kubeconfig", kubeconfig, "--context", "prod"]), /context "prod" not found .*known: work/);
  assertOneLineError(
    await chaperone(["serve", "--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "0.0.0.0:0"]),
    /refusing a non-loopback address.*--allow-remote/,
  );
  assertOneLineError(await chaperone(["serve", "--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "localhost"]), /expected HOST:PORT/);
});

test("agent add writes a 0600 kubeconfig with the gateway, its CA and a fresh 256-bit token, and no developer credential", async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, "data");
  const result = await chaperone(["agent", "add", "claude", "--data-dir", dataDir]);
  assert.equal(result.code, 0, result.stderr);
  const path = result.stdout.trim();
  assert.equal(path, join(dataDir, "kubeconfigs", "claude.kubeconfig"));
  assert.equal(mode(path), 0o600);
  assert.equal(mode(dataDir), 0o700);
  assert.equal(mode(join(dataDir, "ca.key")), 0o600);
  const kubeconfig = readAgentKubeconfig(path);
  assert.equal(kubeconfig.server, "https://127.0.0.1:16443", "the documented default port");
  assert.match(kubeconfig.caPem, /BEGIN CERTIFICATE/);
  assert.match(kubeconfig.token, /^chp_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/);
  assert.doesNotMatch(kubeconfig.raw, /insecure-skip-tls-verify/);
  const registry = readFileSync(join(dataDir, "agents.json"), "utf8");
  assert.ok(!registry.includes(kubeconfig.token.slice(-43)), "the registry stores only a hash of the token");
  assert.equal(mode(join(dataDir, "agents.json")), 0o600);

  const second = await chaperone(["agent", "add", "cursor", "--data-dir", dataDir, "--out", join(dir, "cursor.yaml")]);
  assert.equal(second.code, 0, second.stderr);
  assert.notEqual(readAgentKubeconfig(join(dir, "cursor.yaml")).token, kubeconfig.token);
});

test("agent add refuses a duplicate name, a bad name and an unknown profile", async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, "data");
  assert.equal((await chaperone(["agent", "add", "claude", "--data-dir", dataDir])).code, 0);
  assertOneLineError(await chaperone(["agent", "add", "claude", "--data-dir", dataDir]), /already exists/);
  assertOneLineError(await chaperone(["agent", "add", "Bad Name!", "--data-dir", dataDir]), /invalid agent name/);
  assertOneLineError(await chaperone(["agent", "add", "x", "--profile", "yolo", "--data-dir", dataDir]), /unknown profile "yolo"/);
  assertOneLineError(await chaperone(["agent", "revoke", "ghost", "--data-dir", dataDir]), /no agent named "ghost"/);
});

test("agent list shows agents and whether they are revoked", async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, "data");
  await chaperone(["agent", "add", "claude", "--data-dir", dataDir]);
  await chaperone(["agent", "add", "codex", "--profile", "read-only", "--data-dir", dataDir]);
  await chaperone(["agent", "revoke", "codex", "--data-dir", dataDir]);
  const list = await chaperone(["agent", "list", "--data-dir", dataDir]);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /claude\s+guarded\s+\S+\s+active/);
  assert.match(list.stdout, /codex\s+read-only\s+\S+\s+revoked/);
});

test("the port belongs to the data dir: serve --listen records it and later agent kubeconfigs use it", async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, "data");
  const kubeconfig = devKubeconfig(dir, "team-a");
  const server = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"]);
  const port = new URL(server.proxyUrl).port;
  assert.equal(await server.stop(), 0, "SIGTERM exits 0");
  const added = await chaperone(["agent", "add", "claude", "--data-dir", dataDir]);
  assert.equal(added.code, 0, added.stderr);
  const agent = readAgentKubeconfig(added.stdout.trim());
  assert.equal(agent.server, `https://127.0.0.1:${port}`);
  assert.equal(agent.namespace, "team-a", "the agent's context mirrors the upstream context's namespace");
  // Restarting without --listen reuses the recorded port, so the kubeconfig stays valid.
  const again = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig]);
  try {
    assert.equal(new URL(again.proxyUrl).port, port);
  } finally {
    await again.stop();
  }
});
