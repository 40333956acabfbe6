import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Transform } from "node:stream";
import { Masker } from "./masker.js";
import { ByteStreamMasker, sameLengthFill } from "./byte-stream-masker.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { portForwardStreamMasking } from "./port-forward-stream-masker.js";
import { FrameParser, FrameSerializer, type SpdyFrame } from "../spdy/index.js";

const masker = new Masker(randomBytes(32));
const secret = `pf-secret-${randomBytes(9).toString("base64url")}`;
const placeholder = masker.secret(secret);
const github = `ghp_${"Z9y8X7w6V5u4T3s2R1q0".repeat(2)}`;
const newMasker = (): ByteStreamMasker => new ByteStreamMasker(masker, DEFAULT_MASKING.detectors, null, { replacement: "same-length" });

const base64 = Buffer.from(secret).toString("base64");
const body = `{"password":"${secret}","encoded":"${base64}","token":"${github}"}`;
const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
/** The response as the agent must see it: every value overwritten in place by its fill. */
const expected = Buffer.from(
  response
    .toString("latin1")
    .replace(secret, sameLengthFill(placeholder, secret.length).toString("latin1"))
    .replace(base64.replace(/=+$/, ""), sameLengthFill(placeholder, base64.replace(/=+$/, "").length).toString("latin1"))
    .replace(github, sameLengthFill(masker.placeholders.forBytes(Buffer.from(github)), github.length).toString("latin1")),
  "latin1",
);
const plain = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\nhello from default/web\r\n");

/** A deterministic sequence of cut points (xorshift). */
function cutter(seed: number): (max: number) => number {
  let x = seed;
  return (max) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % max) + 1;
  };
}

function split(data: Buffer, seed: number, max = 40): Buffer[] {
  const next = cutter(seed);
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const n = next(max);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

function collect(transform: Transform): { out: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  transform.on("data", (c: Buffer) => chunks.push(c));
  return { out: () => Buffer.concat(chunks), ended: new Promise((resolve) => transform.on("end", resolve)) };
}

/** What a kubelet sends on a port-forward: replies for an error and a data stream per connection, the pod's bytes, FINs. */
function serverSession(): Buffer {
  const server = new FrameSerializer();
  const frames: Buffer[] = [];
  for (const id of [1, 3, 5, 7]) frames.push(server.serialize({ type: "SYN_REPLY", streamId: id, flags: 0, headers: {} }));
  // Connection 1 (streams 1 error, 3 data): the response in pieces, a PING in the middle.
  const pieces = split(response, 7, 60);
  pieces.forEach((piece, i) => {
    frames.push(server.serialize({ type: "DATA", streamId: 3, flags: 0, data: piece }));
    if (i === 2) frames.push(server.serialize({ type: "PING", id: 2 }));
  });
  // Connection 2 (streams 5, 7), interleaved: nothing secret.
  frames.push(server.serialize({ type: "DATA", streamId: 7, flags: 0, data: plain }));
  frames.push(server.serialize({ type: "DATA", streamId: 3, flags: 1, data: Buffer.alloc(0) }));
  frames.push(server.serialize({ type: "DATA", streamId: 1, flags: 1, data: Buffer.alloc(0) }));
  frames.push(server.serialize({ type: "DATA", streamId: 7, flags: 1, data: Buffer.alloc(0) }));
  frames.push(server.serialize({ type: "DATA", streamId: 5, flags: 1, data: Buffer.alloc(0) }));
  return Buffer.concat(frames);
}

/** Per stream, the DATA the client receives, and the control frame types in order. */
function readSpdy(bytes: Buffer): { data: Map<number, Buffer>; control: string[]; fins: number[] } {
  const frames: SpdyFrame[] = new FrameParser().push(bytes);
  const data = new Map<number, Buffer>();
  const control: string[] = [];
  const fins: number[] = [];
  for (const frame of frames) {
    if (frame.type !== "DATA") {
      control.push(frame.type);
      continue;
    }
    data.set(frame.streamId, Buffer.concat([data.get(frame.streamId) ?? Buffer.alloc(0), frame.data]));
    if (frame.flags & 1) fins.push(frame.streamId);
  }
  return { data, control, fins };
}

function assertSession(spdy: Buffer, what: string): void {
  const { data, control, fins } = readSpdy(spdy);
  assert.ok(data.get(3)?.equals(expected), `${what}: the response arrives masked in place\n${data.get(3)?.toString("latin1")}`);
  assert.ok(data.get(7)?.equals(plain), `${what}: a response without secrets is unchanged`);
  assert.deepEqual(control, ["SYN_REPLY", "SYN_REPLY", "SYN_REPLY", "SYN_REPLY", "PING"], what);
  assert.deepEqual(fins.sort(), [1, 3, 5, 7], what);
}

function wsFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const header = payload.length < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, payload.length]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** Server frames (never masked) → opcode, fin and payload. */
function readWs(bytes: Buffer): { opcode: number; fin: boolean; payload: Buffer }[] {
  const out: { opcode: number; fin: boolean; payload: Buffer }[] = [];
  for (let at = 0; at < bytes.length; ) {
    const b0 = bytes[at] as number;
    let length = (bytes[at + 1] as number) & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    out.push({ opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, payload: bytes.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return out;
}

test("SPDY: every stream the pod writes to is masked in place, across frames and any chunking; control frames pass", async () => {
  const session = serverSession();
  for (const seed of [1, 2, 3, 4, 5]) {
    const { toAgent } = portForwardStreamMasking("spdy", "portforward.k8s.io", newMasker);
    const sink = collect(toAgent);
    for (const chunk of split(session, seed, 97)) toAgent.write(chunk);
    toAgent.end();
    await sink.ended;
    assertSession(sink.out(), `spdy seed ${seed}`);
  }
});

test("SPDY tunnelled in WebSocket: SPDY cut anywhere across (fragmented) binary messages comes out masked, as binary messages", async () => {
  const session = serverSession();
  for (const seed of [11, 12, 13]) {
    const messages: Buffer[] = [];
    split(session, seed, 150).forEach((piece, i) => {
      if (i % 3 === 1 && piece.length > 1) {
        // A fragmented message with a ping between its fragments.
        messages.push(wsFrame(0x2, piece.subarray(0, 1), false), wsFrame(0x9, Buffer.from("p")), wsFrame(0x0, piece.subarray(1)));
      } else messages.push(wsFrame(0x2, piece));
    });
    messages.push(wsFrame(0x8, Buffer.from([0x03, 0xe8])));
    const { toAgent } = portForwardStreamMasking("websocket", "SPDY/3.1+portforward.k8s.io", newMasker);
    const sink = collect(toAgent);
    for (const chunk of split(Buffer.concat(messages), seed + 1, 200)) toAgent.write(chunk);
    toAgent.end();
    await sink.ended;
    const frames = readWs(sink.out());
    for (const frame of frames) assert.ok(frame.fin && (frame.opcode === 0x2 || frame.opcode === 0x9 || frame.opcode === 0x8), `frame ${frame.opcode}`);
    assert.equal(frames.at(-1)?.opcode, 0x8, "the close comes last");
    assert.ok(frames.some((f) => f.opcode === 0x9));
    assertSession(Buffer.concat(frames.filter((f) => f.opcode === 0x2).map((f) => f.payload)), `tunnel seed ${seed}`);
  }
});

test("the kubelet's channel protocol: the port prefix of each channel passes, the data is masked in place (binary and base64)", async () => {
  const port = Buffer.from([0x90, 0x1f]); // 8080, little-endian
  for (const protocol of ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"]) {
    const b64 = protocol.includes("base64");
    const message = (channel: number, data: Buffer): Buffer =>
      b64 ? wsFrame(0x1, Buffer.from(String(channel) + data.toString("base64"))) : wsFrame(0x2, Buffer.concat([Buffer.from([channel]), data]));
    const half = 70;
    const input = Buffer.concat([message(0, port), message(1, port), message(0, response.subarray(0, half)), message(0, response.subarray(half)), wsFrame(0x8, Buffer.alloc(0))]);
    const { toAgent } = portForwardStreamMasking("websocket", protocol, newMasker);
    const sink = collect(toAgent);
    toAgent.end(input);
    await sink.ended;
    const byChannel = new Map<number, Buffer[]>();
    for (const frame of readWs(sink.out())) {
      if (frame.opcode === 0x8) continue;
      const channel = b64 ? (frame.payload[0] as number) - 0x30 : (frame.payload[0] as number);
      const data = b64 ? Buffer.from(frame.payload.subarray(1).toString("latin1"), "base64") : frame.payload.subarray(1);
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), data]);
    }
    assert.ok(byChannel.get(1)?.[0]?.equals(port), `${protocol}: the error channel's port prefix`);
    const data = byChannel.get(0) ?? [];
    assert.ok(data[0]?.subarray(0, 2).equals(port), `${protocol}: the data channel's port prefix comes first, as it came`);
    assert.ok(Buffer.concat(data).subarray(2).equals(expected), `${protocol}: ${Buffer.concat(data).toString("latin1")}`);
  }
});

test("what the agent sends passes byte for byte", async () => {
  const { toUpstream } = portForwardStreamMasking("websocket", "SPDY/3.1+portforward.k8s.io", newMasker);
  const sink = collect(toUpstream);
  const bytes = Buffer.from(`GET /?token=${secret} HTTP/1.1\r\n\r\n`);
  toUpstream.end(bytes);
  await sink.ended;
  assert.ok(sink.out().equals(bytes));
});
