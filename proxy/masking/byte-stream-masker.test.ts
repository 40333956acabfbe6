import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Masker } from "./masker.js";
import { ByteStreamMasker, MAX_PEM, sameLengthFill, type Replacement } from "./byte-stream-masker.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { PLACEHOLDER_PREFIX } from "./placeholder.js";

const masker = new Masker(randomBytes(32));
const secret = `known-${randomBytes(12).toString("base64url")}`;
const placeholder = masker.secret(secret);
const github = `ghp_${"A1b2C3d4E5f6G7h8I9j0".repeat(2)}`;
const pem = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA", "abcdef==", "-----END RSA PRIVATE KEY-----"].join("\n");

/** Runs `chunks` through a fresh masker (each chunk a push), then ends it. */
function run(chunks: Buffer[], replacement: Replacement): Buffer {
  const stream = new ByteStreamMasker(masker, DEFAULT_MASKING.detectors, null, { replacement });
  return Buffer.concat([...chunks.map((c) => stream.push(c)), stream.end()]);
}

/** Every way of cutting `data` in two, plus a few cuts in three. */
function cuts(data: Buffer): Buffer[][] {
  const out: Buffer[][] = [[data]];
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)]);
  for (let i = 1; i + 7 < data.length; i += 7) out.push([data.subarray(0, i), data.subarray(i, i + 7), data.subarray(i + 7)]);
  return out;
}

test("sameLengthFill repeats the placeholder and cuts it to length, from any offset", () => {
  assert.equal(sameLengthFill(placeholder, 10).toString(), placeholder.slice(0, 10));
  assert.equal(sameLengthFill(placeholder, 50).toString(), (placeholder + placeholder).slice(0, 50));
  assert.equal(sameLengthFill(placeholder, 5, 37).toString(), (placeholder + placeholder).slice(37, 42));
});

test("same length: a known value (as is, base64) and a detector match keep every offset, split anywhere", () => {
  const text = Buffer.concat([
    Buffer.from("\x00\x01binary head "),
    Buffer.from(secret),
    Buffer.from(" mid "),
    Buffer.from(Buffer.from(secret).toString("base64")),
    Buffer.from(`\nGITHUB_TOKEN=${github}\n\xff\xfe tail`, "latin1"),
  ]);
  for (const chunks of cuts(text)) {
    const out = run(chunks, "same-length");
    assert.equal(out.length, text.length, `cut at ${chunks.map((c) => c.length).join("+")}`);
    const latin1 = out.toString("latin1");
    assert.ok(!latin1.includes(secret) && !latin1.includes(Buffer.from(secret).toString("base64").replace(/=+$/, "")) && !latin1.includes(github), latin1);
    assert.ok(out.subarray(0, 14).equals(text.subarray(0, 14)), "the bytes before the first match are unchanged");
    assert.equal(latin1.slice(14, 14 + secret.length), sameLengthFill(placeholder, secret.length).toString("latin1"));
    assert.ok(latin1.endsWith("\n\xff\xfe tail"));
  }
});

test("same length: a PEM private key is overwritten whole, newlines included; what follows is kept", () => {
  const text = Buffer.from(`before\n${pem}\nafter\n`);
  for (const chunks of cuts(text)) {
    const out = run(chunks, "same-length").toString("latin1");
    assert.equal(out.length, text.length);
    assert.ok(out.startsWith("before\n") && out.endsWith("\nafter\n"), out);
    assert.ok(!out.includes("MIIEpAIBAAKCAQEA") && !out.includes("PRIVATE KEY"), out);
    assert.ok(out.slice(7, 7 + pem.length).startsWith(PLACEHOLDER_PREFIX));
  }
});

test("same length: a PEM block too long to hold is overwritten up to its END line, even one cut in two", () => {
  const body = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n".repeat(Math.ceil((MAX_PEM + 16_384) / 37));
  const text = Buffer.from(`start\n-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----\nafter the key\n`);
  const end = text.indexOf("-----END") + 12;
  // The second chunk takes the held block past MAX_PEM; the END line arrives in two pieces.
  const chunks = [text.subarray(0, 20_000), text.subarray(20_000, MAX_PEM + 8_000), text.subarray(MAX_PEM + 8_000, end), text.subarray(end)];
  const out = run(chunks, "same-length").toString("latin1");
  assert.equal(out.length, text.length);
  assert.ok(out.startsWith("start\n"));
  assert.ok(out.endsWith("\nafter the key\n"), out.slice(-80));
  assert.ok(!out.includes("QUJDREVG") && !out.includes("PRIVATE KEY"));
  // Placeholder mode drops the block and keeps what follows.
  const dropped = run(chunks, "placeholder").toString("latin1");
  assert.ok(dropped.endsWith("\nafter the key\n") && dropped.length < text.length && !dropped.includes("QUJDREVG"));
});

test("placeholder mode is unchanged: matches become 39-byte placeholders", () => {
  const out = run([Buffer.from(`a ${secret} b\n`)], "placeholder").toString();
  assert.equal(out, `a ${placeholder} b\n`);
});

test("by content: text output gets placeholders, binary output (NUL, not UTF-8) keeps its length", () => {
  const text = run([Buffer.from(`say ${secret}\n`)], "by-content").toString();
  assert.equal(text, `say ${placeholder}\n`);
  const binary = Buffer.concat([Buffer.from([0, 1, 2, 0xff]), Buffer.from(` ${secret}\n`)]);
  const out = run([binary], "by-content");
  assert.equal(out.length, binary.length);
  assert.ok(!out.toString("latin1").includes(secret));
  // Decided by the first output: a later NUL does not change it.
  const mixed = run([Buffer.from("text first\n"), Buffer.from(`\x00${secret}\n`)], "by-content").toString("latin1");
  assert.ok(mixed.includes(placeholder));
});

test("same length: a fill is never taken for a new secret (a detector around a masked short value)", () => {
  const short = "pw-123456";
  const m = new Masker(randomBytes(32));
  m.secret(short);
  const stream = new ByteStreamMasker(m, DEFAULT_MASKING.detectors, null, { replacement: "same-length" });
  const out = Buffer.concat([stream.push(Buffer.from(`password=${short}\n`)), stream.end()]).toString();
  assert.equal(out, `password=${PLACEHOLDER_PREFIX.slice(0, short.length)}\n`);
  assert.equal(m.known.has(Buffer.from(PLACEHOLDER_PREFIX.slice(0, short.length))), false);
});
