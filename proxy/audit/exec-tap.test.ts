import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import type { IncomingMessage } from "node:http";
import { FrameSerializer, spdyHeaders, FLAG_FIN } from "../spdy/index.js";
import { ExecTap, type TapSession } from "./exec-tap.js";
import { exitFromErrorChannel } from "./exit-status.js";

/** A WebSocket frame; masked like a client's when `mask` is given. */
function frame(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: Buffer } = {}): Buffer {
  const fin = options.fin ?? true;
  const head: number[] = [(fin ? 0x80 : 0) | opcode];
  const maskBit = options.mask ? 0x80 : 0;
  if (payload.length < 126) head.push(maskBit | payload.length);
  else if (payload.length < 65536) head.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(payload.length));
    head.push(...big);
  }
  if (!options.mask) return Buffer.concat([Buffer.from(head), payload]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (options.mask as Buffer)[i % 4]!));
  return Buffer.concat([Buffer.from(head), options.mask, masked]);
}

const MASK = Buffer.from([0x11, 0x22, 0x33, 0x44]);

interface Seen {
  stdin: string;
  stdout: string;
  stderr: string;
  error: string;
  resizes: string[];
  stdinClosed: number;
  protocol: string | null;
  transport: string | null;
}

function session(): { session: TapSession; seen: Seen } {
  const seen: Seen = { stdin: "", stdout: "", stderr: "", error: "", resizes: [], stdinClosed: 0, protocol: null, transport: null };
  return {
    seen,
    session: {
      stdin: (d) => void (seen.stdin += d.toString()),
      stdout: (d) => void (seen.stdout += d.toString()),
      stderr: (d) => void (seen.stderr += d.toString()),
      errorChannel: (d) => void (seen.error += d.toString()),
      resize: (w, h) => void seen.resizes.push(`${w}x${h}`),
      stdinClosed: () => void (seen.stdinClosed += 1),
      setProtocol: (transport, protocol) => {
        seen.transport = transport;
        seen.protocol = protocol;
      },
    },
  };
}

function response(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

/** Feeds bytes in awkward slices (1, 2, 3… bytes) to prove the parsers are incremental. */
function dribble(stream: PassThrough, data: Buffer): void {
  let offset = 0;
  let size = 1;
  while (offset < data.length) {
    stream.emit("data", data.subarray(offset, offset + size));
    offset += size;
    size = (size % 7) + 1;
  }
}

describe("exec tap: WebSocket channel protocols", () => {
  it("v5.channel.k8s.io: stdin, resize, fragmented stdout with a ping between fragments, stderr, close signal and exit status", () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const { session: s, seen } = session();
    const tap = new ExecTap("websocket", response({ "sec-websocket-protocol": "v5.channel.k8s.io" }), client, upstream, Buffer.alloc(0), Buffer.alloc(0), s);
    dribble(client, frame(2, Buffer.from('\x04{"Width":120,"Height":40}'), { mask: MASK }));
    dribble(client, frame(2, Buffer.from("\x00ls -l\n"), { mask: MASK }));
    dribble(upstream, frame(2, Buffer.from("\x01total "), { fin: false }));
    dribble(upstream, frame(9, Buffer.from("ping")));
    dribble(upstream, frame(0, Buffer.from("42\n"), { fin: false }));
    dribble(upstream, frame(0, Buffer.from("done\n")));
    dribble(upstream, frame(2, Buffer.from("\x02warning\n")));
    dribble(client, frame(2, Buffer.from([255, 0]), { mask: MASK }));
    const status = { metadata: {}, status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } };
    dribble(upstream, frame(2, Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))])));
    dribble(upstream, frame(8, Buffer.from([0x03, 0xe8])));
    const outcome = tap.finish();
    assert.equal(seen.transport, "websocket");
    assert.equal(seen.protocol, "v5.channel.k8s.io");
    assert.equal(seen.stdin, "ls -l\n");
    assert.equal(seen.stdout, "total 42\ndone\n");
    assert.equal(seen.stderr, "warning\n");
    assert.deepEqual(seen.resizes, ["120x40"]);
    assert.equal(seen.stdinClosed, 1);
    assert.equal(outcome.exitCode, 3);
    assert.equal(outcome.incomplete, null);
  });

  it("v4.base64.channel.k8s.io: text messages with the channel digit and base64 data", () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const { session: s, seen } = session();
    const tap = new ExecTap("websocket", response({ "sec-websocket-protocol": "v4.base64.channel.k8s.io" }), client, upstream, Buffer.alloc(0), Buffer.alloc(0), s);
    dribble(client, frame(1, Buffer.from(`0${Buffer.from("echo hi\n").toString("base64")}`), { mask: MASK }));
    const out = `1${Buffer.from("hi\n").toString("base64")}`;
    dribble(upstream, frame(1, Buffer.from(out.slice(0, 3)), { fin: false }));
    dribble(upstream, frame(0, Buffer.from(out.slice(3))));
    dribble(upstream, frame(1, Buffer.from(`3${Buffer.from('{"metadata":{},"status":"Success"}').toString("base64")}`)));
    const outcome = tap.finish();
    assert.equal(seen.stdin, "echo hi\n");
    assert.equal(seen.stdout, "hi\n");
    assert.equal(outcome.exitCode, 0);
  });

  it("channel.k8s.io (no subprotocol answered): an empty error channel after a clean close is exit 0", () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const { session: s, seen } = session();
    const tap = new ExecTap("websocket", response({}), client, upstream, Buffer.alloc(0), frame(2, Buffer.from("\x01early\n")), s);
    dribble(upstream, frame(8, Buffer.alloc(0)));
    assert.equal(seen.protocol, "channel.k8s.io");
    assert.equal(seen.stdout, "early\n", "bytes that came with the 101 are parsed first");
    assert.equal(tap.finish().exitCode, 0);
  });

  it("a compressed frame marks the recording incomplete and never throws into the connection", () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const { session: s } = session();
    const tap = new ExecTap("websocket", response({ "sec-websocket-protocol": "v4.channel.k8s.io" }), client, upstream, Buffer.alloc(0), Buffer.alloc(0), s);
    const compressed = frame(2, Buffer.from("\x01xx"));
    compressed[0] = (compressed[0] as number) | 0x40;
    upstream.emit("data", compressed);
    upstream.emit("data", frame(2, Buffer.from("\x01more")));
    assert.match(tap.finish().incomplete ?? "", /compressed/);
  });

  it("stops listening when finished", () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const { session: s, seen } = session();
    const tap = new ExecTap("websocket", response({ "sec-websocket-protocol": "v4.channel.k8s.io" }), client, upstream, Buffer.alloc(0), Buffer.alloc(0), s);
    tap.finish();
    upstream.emit("data", frame(2, Buffer.from("\x01late")));
    assert.equal(seen.stdout, "");
    assert.equal(upstream.listenerCount("data"), 0);
  });
});

describe("exec tap: SPDY/3.1", () => {
  it("reads each channel from its stream, across the shared header compression of the connection", () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const { session: s, seen } = session();
    const tap = new ExecTap("SPDY/3.1", response({ "x-stream-protocol-version": "v4.channel.k8s.io" }), client, upstream, Buffer.alloc(0), Buffer.alloc(0), s);
    const toServer = new FrameSerializer();
    const toClient = new FrameSerializer();
    const open = (id: number, type: string): Buffer =>
      toServer.serialize({ type: "SYN_STREAM", streamId: id, associatedToStreamId: 0, priority: 0, slot: 0, flags: 0, headers: spdyHeaders({ streamType: type }) });
    dribble(client, Buffer.concat([open(1, "error"), open(3, "stdin"), open(5, "stdout"), open(7, "stderr"), open(9, "resize")]));
    dribble(upstream, Buffer.concat([1, 3, 5, 7, 9].map((id) => toClient.serialize({ type: "SYN_REPLY", streamId: id, flags: 0, headers: {} }))));
    dribble(client, toServer.serialize({ type: "DATA", streamId: 9, flags: 0, data: Buffer.from('{"Width":80,"Height":24}{"Width":100,') }));
    dribble(client, toServer.serialize({ type: "DATA", streamId: 9, flags: 0, data: Buffer.from('"Height":30}') }));
    dribble(client, toServer.serialize({ type: "DATA", streamId: 3, flags: FLAG_FIN, data: Buffer.from("cat\n") }));
    dribble(upstream, toClient.serialize({ type: "DATA", streamId: 5, flags: 0, data: Buffer.from("out\n") }));
    dribble(upstream, toClient.serialize({ type: "DATA", streamId: 7, flags: 0, data: Buffer.from("err\n") }));
    dribble(upstream, toClient.serialize({ type: "DATA", streamId: 1, flags: FLAG_FIN, data: Buffer.from('{"metadata":{},"status":"Success"}') }));
    const outcome = tap.finish();
    assert.equal(seen.transport, "spdy");
    assert.equal(seen.protocol, "v4.channel.k8s.io");
    assert.equal(seen.stdin, "cat\n");
    assert.equal(seen.stdout, "out\n");
    assert.equal(seen.stderr, "err\n");
    assert.deepEqual(seen.resizes, ["80x24", "100x30"]);
    assert.equal(seen.stdinClosed, 1);
    assert.equal(outcome.exitCode, 0);
  });
});

describe("exit status from the error channel", () => {
  it("reads v4/v5 Status objects and older protocols' text", () => {
    assert.equal(exitFromErrorChannel(Buffer.from('{"metadata":{},"status":"Success"}'), true, true).exitCode, 0);
    const failed = { status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "137" }] } };
    assert.equal(exitFromErrorChannel(Buffer.from(JSON.stringify(failed)), true, true).exitCode, 137);
    assert.equal(exitFromErrorChannel(Buffer.from('{"status":"Failure","reason":"InternalError","message":"x"}'), true, true).exitCode, null);
    assert.equal(exitFromErrorChannel(Buffer.alloc(0), true, true).exitCode, null, "v4 without a Status: unknown");
    assert.equal(exitFromErrorChannel(Buffer.alloc(0), false, true).exitCode, 0, "old protocols say nothing on success");
    assert.equal(exitFromErrorChannel(Buffer.from("command terminated with non-zero exit code: exit status 2"), false, true).exitCode, 2);
  });
});
