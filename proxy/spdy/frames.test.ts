import { test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { FrameParser } from "./frame-parser.js";
import { FrameSerializer } from "./frame-serializer.js";
import { HeaderCompressor, HeaderDecompressor } from "./header-compression.js";
import { decodeHeaderBlock, encodeHeaderBlock } from "./header-block.js";
import { SPDY3_DICTIONARY, SPDY3_DICTIONARY_ID } from "./dictionary.js";
import { FLAG_FIN, SpdyProtocolError, spdyHeaders, type SpdyFrame } from "./frames.js";

function sampleFrames(): SpdyFrame[] {
  return [
    {
      type: "SYN_STREAM",
      streamId: 1,
      associatedToStreamId: 0,
      priority: 0,
      slot: 0,
      flags: 0,
      headers: spdyHeaders({ streamtype: "error" }),
    },
    {
      type: "SYN_STREAM",
      streamId: 3,
      associatedToStreamId: 1,
      priority: 7,
      slot: 2,
      flags: FLAG_FIN,
      headers: spdyHeaders({ streamtype: "data", port: "8080", requestid: "0", multi: ["a", "b"] }),
    },
    { type: "SYN_REPLY", streamId: 1, flags: 0, headers: {} },
    { type: "SYN_REPLY", streamId: 3, flags: FLAG_FIN, headers: spdyHeaders({ status: "200" }) },
    { type: "RST_STREAM", streamId: 5, status: 5 },
    {
      type: "SETTINGS",
      flags: 1,
      entries: [
        { flags: 1, id: 4, value: 100 },
        { flags: 0, id: 7, value: 65536 },
      ],
    },
    { type: "SETTINGS", flags: 0, entries: [] },
    { type: "PING", id: 1 },
    { type: "PING", id: 0xfffffffe },
    { type: "GOAWAY", lastGoodStreamId: 7, status: 0 },
    { type: "HEADERS", streamId: 7, flags: FLAG_FIN, headers: spdyHeaders({ "x-trailer": "done" }) },
    { type: "WINDOW_UPDATE", streamId: 3, deltaWindowSize: 0x7fffffff },
    { type: "DATA", streamId: 1, flags: 0, data: Buffer.from("hello") },
    { type: "DATA", streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) },
    { type: "DATA", streamId: 0x7fffffff, flags: 0, data: Buffer.from([0, 1, 2, 255, 254]) },
    { type: "UNKNOWN", version: 3, frameType: 10, flags: 0, payload: Buffer.from("credential") },
  ];
}

function encodeAll(frames: SpdyFrame[]): Buffer {
  const serializer = new FrameSerializer();
  return Buffer.concat(frames.map((f) => serializer.serialize(f)));
}

test("dictionary is the 1423-byte SPDY/3 dictionary with the Adler-32 zlib expects", () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  let a = 1;
  let b = 0;
  for (const byte of SPDY3_DICTIONARY) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  assert.equal(((b << 16) | a) >>> 0, SPDY3_DICTIONARY_ID);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString("latin1"), "\0\0\0\x07options");
  assert.ok(SPDY3_DICTIONARY.toString("latin1").endsWith(",*,enq=0."));
});

test("every frame type round-trips through serializer and parser", () => {
  const frames = sampleFrames();
  const parsed = new FrameParser().push(encodeAll(frames));
  assert.deepEqual(parsed, frames);
});

test("parser yields the same frames when the input is split at every byte boundary", () => {
  const frames = sampleFrames();
  const bytes = encodeAll(frames);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const parser = new FrameParser();
    const out = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
    assert.deepEqual(out, frames, `split at ${cut}`);
    assert.equal(parser.bufferedBytes, 0);
  }
});

test("parser yields the same frames when fed one byte at a time", () => {
  const frames = sampleFrames();
  const bytes = encodeAll(frames);
  const parser = new FrameParser();
  const out: SpdyFrame[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...parser.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(out, frames);
});

test("a frame is returned only once its last byte arrives", () => {
  const bytes = new FrameSerializer().serialize({ type: "PING", id: 9 });
  const parser = new FrameParser();
  assert.deepEqual(parser.push(bytes.subarray(0, bytes.length - 1)), []);
  assert.equal(parser.bufferedBytes, bytes.length - 1);
  assert.deepEqual(parser.push(bytes.subarray(bytes.length - 1)), [{ type: "PING", id: 9 }]);
});

test("header blocks share one zlib context: the second block decodes only after the first", () => {
  const serializer = new FrameSerializer();
  const first = serializer.serialize({ type: "SYN_STREAM", streamId: 1, associatedToStreamId: 0, priority: 0, slot: 0, flags: 0, headers: spdyHeaders({ streamtype: "error" }) });
  const second = serializer.serialize({ type: "SYN_STREAM", streamId: 3, associatedToStreamId: 0, priority: 0, slot: 0, flags: 0, headers: spdyHeaders({ streamtype: "stdout" }) });

  // Without the first frame, the second block has no zlib header and refers to history it lacks.
  assert.throws(() => new FrameParser().push(second), SpdyProtocolError);

  const inOrder = new FrameParser();
  const frames = inOrder.push(Buffer.concat([first, second]));
  assert.equal(frames.length, 2);
  assert.deepEqual((frames[1] as { headers: unknown }).headers, { streamtype: ["stdout"] });
});

test("the first header block starts a zlib stream that names the SPDY dictionary", () => {
  const compressed = new HeaderCompressor().compress(encodeHeaderBlock(spdyHeaders({ a: "b" })));
  assert.equal(compressed[0]! & 0x0f, 8, "deflate method");
  assert.ok(compressed[1]! & 0x20, "FDICT flag set");
  assert.equal(compressed.readUInt32BE(2), SPDY3_DICTIONARY_ID);
});

test("header blocks from an independent zlib peer (sync-flushed, one shared stream) decode in order", async () => {
  // Emulate the Go side with Node's public streaming zlib: one deflate stream primed with the
  // dictionary, sync-flushed after each block, exactly as spdystream's framer does.
  const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const output: Buffer[] = [];
  deflate.on("data", (chunk: Buffer) => output.push(chunk));
  const compress = async (block: Buffer): Promise<Buffer> => {
    deflate.write(block);
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    return Buffer.concat(output.splice(0));
  };
  const blocks = [spdyHeaders({ streamtype: "error" }), spdyHeaders({ streamtype: "stdin" }), spdyHeaders({ streamtype: "stdin" })];
  const compressed: Buffer[] = [];
  for (const block of blocks) compressed.push(await compress(encodeHeaderBlock(block)));
  deflate.close();
  // A repeated block compresses to a back-reference: proof the context really is shared.
  assert.ok(compressed[2]!.length < compressed[1]!.length);
  const decompressor = new HeaderDecompressor();
  assert.deepEqual(
    compressed.map((c) => decodeHeaderBlock(decompressor.decompress(c))),
    blocks,
  );
});

test("a corrupted header block fails the decompression context for good", () => {
  const compressor = new HeaderCompressor();
  const good = compressor.compress(encodeHeaderBlock(spdyHeaders({ a: "b" })));
  const decompressor = new HeaderDecompressor();
  const corrupt = Buffer.from(good);
  corrupt[1] = corrupt[1]! ^ 0xff; // break the zlib header check
  assert.throws(() => decompressor.decompress(corrupt), SpdyProtocolError);
  assert.throws(() => decompressor.decompress(good), SpdyProtocolError);
});

test("multi-valued headers are NUL-joined on the wire and split again", () => {
  const block = encodeHeaderBlock({ accept: ["a", "b"] });
  assert.ok(block.includes(Buffer.from("a\0b")));
  assert.deepEqual(decodeHeaderBlock(block), { accept: ["a", "b"] });
});

test("malformed frames are rejected as protocol errors", () => {
  const ping = new FrameSerializer().serialize({ type: "PING", id: 1 });
  const badLength = Buffer.from(ping);
  badLength.writeUInt32BE(5, 4); // PING with a 5-byte payload
  assert.throws(() => new FrameParser().push(Buffer.concat([badLength, Buffer.alloc(1)])), SpdyProtocolError);

  const dataOnZero = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => new FrameParser().push(dataOnZero), SpdyProtocolError);

  const wrongVersion = Buffer.from(ping);
  wrongVersion.writeUInt16BE(0x8002, 0);
  assert.throws(() => new FrameParser().push(wrongVersion), /unsupported SPDY version 2/);
});

test("serializer refuses stream id 0 and oversized payloads", () => {
  const serializer = new FrameSerializer();
  assert.throws(() => serializer.serialize({ type: "DATA", streamId: 0, flags: 0, data: Buffer.alloc(1) }), RangeError);
  assert.throws(
    () => serializer.serialize({ type: "DATA", streamId: 1, flags: 0, data: Buffer.alloc(0x1000000) }),
    RangeError,
  );
});

test("a header block larger than zlib's output chunk decodes whole", () => {
  const big = "x".repeat(200_000) + randomTail();
  const bytes = new FrameSerializer().serialize({ type: "HEADERS", streamId: 1, flags: 0, headers: spdyHeaders({ big }) });
  const [frame] = new FrameParser().push(bytes);
  assert.deepEqual(frame, { type: "HEADERS", streamId: 1, flags: 0, headers: { big: [big] } });
});

function randomTail(): string {
  return Array.from({ length: 5000 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
}
