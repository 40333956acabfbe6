import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Transform } from "node:stream";
import { Masker } from "./masker.js";
import { ByteStreamMasker, IDLE_FLUSH_MS } from "./byte-stream-masker.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { execReplacementFor, execStreamMasking } from "./exec-stream-masker.js";
import { FrameSerializer } from "../spdy/index.js";

const masker = new Masker(randomBytes(32));
masker.secret("known-secret-value");
const newMasker = (): ByteStreamMasker => new ByteStreamMasker(masker, DEFAULT_MASKING.detectors);

function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, payload.length]), payload]);
}

function collect(transform: Transform): { out: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  transform.on("data", (c: Buffer) => chunks.push(c));
  return { out: () => Buffer.concat(chunks), ended: new Promise((resolve) => transform.on("end", resolve)) };
}

test("WebSocket: control frames and the error channel pass as they came; output is re-framed with the secret masked", async () => {
  const { toAgent } = execStreamMasking("websocket", "v5.channel.k8s.io", newMasker);
  const sink = collect(toAgent);
  const ping = frame(0x9, Buffer.from("hi"));
  const status = frame(0x2, Buffer.concat([Buffer.from([3]), Buffer.from('{"status":"Success"}')]));
  toAgent.write(frame(0x2, Buffer.concat([Buffer.from([1]), Buffer.from("line known-secret-")]), false));
  toAgent.write(ping);
  toAgent.write(frame(0x0, Buffer.from("value end\n")));
  toAgent.end(Buffer.concat([status, Buffer.from([0x88, 0x00])]));
  await sink.ended;
  const out = sink.out();
  assert.ok(!out.includes("known-secret-value"));
  assert.ok(out.includes(ping));
  assert.ok(out.includes(status));
  assert.ok(out.includes(Buffer.from("chaperone-masked-")));
  assert.ok(out.subarray(out.length - 2).equals(Buffer.from([0x88, 0x00])));
});

test("WebSocket base64 variant: messages are decoded, masked and re-encoded", async () => {
  const { toAgent } = execStreamMasking("websocket", "v4.base64.channel.k8s.io", newMasker);
  const sink = collect(toAgent);
  toAgent.end(frame(0x1, Buffer.from("1" + Buffer.from("say known-secret-value\n").toString("base64"))));
  await sink.ended;
  const out = sink.out();
  const payload = out.subarray(2 + (out[1] === 126 ? 2 : 0)).toString("latin1");
  assert.equal(payload[0], "1");
  assert.match(Buffer.from(payload.slice(1), "base64").toString(), /^say chaperone-masked-[a-z2-7]{22}\n$/);
});

test("an unfinished line is released once the stream is quiet", async () => {
  const { toAgent } = execStreamMasking("websocket", "v5.channel.k8s.io", newMasker);
  const sink = collect(toAgent);
  toAgent.write(frame(0x2, Buffer.concat([Buffer.from([1]), Buffer.from("$ prompt: ")])));
  await new Promise((r) => setTimeout(r, IDLE_FLUSH_MS * 4));
  assert.ok(sink.out().includes(Buffer.from("$ prompt: ")), "the prompt was held");
  toAgent.end();
  await sink.ended;
});

test("SPDY: streams are typed from the client's SYN_STREAMs; the error stream passes byte for byte", async () => {
  const masking = execStreamMasking("spdy", "v4.channel.k8s.io", newMasker);
  const client = new FrameSerializer();
  const server = new FrameSerializer();
  const clientSink = collect(masking.toUpstream);
  const opened = Buffer.concat(
    ["error", "stdout"].map((type, i) => client.serialize({ type: "SYN_STREAM", streamId: 1 + 2 * i, associatedToStreamId: 0, priority: 0, slot: 0, flags: 0, headers: { streamtype: [type] } })),
  );
  masking.toUpstream.end(opened);
  await clientSink.ended;
  assert.ok(clientSink.out().equals(opened), "client bytes pass unchanged");
  const sink = collect(masking.toAgent);
  const error = server.serialize({ type: "DATA", streamId: 1, flags: 1, data: Buffer.from("known-secret-value") });
  masking.toAgent.write(server.serialize({ type: "DATA", streamId: 3, flags: 0, data: Buffer.from("out known-secret") }));
  masking.toAgent.write(server.serialize({ type: "DATA", streamId: 3, flags: 1, data: Buffer.from("-value\n") }));
  masking.toAgent.end(error);
  await sink.ended;
  const out = sink.out();
  assert.ok(out.includes(error), "the error stream is untouched");
  assert.ok(out.subarray(0, out.indexOf(error)).indexOf("known-secret-value") < 0);
  assert.ok(out.includes(Buffer.from("out chaperone-masked-")));
});

test("the replacement follows the session: tar without a TTY keeps lengths, a TTY gets placeholders, the rest is decided by the output", () => {
  const exec = "/api/v1/namespaces/x/pods/p/exec";
  assert.equal(execReplacementFor(`${exec}?command=tar&command=cf&command=-&command=%2Ftmp%2Ff&stdout=true`), "same-length");
  assert.equal(execReplacementFor(`${exec}?command=%2Fbin%2Ftar&command=cf&command=-&stdout=true`), "same-length");
  assert.equal(execReplacementFor(`${exec}?command=tar&command=cf&command=-&stdout=true&tty=true`), "placeholder");
  assert.equal(execReplacementFor(`${exec}?command=sh&stdin=true&stdout=true&tty=true`), "placeholder");
  assert.equal(execReplacementFor(`${exec}?command=cat&command=%2Fdata%2Fblob&stdout=true`), "by-content");
  assert.equal(execReplacementFor("/api/v1/namespaces/x/pods/p/attach?stdout=true"), "by-content");
  // tty is read as the API server reads it: only "false" and "0" (any case) say no terminal.
  assert.equal(execReplacementFor(`${exec}?command=tar&command=cf&command=-&tty=yes`), "placeholder");
  assert.equal(execReplacementFor(`${exec}?command=tar&command=cf&command=-&tty=FALSE`), "same-length");
});

test("WebSocket, same length: kubectl cp's tar stream keeps every byte's offset, the value overwritten in place", async () => {
  const { toAgent } = execStreamMasking("websocket", "v5.channel.k8s.io", () => new ByteStreamMasker(masker, DEFAULT_MASKING.detectors, null, { replacement: "same-length" }));
  const sink = collect(toAgent);
  const header = Buffer.alloc(60, 0);
  const content = Buffer.concat([header, Buffer.from("known-secret-value"), Buffer.alloc(20, 0)]);
  toAgent.end(frame(0x2, Buffer.concat([Buffer.from([1]), content])));
  await sink.ended;
  const out = sink.out();
  const payload = out.subarray(2).subarray(1);
  assert.equal(payload.length, content.length);
  assert.ok(payload.subarray(0, 60).equals(header) && payload.subarray(78).equals(Buffer.alloc(20, 0)));
  assert.match(payload.subarray(60, 78).toString(), /^chaperone-masked-[a-z2-7]$/);
});
