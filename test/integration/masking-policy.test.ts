// The policy decides what is masked: a rule with `reveal: true` lets one named Secret through
// unmasked (and the engine says so in its log), a profile can turn masking off, and whatever an
// agent sees, the engine's own records (the audit log) hold masked bodies only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { MASKING_POLICY, PLACEHOLDER, formsOf, putSecret, secretValue } from "./masking-fixture.js";

function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("masking and the policy", { timeout: 120_000 }, () => {
  let fx: GatewayFixture;
  const scope = cleanupScope();
  after(() => scope.run());
  const ciToken = secretValue("ci");
  const other = secretValue("other");

  before(async () => {
    fx = await startGatewayFixture(scope, { policy: MASKING_POLICY, profile: "masked", serveArgs: ["--audit-level", "RequestResponse"] });
    putSecret(fx, "ci-token", { token: ciToken });
    putSecret(fx, "other", { token: other });
  });

  it("a rule with reveal: true shows its Secret unmasked, logs that it did, and masks everything else", async () => {
    const revealing = await fx.addAgent("ci-bot", "revealing");
    const shown = await kubectl(revealing, ["get", "secret", "ci-token", "-o", "jsonpath={.data.token}"], { env: fx.env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(Buffer.from(shown.stdout, "base64").toString("utf8"), ciToken);
    const masked = await kubectl(revealing, ["get", "secret", "other", "-o", "jsonpath={.data.token}"], { env: fx.env });
    assert.match(Buffer.from(masked.stdout, "base64").toString("latin1"), PLACEHOLDER);
    // The list is not what the rule names: masked too.
    const list = await kubectl(revealing, ["get", "secrets", "-o", "json"], { env: fx.env });
    assert.ok(!list.stdout.includes(Buffer.from(ciToken).toString("base64")));
    assert.match(fx.server.output(), /revealed unmasked to agent "ci-bot" by rule revealing\/read-ci-token: GET \/api\/v1\/namespaces\/default\/secrets\/ci-token/);

    // The same request from an agent without the rule is masked.
    const plain = await kubectl(fx.agentKubeconfig, ["get", "secret", "ci-token", "-o", "jsonpath={.data.token}"], { env: fx.env });
    assert.match(Buffer.from(plain.stdout, "base64").toString("latin1"), PLACEHOLDER);
  });

  it("the audit log never holds a secret value, even for revealed responses and Secret writes", async () => {
    const written = secretValue("written");
    const created = await kubectl(fx.agentKubeconfig, ["create", "-f", "-"], {
      env: fx.env,
      input: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "written", namespace: "default" }, stringData: { token: written } }),
    });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(Buffer.from((fx.cluster.store.get("secrets", "default", "written")?.["data"] as Record<string, string>)["token"] ?? "", "base64").toString(), written);
    // Give the audit writer its batch interval.
    await new Promise((r) => setTimeout(r, 1_500));
    const files = filesUnder(join(fx.dataDir, "audit"));
    assert.ok(files.length > 0, "the audit log exists");
    const all = files.map((f) => readFileSync(f, "utf8")).join("\n");
    assert.ok(all.includes("chaperone-masked-") || all.includes(Buffer.from("chaperone-masked-").toString("base64").slice(0, 20)), "the audit log holds masked bodies");
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const value of [ciToken, other, written]) {
        for (const form of formsOf(value)) assert.ok(!text.includes(form), `${file} holds ${JSON.stringify(form)}`);
      }
    }
  });
});
