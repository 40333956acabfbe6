// Real kubectl 1.27 (SPDY/3.1) and 1.33 (WebSocket v5) exec sessions through the gateway are
// recorded as they pass: with a pseudo-terminal, with piped stdin, without stdin, and `kubectl cp`
// (a binary recording). Each replays or exports with the bytes kubectl showed, and the exit code
// is recorded in the recording and in the session's audit event.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes, createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { startGatewayFixture, EVERYDAY_POLICY, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { startPtySession } from "../support/pty-session.js";
import { chaperone } from "../support/chaperone-cli.js";
import { KUBECTL, type KubectlVersion } from "../support/paths.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { recordings, waitForEvent, waitForRecording } from "../support/audit-events.js";
import { parseCast } from "../../proxy/recordings/asciicast.js";
import type { RecordingMeta } from "../../proxy/recordings/recording-meta.js";

const VERSIONS: { version: KubectlVersion; transport: "spdy" | "websocket"; protocol: RegExp }[] = [
  { version: "1.27", transport: "spdy", protocol: /^v4\.channel\.k8s\.io$/ },
  { version: "1.33", transport: "websocket", protocol: /^v5\.channel\.k8s\.io$/ },
];

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function castOf(fx: GatewayFixture, meta: RecordingMeta): ReturnType<typeof parseCast> {
  return parseCast(readFileSync(recordings(fx.dataDir).pathOf(meta), "utf8"));
}

function joined(cast: ReturnType<typeof parseCast>, code: string): string {
  return cast.events.filter((e) => e[1] === code).map((e) => e[2]).join("");
}

for (const { version, transport, protocol } of VERSIONS) {
  describe(`exec recordings with kubectl ${version} (${transport})`, () => {
    let fx: GatewayFixture;
    const scope = cleanupScope();
    after(() => scope.run());
    const k = (args: string[], input?: string) => kubectl(fx.agentKubeconfig, args, { version, env: fx.env, ...(input !== undefined ? { input } : {}) });
    const seen = new Set<string>();
    const next = async (match: (m: RecordingMeta) => boolean): Promise<RecordingMeta> => {
      const meta = await waitForRecording(fx.dataDir, (m) => !seen.has(m.id) && match(m));
      seen.add(meta.id);
      return meta;
    };

    before(async () => {
      fx = await startGatewayFixture(scope, { policy: EVERYDAY_POLICY, profile: "everyday" });
    });

    it("exec without stdin: the output exports byte for byte and the exit code is recorded", async () => {
      const marker = `no-stdin-${version}`;
      const result = await k(["exec", "nginx", "--", "echo", marker]);
      assert.equal(result.code, 0, result.stderr);
      const meta = await next((m) => m.command.includes(marker));
      assert.equal(meta.kind, "terminal");
      assert.equal(meta.state, "complete", meta.error ?? "");
      assert.equal(meta.transport, transport);
      assert.match(meta.protocol ?? "", protocol);
      assert.equal(meta.tty, false);
      assert.equal(meta.stdin, false);
      assert.equal(meta.exitCode, 0);
      assert.equal(meta.agent, "claude");
      assert.equal(meta.sha256.stdout, sha256(result.stdout));

      const exported = await chaperone(["recordings", "export", meta.id.slice(0, 10), "--out", "-", "--data-dir", fx.dataDir]);
      assert.equal(exported.code, 0, exported.stderr);
      const cast = parseCast(exported.stdout);
      assert.equal((cast.header.chaperone as { pod: string }).pod, "nginx");
      assert.equal(joined(cast, "o"), result.stdout);

      const event = await waitForEvent(fx.dataDir, "the exec's completion event", (e) => e.auditID === meta.auditID && e.stage === "ResponseComplete");
      assert.equal(event.verb, "exec");
      assert.equal(event.annotations["chaperone.dev/recording"], meta.id);
      assert.equal(event.annotations["chaperone.dev/exit-code"], "0");
      assert.equal(event.responseStatus?.code, 101);
    });

    it("a non-zero exit code is recorded", async () => {
      const result = await k(["exec", "nginx", "--", "sh", "-c", `echo failing-${version}; exit 3`]);
      assert.equal(result.code, 3);
      const meta = await next((m) => m.command.join(" ").includes(`failing-${version}`));
      assert.equal(meta.exitCode, 3);
      const cast = castOf(fx, meta);
      assert.equal(cast.events.at(-1)?.[2], "exit 3");
      const event = await waitForEvent(fx.dataDir, "the exec's completion event", (e) => e.auditID === meta.auditID && e.stage === "ResponseComplete");
      assert.equal(event.annotations["chaperone.dev/exit-code"], "3");
    });

    it("exec -i with piped stdin: input and output are recorded as sent and shown", async () => {
      const input = `first line ${version}\nsecond line ✓\n`;
      const result = await k(["exec", "-i", "nginx", "--", "cat"], input);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, input);
      const meta = await next((m) => m.command.join(" ") === "cat" && m.stdin);
      assert.equal(meta.tty, false);
      assert.equal(meta.bytes.stdin, Buffer.byteLength(input));
      const cast = castOf(fx, meta);
      assert.equal(joined(cast, "i"), input);
      assert.equal(joined(cast, "o"), result.stdout);
      assert.equal(meta.exitCode, 0);
    });

    it("exec -it under a pseudo-terminal: typed input, terminal output and size are recorded, and play replays the output", async (t) => {
      const session = startPtySession(t, `${KUBECTL[version]} exec -it nginx -- sh`, {
        PATH: process.env.PATH,
        HOME: fx.dir,
        KUBECONFIG: fx.agentKubeconfig,
        TERM: "xterm",
      });
      await session.waitFor(/# $/);
      session.type("echo tty-$HOSTNAME\r");
      await session.waitFor(/tty-nginx/);
      session.type("exit 0\r");
      assert.equal(await session.done, 0, session.output());
      const result = { stdout: session.output() };
      const meta = await next((m) => m.tty && m.command.join(" ") === "sh");
      assert.equal(meta.kind, "terminal");
      assert.equal(meta.stdin, true);
      assert.equal(meta.exitCode, 0);
      const cast = castOf(fx, meta);
      assert.ok(cast.header.width > 0 && cast.header.height > 0);
      assert.match(joined(cast, "i"), /echo tty-\$HOSTNAME/);
      const output = joined(cast, "o");
      assert.match(output, /tty-nginx/);
      // What kubectl wrote to its terminal is what the pod sent: the recorded output, in order.
      assert.ok(result.stdout.includes(output.trim().split(/\r?\n/).at(-1) ?? ""), "the recording's last output line reached the terminal");

      const played = await chaperone(["recordings", "play", meta.id.slice(0, 10), "--speed", "1000", "--data-dir", fx.dataDir]);
      assert.equal(played.code, 0, played.stderr);
      assert.equal(played.stdout, output);
    });

    it("cp into and out of a pod: binary recordings whose archives hold the file's bytes", async () => {
      const local = join(fx.dir, `cp-${version}.bin`);
      const content = randomBytes(48 * 1024);
      writeFileSync(local, content);
      const up = await k(["cp", local, `nginx:/tmp/cp-${version}.bin`]);
      assert.equal(up.code, 0, up.stderr);
      const upload = await next((m) => m.command[0] === "tar" && m.bytes.stdin > 0);
      assert.equal(upload.kind, "binary");
      assert.equal(upload.file.endsWith(".bin"), true);

      const out = join(fx.dir, `export-up-${version}.tar`);
      const exported = await chaperone(["recordings", "export", upload.id, "--out", out, "--data-dir", fx.dataDir]);
      assert.equal(exported.code, 0, exported.stderr);
      const unpacked = join(fx.dir, `unpacked-up-${version}`);
      mkdirSync(unpacked);
      execFileSync("tar", ["xf", out, "-C", unpacked]);
      const files = execFileSync("find", [unpacked, "-type", "f"]).toString().trim().split("\n");
      assert.equal(files.length, 1);
      assert.ok(readFileSync(files[0] as string).equals(content));

      const listed = await chaperone(["recordings", "play", upload.id, "--data-dir", fx.dataDir]);
      assert.match(listed.stdout, /binary recording/);
      assert.match(listed.stdout, new RegExp(`file \\S*cp-${version.replace(".", "\\.")}\\.bin 49152 bytes`));

      const back = join(fx.dir, `cp-back-${version}.bin`);
      const down = await k(["cp", `nginx:/tmp/cp-${version}.bin`, back]);
      assert.equal(down.code, 0, down.stderr);
      const download = await next((m) => m.command[0] === "tar" && m.bytes.stdout > 0);
      assert.equal(download.kind, "binary");
      const archive = join(fx.dir, `export-down-${version}.tar`);
      assert.equal((await chaperone(["recordings", "export", download.id, "--out", archive, "--data-dir", fx.dataDir])).code, 0);
      const unpackedDown = join(fx.dir, `unpacked-down-${version}`);
      mkdirSync(unpackedDown);
      execFileSync("tar", ["xf", archive, "-C", unpackedDown]);
      const downFiles = execFileSync("find", [unpackedDown, "-type", "f"]).toString().trim().split("\n");
      assert.ok(readFileSync(downFiles[0] as string).equals(content));
    });

    it("recordings list shows the sessions with their pod, kind and exit code", async () => {
      const listed = await chaperone(["recordings", "list", "--data-dir", fx.dataDir]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /^ID\s+STARTED\s+AGENT/m);
      assert.match(listed.stdout, /claude\s+-\s+default\/nginx(:\S+)?\s+binary\s+complete\s+0\s+\S+\s+tar /);
      assert.match(listed.stdout, /default\/nginx(:\S+)?\s+terminal \(tty\)\s+complete\s+0\s+\S+\s+sh$/m);
      assert.match(listed.stdout, /terminal\s+complete\s+3\s+/);
    });
  });
}
