import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Masker } from "./masker.js";
import { ByteStreamMasker, LINE_TAIL, MAX_LINE, MAX_PEM, sameLengthFill, type Replacement } from "./byte-stream-masker.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { BUILTIN_DETECTORS, compileDetector, DetectorSet, type Detector } from "./detectors.js";
import { PLACEHOLDER_PREFIX } from "./placeholder.js";

const masker = new Masker(randomBytes(32));
const secret = `known-${randomBytes(12).toString("base64url")}`;
const placeholder = masker.secret(secret);
const github = `ghp_${"A1b2C3d4E5f6G7h8I9j0".repeat(2)}`;
const pem = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA", "abcdef==", "-----END RSA PRIVATE KEY-----"].join("\n");

/** Runs `chunks` through a fresh masker (each chunk a push), then ends it. */
function run(chunks: Buffer[], replacement: Replacement, using: Masker = masker): Buffer {
  const stream = new ByteStreamMasker(using, DEFAULT_MASKING.detectors, null, { replacement });
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

test("trigger bytes: every built-in anchor holds one, in both cases where its detector ignores case; a detector without anchors (a policy's) turns them off", () => {
  const triggers = new DetectorSet(BUILTIN_DETECTORS).triggerBytes as readonly number[];
  assert.ok(triggers.includes(0x2d), "a PEM BEGIN line always counts");
  for (const d of BUILTIN_DETECTORS) {
    const caseless = d.regex.flags.includes("i");
    for (const anchor of d.anchors ?? []) {
      const forms = caseless ? [anchor.toLowerCase(), anchor.toUpperCase()] : [anchor];
      for (const form of forms) assert.ok([...Buffer.from(form, "latin1")].some((b) => triggers.includes(b)), `${d.name}: ${form}`);
    }
  }
  const custom = compileDetector({ name: "acme", pattern: "acme_[a-z]{8}" }) as Detector;
  assert.equal(new DetectorSet([...BUILTIN_DETECTORS, custom]).triggerBytes, null);
});

// The quiet path releases bytes without trigger bytes up to the last byte that is not text: this
// holds only while no built-in match can hold such a byte before its first trigger byte.
test("built-in detectors: no match holds a byte that is not text before its first trigger byte", () => {
  const triggers = new DetectorSet(BUILTIN_DETECTORS).triggerBytes as readonly number[];
  const samples = [
    pem,
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    "AKIAIOSFODNN7EXAMPLE",
    github,
    `github_pat_${"a1B2".repeat(6)}`,
    `glpat-${"x1Y2".repeat(6)}`,
    "xoxb-1234567890-abcdefghij",
    `AIza${"Ab1_".repeat(9)}`,
    `sk_live_${"a1B2".repeat(5)}`,
    `sk-proj-${"a1B2".repeat(9)}`,
    "postgres://user:pa55word@db.internal",
    "Authorization: Bearer abcdefghijklmnop1234",
    "Server=db;Password=hunter2hunter2;",
    "db_password: hunter2hunter2",
    "\"apiKey\": \"abcdef123456\"",
  ];
  const nonText = [0x00, 0x01, 0x08, 0x0e, 0x1f, 0x7f, 0x80, 0x85, 0x9f, 0xa1, 0xff];
  for (const d of BUILTIN_DETECTORS) {
    for (const sample of samples) {
      const regex = new RegExp(d.regex.source, d.regex.flags);
      for (const m of sample.matchAll(regex)) {
        let trigger = 0;
        while (trigger < m[0].length && !triggers.includes(m[0].charCodeAt(trigger))) trigger++;
        for (let k = 0; k <= trigger; k++) {
          for (const x of nonText) {
            const at = (m.index as number) + k;
            const text = sample.slice(0, at) + String.fromCharCode(x) + sample.slice(at);
            for (const n of text.matchAll(new RegExp(d.regex.source, d.regex.flags))) {
              const start = n.index as number;
              assert.ok(!(start <= at && start + n[0].length > at), `${d.name} matches across 0x${x.toString(16)} in ${JSON.stringify(text)}`);
            }
          }
        }
      }
    }
  }
});

test("binary without trigger bytes: passes at once, yet a secret whose trigger byte comes in the next chunk is caught", () => {
  const zeros = Buffer.alloc(3 * MAX_LINE);
  const stream = new ByteStreamMasker(masker, DEFAULT_MASKING.detectors, null, { replacement: "same-length" });
  const first = stream.push(zeros);
  assert.equal(first, zeros, "a chunk that cannot take part in a match goes out as it came");
  assert.equal(stream.heldBytes, 0);
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
  const cases = [`\x00password=hunter2hunter2\n`, `\x00\x01${jwt}\x00`, `\xff${github}\n`, `\x00x postgres://user:pa55word@db\x00`, `\x00Authorization: Bearer abcdefghijklmnop1234\n`];
  for (const body of cases) {
    const data = Buffer.concat([Buffer.alloc(MAX_LINE + 100), Buffer.from(body, "latin1"), Buffer.alloc(LINE_TAIL + 10)]);
    const start = MAX_LINE + 100;
    for (let i = start; i <= start + body.length; i++) {
      for (const replacement of ["same-length", "placeholder"] as const) {
        // A fresh masker each time: what a detector found is not known yet (stage 1 would mask it anyway).
        const out = run([data.subarray(0, i), data.subarray(i)], replacement, new Masker(randomBytes(32))).toString("latin1");
        for (const secretPart of ["hunter2hunter2", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", github, "pa55word", "abcdefghijklmnop1234"]) {
          assert.ok(!out.includes(secretPart), `${replacement}, cut at ${i - start} of ${JSON.stringify(body)}`);
        }
        if (replacement === "same-length") assert.equal(out.length, data.length);
      }
    }
  }
});

test("a long line of text without trigger bytes keeps its tail held, so a token split across chunks is caught", () => {
  const prose = Buffer.from("lorem ipsum dolor sit amet ".repeat(Math.ceil((MAX_LINE + 2000) / 27)));
  const token = `password=hunter2hunter2 ${github}\n`;
  for (let i = 0; i <= token.length; i++) {
    const out = run([Buffer.concat([prose, Buffer.from(token.slice(0, i))]), Buffer.from(token.slice(i))], "placeholder", new Masker(randomBytes(32))).toString();
    assert.ok(!out.includes("hunter2hunter2") && !out.includes(github), `cut at ${i}`);
  }
});

test("same length: a reply ending in what could begin a known value goes out once the stream is quiet, and the value's rest is still overwritten", () => {
  const stream = new ByteStreamMasker(masker, DEFAULT_MASKING.detectors, null, { replacement: "same-length" });
  // A protocol reply whose last bytes are the start of the secret: the peer waits for them.
  const head = Buffer.from(`reply-1\n${secret.slice(0, 5)}`);
  const first = stream.push(head);
  assert.ok(head.toString("latin1").startsWith(first.toString("latin1")), "what went out is a prefix of the reply");
  assert.ok(stream.idleReleasable, "the held beginning is released by the idle timer");
  const released = stream.flushIdle();
  const sent = Buffer.concat([first, released]);
  assert.equal(sent.toString("latin1"), head.toString("latin1"), "the whole reply is out, unchanged (it was not a secret yet)");
  assert.equal(stream.idleReleasable, false);
  // The value does continue: the rest of it is overwritten, and the output keeps every offset.
  const tail = Buffer.from(`${secret.slice(5)} and more\n`);
  const rest = Buffer.concat([stream.push(tail), stream.end()]);
  assert.equal(rest.length, tail.length, "same length");
  assert.equal(rest.toString("latin1"), sameLengthFill(placeholder, secret.length).subarray(5).toString("latin1") + " and more\n");
});

test("placeholder mode: the beginning of a known value stays held through a quiet period, so a slowly typed secret is still masked whole", () => {
  const stream = new ByteStreamMasker(masker, DEFAULT_MASKING.detectors, null, { replacement: "placeholder" });
  const out = [stream.push(Buffer.from(secret.slice(0, 5)))];
  out.push(stream.flushIdle());
  out.push(stream.push(Buffer.from(secret.slice(5))), stream.end());
  const text = Buffer.concat(out).toString("latin1");
  assert.equal(text, placeholder);
});

test("a long unfinished line cut between a key and its value keeps the key with the value, so the value is still found", () => {
  const value = "hunter2-Sup3rS3cret-xyz";
  const prefix = "a ".repeat(6500);
  const suffix = ` ${"c ".repeat(2040)}`;
  const line = `${prefix}password=${value}${suffix}`;
  // The cut of a line longer than MAX_LINE (all but its last LINE_TAIL bytes go) falls inside the value.
  const cut = line.length - LINE_TAIL;
  assert.ok(line.length > MAX_LINE && cut > prefix.length + "password=".length && cut < prefix.length + "password=".length + value.length);
  for (const replacement of ["placeholder", "same-length"] as const) {
    const out = run([Buffer.from(line), Buffer.from("\nnext line\n")], replacement, new Masker(randomBytes(32)));
    assert.ok(!out.toString("latin1").includes(value), `${replacement}: the value leaked`);
    assert.ok(out.toString("latin1").endsWith("\nnext line\n"));
  }
});
