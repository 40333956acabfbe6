// Real kubectl against the streaming half: kubectl 1.27 (SPDY/3.1 for exec, attach, cp and
// port-forward), kubectl 1.33 (WebSocket v5 for exec/attach/cp, SPDY tunnelled in WebSocket for
// port-forward) and kubectl 1.33 forced back to SPDY by its environment switches.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlBinary, runKubectl, startKubectl, streamingVerb, type KubectlOptions } from "./kubectl-runner.js";
import { startStreamingTestEnvironment, type StreamingTestEnvironment } from "./test-environment.js";

interface Flavour {
  name: string;
  minor: number;
  env: Record<string, string>;
  /** Expected HTTP verb of the exec upgrade: GET = WebSocket, POST = SPDY. */
  execVerb: "GET" | "POST";
  portForwardVerb: "GET" | "POST";
}

const FLAVOURS: Flavour[] = [
  { name: "kubectl 1.27 (SPDY)", minor: 27, env: {}, execVerb: "POST", portForwardVerb: "POST" },
  { name: "kubectl 1.33 (WebSocket)", minor: 33, env: {}, execVerb: "GET", portForwardVerb: "GET" },
  {
    name: "kubectl 1.33 with websockets disabled (SPDY)",
    minor: 33,
    env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false", KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" },
    execVerb: "POST",
    portForwardVerb: "POST",
  },
];

let server: StreamingTestEnvironment;
const scratch = mkdtempSync(join(tmpdir(), "streaming-kubectl-"));

before(async () => {
  server = await startStreamingTestEnvironment();
  console.log(`# streaming tests run against the ${server.kind}`);
});

after(async () => {
  await server?.close();
});

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("HTTP request timed out")));
    req.on("error", reject);
  });
}

function tcpRoundTrip(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => socket.destroy(new Error("echo timed out")), 10_000);
    socket.on("connect", () => socket.write(payload));
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (received >= payload.length) socket.end();
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.on("error", reject);
  });
}

for (const flavour of FLAVOURS) {
  const binary = kubectlBinary(flavour.minor);
  describe(flavour.name, { skip: binary === null ? `kubectl 1.${flavour.minor} is not installed` : false, timeout: 180_000 }, () => {
    const kubectl = binary as string;
    const opts = (extra: Partial<KubectlOptions> = {}): KubectlOptions => ({
      kubeconfig: server.kubeconfigPath,
      env: flavour.env,
      timeoutMs: 30_000,
      ...extra,
    });

    it("exec runs a command and prints its output, over the expected transport", async () => {
      const result = await runKubectl(kubectl, ["exec", "web", "-v=6", "--", "echo", "hi"], opts());
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), "hi\n");
      assert.equal(streamingVerb(result.stderr, "exec"), flavour.execVerb);
    });

    it("exec propagates the command's exit code and keeps stdout and stderr apart", async () => {
      const result = await runKubectl(kubectl, ["exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], opts());
      assert.equal(result.code, 3);
      assert.equal(result.stdout.toString(), "out\n");
      assert.match(result.stderr, /^err\n/);
      assert.match(result.stderr, /command terminated with exit code 3/);
    });

    it("exec of a missing program fails like the container runtime does", async () => {
      const result = await runKubectl(kubectl, ["exec", "web", "--", "no-such-program"], opts());
      assert.equal(result.code, 1);
      assert.match(result.stderr, /executable file not found in \$PATH/);
    });

    it("exec sees the container's environment and files", async () => {
      const result = await runKubectl(kubectl, ["exec", "web", "--", "sh", "-c", 'echo "$GREETING/$HOSTNAME" && cat /app/config.txt'], opts());
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout.toString(), /^hello\/web\n# simulated application config\ngreeting=hello from default\/web\n/);
    });

    it("exec -i streams piped stdin through cat byte for byte", async () => {
      const input = randomBytes(256 * 1024);
      const result = await runKubectl(kubectl, ["exec", "-i", "web", "--", "cat"], opts({ input }));
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.equals(input), `got ${result.stdout.length} bytes back`);
    });

    it("exec -it under a terminal echoes typed commands, follows the terminal size and exits with the shell", async () => {
      // script(1) gives kubectl a real pseudo-terminal of 40x100; keystrokes arrive as typed (CR for Enter).
      const keystrokes = startKubectl(
        "script",
        ["-qec", `stty rows 40 cols 100; ${kubectl} exec -it web -- sh`, "/dev/null"],
        opts({ timeoutMs: 30_000 }),
      );
      const typeLine = async (line: string, expect: RegExp): Promise<void> => {
        keystrokes.child.stdin?.write(`${line}\r`);
        await keystrokes.waitFor((out) => expect.test(out));
      };
      await keystrokes.waitFor((out) => out.includes("# "));
      await typeLine("echo typed-$GREETING", /typed-hello\r\n/);
      await typeLine("stty size", /40 100\r\n/);
      keystrokes.child.stdin?.write("exit 5\r");
      const result = await keystrokes.done;
      const screen = result.stdout.toString();
      assert.match(screen, /# echo typed-\$GREETING\r\ntyped-hello\r\n# /, "input is echoed and output uses CRLF");
      assert.equal(result.code, 5, screen);
    });

    it("cp copies a binary file into the pod and back unchanged", async () => {
      const original = join(scratch, `in-${flavour.minor}-${Object.keys(flavour.env).length}.bin`);
      const copy = `${original}.back`;
      const content = randomBytes(300 * 1024);
      writeFileSync(original, content);
      const remote = `/tmp/copied-${flavour.minor}-${Object.keys(flavour.env).length}.bin`;
      const up = await runKubectl(kubectl, ["cp", original, `web:${remote}`], opts());
      assert.equal(up.code, 0, up.stderr);
      const down = await runKubectl(kubectl, ["cp", `web:${remote}`, copy], opts());
      assert.equal(down.code, 0, down.stderr);
      assert.ok(readFileSync(copy).equals(content));
    });

    it("cp copies a file out of the pod's seeded filesystem", async () => {
      const target = join(scratch, `config-${flavour.minor}-${Object.keys(flavour.env).length}.txt`);
      const result = await runKubectl(kubectl, ["cp", "web:/app/config.txt", target], opts());
      assert.equal(result.code, 0, result.stderr);
      assert.match(readFileSync(target, "utf8"), /greeting=hello from default\/web/);
    });

    it("attach shows what the main process writes", async () => {
      const attached = startKubectl(kubectl, ["attach", "web", "-v=6"], opts());
      try {
        await attached.waitFor((_out, err) => streamingVerb(err, "attach") !== null);
        const marker = `marker-${randomBytes(4).toString("hex")}`;
        const write = await runKubectl(kubectl, ["exec", "web", "--", "sh", "-c", `echo ${marker} > /proc/1/fd/1`], opts());
        assert.equal(write.code, 0, write.stderr);
        await attached.waitFor((out) => out.includes(marker));
        assert.equal(streamingVerb(attached.stderr(), "attach"), flavour.execVerb);
      } finally {
        await attached.stop();
      }
    });

    it("attach -i sends piped input to the main process and detaches at end of input", async () => {
      const result = await runKubectl(kubectl, ["attach", "-i", "web"], opts({ input: "echo via-attach-$APP_MODE\n" }));
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout.toString(), /via-attach-test/);
    });

    it("attach -it joins the main shell's terminal, and the session ends when that shell exits", async () => {
      const session = startKubectl("script", ["-qec", `${kubectl} attach -it web`, "/dev/null"], opts({ timeoutMs: 30_000 }));
      await session.waitFor((out) => out.includes("If you don't see a command prompt"));
      session.child.stdin?.write("\r");
      await session.waitFor((out) => out.includes("# "));
      session.child.stdin?.write("echo in-main-$APP_MODE\r");
      await session.waitFor((out) => /in-main-test\r\n/.test(out));
      session.child.stdin?.write("exit\r");
      const result = await session.done;
      assert.equal(result.code, 0, result.stdout.toString());
      assert.match(result.stdout.toString(), /Session ended/);
    });

    it("port-forward serves HTTP on two concurrent connections and echoes TCP", async () => {
      const forward = startKubectl(kubectl, ["port-forward", "pod/web", ":8080", ":9000", "-v=6"], opts({ timeoutMs: 60_000 }));
      try {
        await forward.waitFor((out) => /127\.0\.0\.1:\d+ -> 8080/.test(out) && /127\.0\.0\.1:\d+ -> 9000/.test(out));
        const httpPort = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(forward.stdout().toString())?.[1]);
        const echoPort = Number(/127\.0\.0\.1:(\d+) -> 9000/.exec(forward.stdout().toString())?.[1]);
        const [first, second] = await Promise.all([httpGet(httpPort, "/one"), httpGet(httpPort, "/two")]);
        assert.deepEqual(first, { status: 200, body: "hello from default/web\n" });
        assert.deepEqual(second, { status: 200, body: "hello from default/web\n" });
        const payload = randomBytes(64 * 1024);
        assert.ok((await tcpRoundTrip(echoPort, payload)).equals(payload));
        const again = await httpGet(httpPort, "/again");
        assert.equal(again.body, "hello from default/web\n");
        assert.equal(streamingVerb(forward.stderr(), "portforward"), flavour.portForwardVerb);
      } finally {
        await forward.stop();
      }
    });

    it("port-forward to a closed port reports the kubelet's error", async () => {
      const forward = startKubectl(kubectl, ["port-forward", "pod/web", ":9999"], opts({ timeoutMs: 30_000 }));
      try {
        await forward.waitFor((out) => /127\.0\.0\.1:\d+ -> 9999/.test(out));
        const port = Number(/127\.0\.0\.1:(\d+) -> 9999/.exec(forward.stdout().toString())?.[1]);
        await httpGet(port, "/").catch(() => undefined);
        await forward.waitFor((_out, err) => err.includes("error forwarding port 9999 to pod web"));
      } finally {
        await forward.stop();
      }
    });
  });
}
