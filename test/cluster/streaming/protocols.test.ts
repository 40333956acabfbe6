// Wire-level behaviour of the streaming half, checked with in-process clients (the `ws` library and
// this project's SPDY session) where kubectl cannot show the bytes: subprotocol negotiation, channel
// framing, the error channel's exact contents per protocol version, and refusals.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { once } from "node:events";
import WebSocket from "ws";
import { SpdySession, type SpdyStream } from "../../../proxy/spdy/session.js";
import { spdyHeaders } from "../../../proxy/spdy/frames.js";
import { handleStreamingUpgrade, type StreamingTarget } from "./index.js";
import { samplePod } from "./minimal-api-server.js";

let server: http.Server;
let port: number;
const pods = new Map<string, unknown>([
  ["default/web", samplePod("default", "web")],
  [
    "default/multi",
    samplePod("default", "multi", {
      containers: [
        { name: "one", env: [] },
        { name: "two", env: [] },
      ],
    }),
  ],
]);

before(async () => {
  server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const [, , , , namespace, , name, kind] = url.pathname.split("/");
    const target: StreamingTarget = {
      kind: kind as StreamingTarget["kind"],
      namespace: namespace as string,
      pod: pods.get(`${namespace}/${name}`),
      query: url.searchParams,
    };
    handleStreamingUpgrade(target, req, socket, head);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as net.AddressInfo).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function execPath(command: string[], flags: Record<string, string>, pod = "web", kind = "exec"): string {
  const query = new URLSearchParams(flags);
  for (const c of command) query.append("command", c);
  return `/api/v1/namespaces/default/pods/${pod}/${kind}?${query}`;
}

interface WsTranscript {
  protocol: string;
  messages: (Buffer | string)[];
  closeCode: number;
}

async function wsExec(path: string, protocols: string[], send: (ws: WebSocket) => void = () => {}): Promise<WsTranscript> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols);
  const messages: (Buffer | string)[] = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => messages.push(isBinary ? Buffer.from(data) : data.toString()));
  await once(ws, "open");
  send(ws);
  const [code] = (await once(ws, "close")) as [number];
  return { protocol: ws.protocol, messages, closeCode: code };
}

function channel(messages: (Buffer | string)[], id: number): string {
  return messages
    .filter((m): m is Buffer => Buffer.isBuffer(m) && m[0] === id)
    .map((m) => m.subarray(1).toString())
    .join("");
}

describe("WebSocket exec", () => {
  it("negotiates v5, announces itself with an empty stdout message and reports a zero exit as Success", async () => {
    const t = await wsExec(execPath(["echo", "hi"], { stdout: "true", stderr: "true" }), ["v5.channel.k8s.io"]);
    assert.equal(t.protocol, "v5.channel.k8s.io");
    assert.deepEqual(t.messages[0], Buffer.from([1]));
    assert.equal(channel(t.messages, 1), "hi\n");
    assert.equal(channel(t.messages, 3), '{"metadata":{},"status":"Success"}');
    assert.equal(t.closeCode, 1000);
  });

  it("reports a non-zero exit as a NonZeroExitCode Status carrying the code", async () => {
    const t = await wsExec(execPath(["sh", "-c", "exit 3"], { stdout: "true", stderr: "true" }), ["v4.channel.k8s.io"]);
    assert.equal(t.protocol, "v4.channel.k8s.io");
    const status = JSON.parse(channel(t.messages, 3));
    assert.equal(status.status, "Failure");
    assert.equal(status.reason, "NonZeroExitCode");
    assert.deepEqual(status.details, { causes: [{ reason: "ExitCode", message: "3" }] });
  });

  it("picks the client's first supported protocol", async () => {
    const t = await wsExec(execPath(["true"], { stdout: "true" }), ["v9.channel.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io"]);
    assert.equal(t.protocol, "v4.channel.k8s.io");
  });

  it("takes stdin until the v5 close signal, then lets cat finish", async () => {
    const t = await wsExec(execPath(["cat"], { stdin: "true", stdout: "true" }), ["v5.channel.k8s.io"], (ws) => {
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("piped ")]));
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("input")]));
      ws.send(Buffer.from([255, 0]));
    });
    assert.equal(channel(t.messages, 1), "piped input");
    assert.match(channel(t.messages, 3), /"Success"/);
  });

  it("applies resize messages to the terminal of a tty session", async () => {
    const t = await wsExec(execPath(["sh"], { stdin: "true", stdout: "true", tty: "true" }), ["v5.channel.k8s.io"], (ws) => {
      ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":132,"Height":43}')]));
      setTimeout(() => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("stty size\rexit\r")])), 50);
    });
    // Typed-ahead input is echoed at once, as a terminal does; the command's output follows.
    assert.match(channel(t.messages, 1), /^# stty size\r\nexit\r\n43 132\r\n/);
  });

  it("base64.channel.k8s.io frames channels as digits and base64 text, and reports failures as plain text", async () => {
    const t = await wsExec(execPath(["sh", "-c", "echo b64; exit 2"], { stdout: "true" }), ["base64.channel.k8s.io"]);
    assert.equal(t.protocol, "base64.channel.k8s.io");
    const stdout = t.messages.filter((m): m is string => typeof m === "string" && m.startsWith("1"));
    assert.equal(stdout.map((m) => Buffer.from(m.slice(1), "base64").toString()).join(""), "b64\n");
    const errors = t.messages.filter((m): m is string => typeof m === "string" && m.startsWith("3"));
    assert.match(Buffer.from((errors[0] as string).slice(1), "base64").toString(), /^command terminated with non-zero exit code/);
  });

  it("channel.k8s.io sends nothing on the error channel for success", async () => {
    const t = await wsExec(execPath(["true"], { stdout: "true" }), ["channel.k8s.io"]);
    assert.equal(channel(t.messages, 3), "");
  });

  it("refuses an unsupported subprotocol with 403", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${execPath(["true"], { stdout: "true" })}`, ["v9.channel.k8s.io"]);
    ws.on("error", () => {});
    const [, response] = (await once(ws, "unexpected-response")) as [unknown, http.IncomingMessage];
    assert.equal(response.statusCode, 403);
    ws.terminate();
  });
});

interface SpdyExecResult {
  protocol: string | undefined;
  stdout: string;
  stderr: string;
  error: string;
}

async function spdyUpgrade(path: string, protocols: string): Promise<{ socket: net.Socket; response: string; rest: Buffer }> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
      (protocols ? `X-Stream-Protocol-Version: ${protocols}\r\n` : "") +
      "Content-Length: 0\r\n\r\n",
  );
  let buffered = Buffer.alloc(0);
  for (;;) {
    const [chunk] = (await once(socket, "data")) as [Buffer];
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf("\r\n\r\n");
    if (end >= 0) {
      socket.pause();
      return { socket, response: buffered.subarray(0, end).toString(), rest: buffered.subarray(end + 4) };
    }
  }
}

async function readAll(stream: SpdyStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += (chunk as Buffer).toString();
  return text;
}

async function spdyExec(command: string[], protocols: string, flags: Record<string, string> = { stdout: "true", stderr: "true" }): Promise<SpdyExecResult> {
  const { socket, response, rest } = await spdyUpgrade(execPath(command, flags), protocols);
  assert.match(response, /^HTTP\/1\.1 101 /);
  if (rest.length > 0) socket.unshift(rest);
  const session = new SpdySession(socket, { role: "client" });
  socket.resume();
  const open = (type: string): SpdyStream => session.openStream(spdyHeaders({ streamType: type }));
  const error = open("error");
  const stdout = open("stdout");
  const stderr = open("stderr");
  const [out, err, status] = await Promise.all([readAll(stdout), readAll(stderr), readAll(error)]);
  session.destroy();
  return { protocol: /X-Stream-Protocol-Version: (\S+)/.exec(response)?.[1], stdout: out, stderr: err, error: status };
}

describe("SPDY exec", () => {
  it("negotiates v4 and reports the exit code as a JSON Status on the error stream", async () => {
    const result = await spdyExec(["sh", "-c", "echo out; echo err >&2; exit 7"], "v4.channel.k8s.io,v3.channel.k8s.io,v2.channel.k8s.io,channel.k8s.io");
    assert.equal(result.protocol, "v4.channel.k8s.io");
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
    assert.deepEqual(JSON.parse(result.error).details, { causes: [{ reason: "ExitCode", message: "7" }] });
  });

  it("reports success on v4 as a Success Status", async () => {
    const result = await spdyExec(["true"], "v4.channel.k8s.io");
    assert.equal(result.error, '{"metadata":{},"status":"Success"}');
  });

  it("reports failures before v4 as the Status message in plain text, and success as nothing", async () => {
    const failed = await spdyExec(["false"], "v2.channel.k8s.io");
    assert.equal(failed.protocol, "v2.channel.k8s.io");
    assert.match(failed.error, /^command terminated with non-zero exit code: .*exit code 1$/);
    const ok = await spdyExec(["true"], "v3.channel.k8s.io");
    assert.equal(ok.error, "");
  });

  it("answers 403 with the accepted versions when no protocol matches", async () => {
    const { response, socket } = await spdyUpgrade(execPath(["true"], { stdout: "true" }), "v9.channel.k8s.io");
    socket.destroy();
    assert.match(response, /^HTTP\/1\.1 403 /);
    assert.match(response, /X-Accepted-Stream-Protocol-Versions: v4\.channel\.k8s\.io/);
  });

  it("answers 400 when the client offers no protocol version", async () => {
    const { response, socket } = await spdyUpgrade(execPath(["true"], { stdout: "true" }), "");
    socket.destroy();
    assert.match(response, /^HTTP\/1\.1 400 /);
  });
});

describe("request validation", () => {
  it("rejects an unknown container with a BadRequest Status", async () => {
    const { response, socket, rest } = await spdyUpgrade(execPath(["true"], { stdout: "true", container: "nope" }), "v4.channel.k8s.io");
    socket.destroy();
    assert.match(response, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(rest.toString()).message, "container nope is not valid for pod web");
  });

  it("requires a container name for a pod with several containers", async () => {
    const { response, socket, rest } = await spdyUpgrade(execPath(["true"], { stdout: "true" }, "multi"), "v4.channel.k8s.io");
    socket.destroy();
    assert.match(response, /^HTTP\/1\.1 400 /);
    assert.match(JSON.parse(rest.toString()).message, /a container name must be specified for pod multi, choose one of: \[one two\]/);
  });
});

describe("SPDY port-forward", () => {
  async function forwardSession(): Promise<SpdySession> {
    const { socket, response, rest } = await spdyUpgrade("/api/v1/namespaces/default/pods/web/portforward", "portforward.k8s.io");
    assert.match(response, /^HTTP\/1\.1 101 /);
    if (rest.length > 0) socket.unshift(rest);
    const session = new SpdySession(socket, { role: "client" });
    socket.resume();
    return session;
  }

  it("pairs error and data streams by requestID and echoes on port 9000", async () => {
    const session = await forwardSession();
    const error = session.openStream(spdyHeaders({ streamType: "error", port: "9000", requestID: "0" }));
    const data = session.openStream(spdyHeaders({ streamType: "data", port: "9000", requestID: "0" }));
    data.end("echo me");
    assert.equal(await readAll(data), "echo me");
    assert.equal(await readAll(error), "");
    session.destroy();
  });

  it("writes the kubelet's message on the error stream for a closed port", async () => {
    const session = await forwardSession();
    const error = session.openStream(spdyHeaders({ streamType: "error", port: "9999", requestID: "1" }));
    session.openStream(spdyHeaders({ streamType: "data", port: "9999", requestID: "1" })).resume();
    assert.match(await readAll(error), /^error forwarding port 9999 to pod web, uid uid-default-web: .*connection refused/);
    session.destroy();
  });
});
