// Pod logs and exec output through the gateway: a value the engine knows to be secret — from a
// Secret it saw, or a pod's sensitive env — and what the detectors find are replaced in the
// stream, also base64-encoded and also when split across chunks or frames. kubectl 1.33 execs over
// WebSocket, 1.27 over SPDY.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { spawnWatched } from "../support/spawned.js";
import { KUBECTL, type KubectlVersion } from "../support/paths.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { MASKING_POLICY, PLACEHOLDER, assertNoLeak, putSecret, secretValue } from "./masking-fixture.js";

describe("masked logs and exec", { timeout: 180_000 }, () => {
  let fx: GatewayFixture;
  const scope = cleanupScope();
  after(() => scope.run());
  const dbPassword = secretValue("db");
  const apiToken = secretValue("tok");
  const envPassword = secretValue("env");
  const github = `ghp_${"A1b2C3d4E5f6G7h8I9j0".repeat(2)}`;

  before(async () => {
    fx = await startGatewayFixture(scope, { policy: MASKING_POLICY, profile: "masked" });
    // The agent never reads this Secret: the engine learns it from the pod that references it.
    putSecret(fx, "db-creds", { password: dbPassword, token: apiToken });
    fx.cluster.store.put({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "printer",
        namespace: "default",
        annotations: {
          "test.chaperone.dev/log-lines": JSON.stringify([
            "printer: starting",
            `printer: connecting with password ${dbPassword}`,
            `printer: token (base64) ${Buffer.from(apiToken).toString("base64")}`,
            `printer: GITHUB_TOKEN=${github}`,
            "printer: ready",
          ]),
        },
      },
      spec: {
        containers: [
          {
            name: "app",
            image: "example/printer:1",
            env: [
              { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db-creds", key: "password" } } },
              { name: "SESSION_SECRET", value: envPassword },
              { name: "GREETING", value: "hello-world" },
            ],
          },
        ],
      },
    });
  });

  it("logs shows every line, with the Secret's value, its base64 form and a detected token masked", async () => {
    const result = await kubectl(fx.agentKubeconfig, ["logs", "printer"], { env: fx.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /printer: starting\n/);
    assert.match(result.stdout, /printer: ready\n/);
    assert.match(result.stdout, new RegExp(`connecting with password ${PLACEHOLDER.source}`));
    assertNoLeak(result.stdout, [dbPassword, apiToken, github], "logs");
  });

  it("logs -f masks lines the container writes while followed", async (t) => {
    const follow = spawnWatched(t, KUBECTL["1.33"], ["logs", "-f", "printer", "--request-timeout=0"], {
      PATH: process.env.PATH,
      HOME: fx.dir,
      KUBECONFIG: fx.agentKubeconfig,
    });
    await follow.waitFor(/printer: ready/);
    fx.cluster.appendLog("default", "printer", `later: the password is still ${dbPassword} and env has ${envPassword}`);
    fx.cluster.appendLog("default", "printer", "later: done");
    await follow.waitFor(/later: done/);
    follow.child.kill("SIGTERM");
    assert.match(follow.output(), new RegExp(`the password is still ${PLACEHOLDER.source}`));
    assertNoLeak(follow.output(), [dbPassword, apiToken, envPassword, github], "logs -f");
  });

  for (const version of ["1.33", "1.27"] as KubectlVersion[]) {
    const transport = version === "1.33" ? "WebSocket" : "SPDY";
    it(`exec -- env (kubectl ${version}, ${transport}) masks sensitive env values and keeps the rest`, async () => {
      const result = await kubectl(fx.agentKubeconfig, ["exec", "printer", "--", "env"], { env: fx.env, version });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^GREETING=hello-world$/m);
      assert.match(result.stdout, /^HOSTNAME=printer$/m);
      assert.match(result.stdout, new RegExp(`^SESSION_SECRET=${PLACEHOLDER.source}$`, "m"));
      assertNoLeak(result.stdout, [envPassword, dbPassword], `exec env (${version})`);
    });

    it(`exec output split across frames is masked whole (kubectl ${version}, ${transport})`, async () => {
      const half = Math.floor(envPassword.length / 2);
      const script = `echo -n "A:${envPassword.slice(0, half)}"; sleep 0.2; echo "${envPassword.slice(half)}:Z"; echo -n ${Buffer.from(dbPassword).toString("base64")}; sleep 0.2; echo " done"`;
      const result = await kubectl(fx.agentKubeconfig, ["exec", "printer", "--", "sh", "-c", script], { env: fx.env, version });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^A:${PLACEHOLDER.source}:Z$`, "m"));
      assert.match(result.stdout, / done$/m);
      assertNoLeak(result.stdout, [envPassword, dbPassword], `split exec (${version})`);
    });

    it(`exec exit codes and stdin still work with masking on (kubectl ${version})`, async () => {
      const failed = await kubectl(fx.agentKubeconfig, ["exec", "printer", "--", "sh", "-c", "exit 4"], { env: fx.env, version });
      assert.equal(failed.code, 4);
      const piped = await kubectl(fx.agentKubeconfig, ["exec", "-i", "printer", "--", "cat"], { env: fx.env, version, input: `plain line\nsecret ${envPassword}\n` });
      assert.equal(piped.code, 0, piped.stderr);
      assert.match(piped.stdout, /^plain line$/m);
      assertNoLeak(piped.stdout, [envPassword], `exec cat (${version})`);
    });
  }

  it("masking is not access control: what a profile turns off is shown", async () => {
    const unmasked = await fx.addAgent("unmasked", "logs-unmasked");
    const logs = await kubectl(unmasked, ["logs", "printer"], { env: fx.env });
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(logs.stdout.includes(dbPassword), logs.stdout);
    const secret = await kubectl(unmasked, ["get", "secret", "db-creds", "-o", "jsonpath={.data.password}"], { env: fx.env });
    assert.equal(Buffer.from(secret.stdout, "base64").toString("utf8"), dbPassword);
  });
});
