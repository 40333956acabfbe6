// `chaperone policy check|explain` as a person uses them: offline, from the data dir's files, with
// errors a person (or an editor) can jump to — and explain's answer matches what the gateway does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaperone } from "../support/chaperone-cli.js";
import { tempDir } from "../support/temp-dir.js";
import { startGatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { result } from "../support/control-api.js";
import type { ExplainResult } from "../../proxy/control/contract.js";
import { assertOneLineError } from "../support/assert-cli.js";

const TEST_TIMEOUT = { timeout: 60_000 };

const DEV_POLICY = [
  "version: 1",
  "profiles:",
  "  dev:",
  "    extends: guarded",
  "    rules:",
  "      - id: no-prod",
  "        namespace: prod",
  "        action: deny",
  "        message: prod is off limits to agents",
  "",
].join("\n");


/** A data dir with agents (profiles) registered and, optionally, a policy file: no engine. */
async function dataDirWith(t: { after(fn: () => unknown): void }, agents: Record<string, string>, policy?: string): Promise<string> {
  const dataDir = join(tempDir(t), "data");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (policy !== undefined) writeFileSync(join(dataDir, "policy.yaml"), policy);
  for (const [name, profile] of Object.entries(agents)) {
    const added = await chaperone(["agent", "add", name, "--profile", profile, "--data-dir", dataDir]);
    assert.equal(added.code, 0, added.stderr);
  }
  return dataDir;
}

test("policy check without a policy file says the built-in profiles apply", TEST_TIMEOUT, async (t) => {
  const dataDir = join(tempDir(t), "data");
  const checked = await chaperone(["policy", "check", "--data-dir", dataDir]);
  assert.equal(checked.code, 0, checked.stderr);
  assert.equal(checked.stdout, `ok: ${join(dataDir, "policy.yaml")} does not exist, so the built-in profiles apply (3 profiles: read-only, guarded, strict)\n`);
});

test("policy check on a valid file prints ok with every profile, and warns about an agent whose profile is missing", TEST_TIMEOUT, async (t) => {
  const dataDir = await dataDirWith(t, { claude: "guarded" }, DEV_POLICY);
  const checked = await chaperone(["policy", "check", "--data-dir", dataDir]);
  assert.equal(checked.code, 0, checked.stderr);
  assert.equal(checked.stdout, `ok: ${join(dataDir, "policy.yaml")} (4 profiles: read-only, guarded, strict, dev)\n`);

  const other = join(dataDir, "..", "other.yaml");
  writeFileSync(other, "version: 1\n");
  const explicit = await chaperone(["policy", "check", other, "--data-dir", dataDir]);
  assert.equal(explicit.stdout, `ok: ${other} (3 profiles: read-only, guarded, strict)\n`);

  const withDev = await dataDirWith(t, { ci: "dev" }, DEV_POLICY);
  writeFileSync(join(withDev, "policy.yaml"), "version: 1\n");
  const warned = await chaperone(["policy", "check", "--data-dir", withDev]);
  assert.equal(warned.code, 0);
  assert.match(warned.stdout, /\nwarning: agent "ci" has the profile "dev", which this policy does not define; its requests will be denied\n$/);
});

test("policy check prints one FILE:LINE:COLUMN FIELD: MESSAGE line per error and exits 1", TEST_TIMEOUT, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "bad.yaml");
  writeFileSync(file, ["version: 1", "profiles:", "  dev:", "    extends: guarded", "    rules:", "      - verb: frobnicate", "        action: allow", "      - verb: get", "        action: maybe", ""].join("\n"));
  const checked = await chaperone(["policy", "check", file]);
  assert.equal(checked.code, 1);
  const lines = checked.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2, checked.stdout);
  assert.match(lines[0] as string, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:15 profiles\\.dev\\.rules\\[0\\]\\.verb: .+`));
  assert.match(lines[1] as string, /:9:17 profiles\.dev\.rules\[1\]\.action: unknown action "maybe"/);
  assertOneLineError(checked, /policy check: .*bad\.yaml has 2 errors$/);
  assertOneLineError(await chaperone(["policy", "check", join(dir, "missing.yaml")]), /policy check: .*missing\.yaml does not exist/);
  assertOneLineError(await chaperone(["policy", "frob"]), /policy: unknown subcommand "frob"/);
});

test("policy explain works offline: decision, deciding rule, guardrails and matches", TEST_TIMEOUT, async (t) => {
  const dataDir = await dataDirWith(t, { claude: "guarded", ci: "dev" }, DEV_POLICY);
  const explain = (agent: string, ...words: string[]) => chaperone(["policy", "explain", "--agent", agent, "--data-dir", dataDir, "--", ...words]);

  const namespaceDelete = await explain("claude", "delete", "namespaces", "kube-public");
  assert.equal(namespaceDelete.code, 0, namespaceDelete.stderr);
  assert.equal(
    namespaceDelete.stdout,
    [
      'request:  delete namespaces "kube-public"  (agent claude, profile guarded)',
      "decision: ask",
      "rule:     guarded/namespace-delete (guardrail)",
      'message:  delete namespaces "kube-public": guardrail namespace-delete: it deletes the namespace "kube-public" and everything in it',
      "guardrails tripped:",
      '  namespace-delete (ask): it deletes the namespace "kube-public" and everything in it',
      "matching rules: none",
      "",
    ].join("\n"),
  );

  const prod = await explain("ci", "get", "pods", "web", "-n", "prod");
  assert.equal(prod.code, 0, prod.stderr);
  assert.match(prod.stdout, /^decision: deny$/m);
  assert.match(prod.stdout, /^rule: {5}dev\/no-prod \(policy-file\) at policy\.yaml:6:9$/m);
  assert.match(prod.stdout, /^message: {2}chaperone: prod is off limits to agents$/m);
  assert.match(prod.stdout, /^matching rules:\n {2}allow {2}guarded\/reads \(builtin\)\n {2}deny {3}dev\/no-prod \(policy-file\) at policy\.yaml:6:9$/m);

  const exec = await explain("claude", "exec", "pods/exec", "nginx", "-n", "default");
  assert.match(exec.stdout, /^request: {2}exec pods\/exec "nginx" in namespace "default" {2}\(agent claude, profile guarded\)\ndecision: ask\nrule: {5}guarded\/default \(default\)$/m);

  const version = await explain("claude", "get", "/version");
  assert.match(version.stdout, /^request: {2}GET \/version .*\ndecision: allow\nrule: {5}guarded\/reads \(builtin\)$/m);

  const scale = await explain("claude", "patch", "deployments.apps/scale", "web", "-n", "dev");
  assert.match(scale.stdout, /^decision: allow\nrule: {5}guarded\/writes \(builtin\)$/m);
  assert.match(scale.stdout, /^note: explain sees no request body/m);
});

test("policy explain errors are one line: unknown agent, missing --agent, a request that is not one", TEST_TIMEOUT, async (t) => {
  const dataDir = await dataDirWith(t, { claude: "guarded" });
  const d = ["--data-dir", dataDir];
  assertOneLineError(await chaperone(["policy", "explain", "--agent", "bob", ...d, "--", "get", "pods"]), /policy explain: no agent named "bob" in .* \(agents: claude\)/);
  assertOneLineError(await chaperone(["policy", "explain", ...d, "--", "get", "pods"]), /policy explain: missing --agent NAME/);
  assertOneLineError(await chaperone(["policy", "explain", "--agent", "claude", ...d, "--", "get"]), /expected -- VERB RESOURCE/);
  assertOneLineError(await chaperone(["policy", "explain", "--agent", "claude", ...d, "--", "delete", "pods", "web"]), /policy explain: delete pods needs a namespace \(-n NAMESPACE\)/);
  assertOneLineError(await chaperone(["policy", "explain", "--agent", "claude", ...d, "--", "get", "deploy", "web", "-n", "x"]), /short name for deployments\.apps/);
});

test("policy explain predicts what the gateway does, and the control API's explain agrees with it", TEST_TIMEOUT, async (t) => {
  const fx = await startGatewayFixture(t, { policy: DEV_POLICY, profile: "dev" });
  const explain = (...words: string[]) => chaperone(["policy", "explain", "--agent", "claude", "--data-dir", fx.dataDir, "--", ...words]);

  const allowed = await explain("get", "pods", "-n", "default");
  assert.match(allowed.stdout, /^decision: allow$/m);
  assert.equal((await kubectl(fx.agentKubeconfig, ["get", "pods", "-n", "default"], { env: fx.env })).code, 0);

  const denied = await explain("get", "pods", "-n", "prod");
  assert.match(denied.stdout, /^decision: deny$/m);
  const refused = await kubectl(fx.agentKubeconfig, ["get", "pods", "-n", "prod"], { env: fx.env });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /prod is off limits to agents/);

  const viaApi = await result<ExplainResult>(fx.dataDir, "POST", "/api/v1/policy/explain", { agent: "claude", verb: "get", resource: "pods", namespace: "prod" });
  assert.equal(viaApi.action, "deny");
  assert.deepEqual(viaApi.rule, { profile: "dev", name: "no-prod", source: "policy-file" });
});
