// Binary streams through the gateway: `kubectl cp` out of a pod and `kubectl port-forward`. A known
// Secret value (as is, base64) or a detected private key in what the pod sends is overwritten in
// place by as many bytes (its placeholder repeated and cut to length), so the archive stays valid,
// the file keeps its size and an HTTP body its Content-Length; everything else arrives byte for
// byte, and what the agent sends (cp into the pod) is untouched. kubectl 1.27 speaks SPDY,
// kubectl 1.33 WebSocket (exec: v5.channel.k8s.io; port-forward: SPDY tunnelled in WebSocket).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { runProcess } from "../support/run-process.js";
import { spawnWatched } from "../support/spawned.js";
import { KUBECTL, type KubectlVersion } from "../support/paths.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { simulatedPod } from "../cluster/streaming/container.js";
import { Placeholders } from "../../proxy/masking/placeholder.js";
import { sameLengthFill } from "../../proxy/masking/byte-stream-masker.js";
import { loadMaskingKey } from "../../proxy/masking/masking-key.js";
import { MASKING_POLICY, putSecret, secretValue } from "./masking-fixture.js";

const VERSIONS: [KubectlVersion, string][] = [
  ["1.27", "SPDY"],
  ["1.33", "WebSocket"],
];

describe("masked binary streams: kubectl cp and port-forward", { timeout: 240_000 }, () => {
  let fx: GatewayFixture;
  let placeholders: Placeholders;
  const scope = cleanupScope();
  after(() => scope.run());
  const password = secretValue("db");
  const github = `ghp_${"Q1w2E3r4T5y6U7i8O9p0".repeat(2)}`;
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig });

  /** Content with the Secret's value as is and base64-encoded, between binary bytes. */
  const withSecret = Buffer.concat([
    randomBytes(3000),
    Buffer.from(`\nDB_PASSWORD=${password}\nencoded: ${Buffer.from(password).toString("base64")}\n`),
    Buffer.from([0, 0, 0xff, 0x10]),
    randomBytes(70_000).map((b) => (b === 0x0a ? 0x0b : b)),
    Buffer.from(` and again ${password} at the end`),
  ]);
  const withoutSecret = randomBytes(300_000);

  /** What the agent must receive for `data`: each occurrence of a form of a value overwritten by its fill. */
  function expectedMasked(data: Buffer, values: [string, Buffer][]): Buffer {
    const out = Buffer.from(data);
    for (const [form, value] of values) {
      const placeholder = placeholders.forBytes(value);
      const needle = Buffer.from(form);
      for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) sameLengthFill(placeholder, needle.length).copy(out, at);
    }
    return out;
  }
  const passwordForms = (): [string, Buffer][] => [
    [password, Buffer.from(password)],
    [Buffer.from(password).toString("base64").replace(/=+$/, ""), Buffer.from(password)],
  ];

  function assertNoValue(data: Buffer, what: string): void {
    const latin1 = data.toString("latin1");
    for (const form of [password, Buffer.from(password).toString("base64").replace(/=+$/, ""), Buffer.from(password).toString("base64url")]) {
      assert.ok(!latin1.includes(form), `${what} leaked ${form}`);
    }
  }

  /** Writes a file straight into the simulated pod's filesystem. */
  function podFile(path: string, data: Buffer): void {
    simulatedPod("default", fx.cluster.store.get("pods", "default", "vault") as never).fs.writeFile(path, data);
  }
  function readPodFile(path: string): Buffer {
    return simulatedPod("default", fx.cluster.store.get("pods", "default", "vault") as never).fs.readFile(path);
  }

  before(async () => {
    fx = await startGatewayFixture(scope, { policy: MASKING_POLICY, profile: "masked" });
    placeholders = new Placeholders(loadMaskingKey(fx.dataDir));
    // Mounted into the pod: the engine learns its value before an exec or a port-forward, though no agent read it.
    putSecret(fx, "app-creds", { password });
    fx.cluster.store.put({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "vault", namespace: "default" },
      spec: {
        containers: [{ name: "app", image: "example/app:1", ports: [{ containerPort: 8080 }], volumeMounts: [{ name: "creds", mountPath: "/etc/creds" }] }],
        volumes: [{ name: "creds", secret: { secretName: "app-creds" } }],
      },
    });
    podFile("/tmp/with-secret.bin", withSecret);
    podFile("/tmp/without-secret.bin", withoutSecret);
    podFile("/tmp/key.pem", Buffer.from(`# the service's key\n${privateKey}# end\n`));
  });

  for (const [version, transport] of VERSIONS) {
    const k = (args: string[]) => kubectl(fx.agentKubeconfig, args, { version, env: fx.env, timeoutMs: 60_000 });

    it(`cp into the pod is untouched, secret values included (kubectl ${version}, ${transport})`, async () => {
      const local = join(fx.dir, `upload-${version}.bin`);
      writeFileSync(local, withSecret);
      const up = await k(["cp", local, `vault:/tmp/upload-${version}.bin`]);
      assert.equal(up.code, 0, up.stderr);
      assert.ok(readPodFile(`/tmp/upload-${version}.bin`).equals(withSecret), "the pod holds exactly what was copied in");
    });

    it(`cp out of a file holding a Secret's value: same size, the value overwritten in place (kubectl ${version}, ${transport})`, async () => {
      const local = join(fx.dir, `with-secret-${version}.bin`);
      const down = await k(["cp", "vault:/tmp/with-secret.bin", local]);
      assert.equal(down.code, 0, down.stderr);
      const copied = readFileSync(local);
      assert.equal(copied.length, withSecret.length);
      assertNoValue(copied, `cp (${version})`);
      assert.ok(copied.equals(expectedMasked(withSecret, passwordForms())), "only the value's bytes changed");
    });

    it(`cp out of a file without secrets is byte for byte (kubectl ${version}, ${transport})`, async () => {
      const local = join(fx.dir, `without-secret-${version}.bin`);
      const down = await k(["cp", "vault:/tmp/without-secret.bin", local]);
      assert.equal(down.code, 0, down.stderr);
      assert.ok(readFileSync(local).equals(withoutSecret));
    });

    it(`cp out of a private key: the PEM block is overwritten with as many bytes (kubectl ${version}, ${transport})`, async () => {
      const local = join(fx.dir, `key-${version}.pem`);
      const down = await k(["cp", "vault:/tmp/key.pem", local]);
      assert.equal(down.code, 0, down.stderr);
      const original = readPodFile("/tmp/key.pem");
      const copied = readFileSync(local);
      assert.equal(copied.length, original.length);
      const text = copied.toString("latin1");
      assert.ok(text.startsWith("# the service's key\n") && text.endsWith("# end\n"), text);
      assert.ok(!text.includes("PRIVATE KEY") && !text.includes(privateKey.split("\n")[1] as string), text);
    });

    it(`the tar stream itself stays a valid archive (kubectl ${version} exec tar, ${transport})`, async () => {
      const archive = join(fx.dir, `archive-${version}.tar`);
      const stdout = await new Promise<Buffer>((resolve, reject) =>
        execFile(KUBECTL[version], ["exec", "vault", "--", "tar", "cf", "-", "/tmp/with-secret.bin"], { env: env(), encoding: "buffer", maxBuffer: 16 << 20 }, (error, out) =>
          error ? reject(error) : resolve(out),
        ),
      );
      writeFileSync(archive, stdout);
      const listed = await runProcess("tar", ["-tvf", archive]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`\\s${withSecret.length}\\s.*tmp/with-secret\\.bin`));
      const extracted = await new Promise<Buffer>((resolve, reject) =>
        execFile("tar", ["-xOf", archive], { encoding: "buffer", maxBuffer: 16 << 20 }, (error, out) => (error ? reject(error) : resolve(out))),
      );
      assert.ok(extracted.equals(expectedMasked(withSecret, passwordForms())));
    });

    it(`port-forward: a Secret's value in an HTTP response arrives overwritten in place, the rest byte for byte (kubectl ${version}, ${transport})`, async (t) => {
      const served = Buffer.from(`{"user":"app","password":"${password}","b64":"${Buffer.from(password).toString("base64")}","gh":"${github}"}\n`);
      podFile(`/tmp/served-${version}.json`, served);
      const forward = spawnWatched(t, KUBECTL[version], ["port-forward", "pod/vault", "0:8080"], env());
      const [, port] = await forward.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/);
      const masked = await fetch(`http://127.0.0.1:${port}/files/tmp/served-${version}.json`);
      assert.equal(masked.status, 200);
      assert.equal(masked.headers.get("content-length"), String(served.length));
      const body = Buffer.from(await masked.arrayBuffer());
      assertNoValue(body, `port-forward (${version})`);
      assert.ok(!body.toString("latin1").includes(github));
      assert.ok(body.equals(expectedMasked(served, [...passwordForms(), [github, Buffer.from(github)]])), body.toString("latin1"));

      const plain = await fetch(`http://127.0.0.1:${port}/files/tmp/without-secret.bin`);
      assert.ok(Buffer.from(await plain.arrayBuffer()).equals(withoutSecret), "a response without secrets is unchanged");
      const hello = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(await hello.text(), "hello from default/vault\n");
      forward.child.kill("SIGTERM");
    });
  }

  it("the binary recordings of these sessions hold no form of the value, in either direction (cp in included)", () => {
    const dir = join(fx.dataDir, "recordings");
    const binaries = readdirSync(dir).filter((name) => name.endsWith(".bin"));
    assert.ok(binaries.length >= 2 * VERSIONS.length, `binary recordings: ${binaries.join(", ")}`);
    for (const name of binaries) {
      const recording = readFileSync(join(dir, name));
      assertNoValue(recording, `recording ${name}`);
      assert.ok(!recording.toString("latin1").includes(privateKey.split("\n")[1] as string), `recording ${name} holds the private key`);
    }
  });

  it("the files in the pod are as they were", () => {
    assert.ok(readPodFile("/tmp/with-secret.bin").equals(withSecret));
    assert.ok(statSync(fx.dataDir).isDirectory());
  });
});
