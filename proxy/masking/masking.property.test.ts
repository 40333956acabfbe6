// Property-based: for generated objects and streams seeded with secret values, no secret value,
// its base64 form or its JSON-escaped form appears anywhere in the masked output — whatever the
// JSON encoding (compact, indented, Go-style \u escapes), the content encoding (identity, gzip,
// deflate), the kind of response (object, List, Table, watch events, last-applied annotations,
// workloads' env, TokenRequest) and however the bytes are cut into chunks or frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { gzipSync, deflateSync } from "node:zlib";
import type { Transform } from "node:stream";
import fc from "fast-check";
import { MaskingService } from "./masking-service.js";
import { DEFAULT_MASKING } from "./masking-settings.js";
import { maskedBodyFor, type ResponseMasking } from "./response-masking.js";
import { ruleSetFor } from "./mask-rules.js";
import { maskValue } from "./object-masker.js";
import { ByteStreamMasker } from "./byte-stream-masker.js";
import { execStreamMasking } from "./exec-stream-masker.js";
import { FrameSerializer } from "../spdy/index.js";
import { restorePlaceholders } from "./write-back.js";
import { JsonStreamMasker } from "./json-stream-masker.js";

const RUNS = Number(process.env.MASKING_PROPERTY_RUNS ?? 150);

/** Secret values: varied characters (quotes, backslashes, newlines, non-ASCII) plus a nonce no output contains by chance. */
const secretArb = fc
  .tuple(
    fc.string({ minLength: 4, maxLength: 24, unit: fc.constantFrom(...Array.from("abcXYZ019 -_.:/+=\"'\\\n\té€😀<>&@")) }),
    fc.stringMatching(/^[0-9a-f]{8}$/),
  )
  .map(([body, nonce]) => `${body}Q${nonce}`);

function forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [value, bytes.toString("base64").replace(/=+$/, ""), bytes.toString("base64url"), JSON.stringify(value).slice(1, -1), goEscape(value)];
}

function assertNoLeak(output: string, secrets: readonly string[], context: string): void {
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      if (output.includes(form)) assert.fail(`${context}: leaked ${JSON.stringify(form)} (of ${JSON.stringify(secret)})\n${output.slice(0, 2000)}`);
    }
  }
}

/** JSON as Go writes it: <, >, & and everything non-ASCII as \u escapes. */
function goEscape(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[<>&\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function encodeJson(value: unknown, style: "compact" | "indented" | "go"): string {
  if (style === "indented") return JSON.stringify(value, null, 2);
  const compact = JSON.stringify(value);
  return style === "go" ? compact.replace(/[<>&\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : compact;
}

function secretObject(name: string, values: readonly string[], withLastApplied: boolean): Record<string, unknown> {
  const data = Object.fromEntries(values.map((v, i) => [`key-${i}`, Buffer.from(v, "utf8").toString("base64")]));
  const stringData = Object.fromEntries(values.map((v, i) => [`text-${i}`, v]));
  const metadata: Record<string, unknown> = { name, namespace: "default", resourceVersion: "42", labels: { app: "demo" } };
  if (withLastApplied) {
    metadata["annotations"] = {
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name }, data, stringData }) + "\n",
    };
  }
  return { kind: "Secret", apiVersion: "v1", metadata, type: "Opaque", data, stringData };
}

type Shape = "object" | "list" | "table" | "watch" | "deployment" | "token";

/** A response body of the given shape, carrying the secrets, and the resource/verb it answers. */
function responseFor(shape: Shape, secrets: readonly string[], style: "compact" | "indented" | "go"): { body: string; resource: string; group: string; subresource: string; watch: boolean } {
  const secret = secretObject("s1", secrets, true);
  switch (shape) {
    case "object":
      return { body: encodeJson(secret, style), resource: "secrets", group: "", subresource: "", watch: false };
    case "list":
      return {
        body: encodeJson({ kind: "SecretList", apiVersion: "v1", metadata: { resourceVersion: "7" }, items: [secret, secretObject("s2", [...secrets].reverse(), false)] }, style),
        resource: "secrets",
        group: "",
        subresource: "",
        watch: false,
      };
    case "table":
      return {
        body: encodeJson(
          {
            kind: "Table",
            apiVersion: "meta.k8s.io/v1",
            metadata: {},
            columnDefinitions: [{ name: "Name", type: "string" }],
            rows: [{ cells: ["s1", "Opaque", secrets.length, "1d"], object: secret }],
          },
          style,
        ),
        resource: "secrets",
        group: "",
        subresource: "",
        watch: false,
      };
    case "watch":
      return {
        body: ["ADDED", "MODIFIED", "DELETED"].map((type) => encodeJson({ type, object: secret }, style === "indented" ? "compact" : style) + "\n").join(""),
        resource: "secrets",
        group: "",
        subresource: "",
        watch: true,
      };
    case "deployment":
      return {
        body: encodeJson(
          {
            kind: "Deployment",
            apiVersion: "apps/v1",
            metadata: { name: "api", namespace: "default" },
            spec: {
              template: {
                spec: { containers: [{ name: "api", image: "x", env: secrets.map((v, i) => ({ name: `SECRET_${i}_PASSWORD`, value: v })) }] },
              },
            },
          },
          style,
        ),
        resource: "deployments",
        group: "apps",
        subresource: "",
        watch: false,
      };
    case "token":
      return {
        body: encodeJson({ kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", metadata: { name: "default" }, status: { token: secrets.join("") } }, style),
        resource: "serviceaccounts",
        group: "",
        subresource: "token",
        watch: false,
      };
  }
}

/** Writes chunks into a transform chain and collects what comes out. */
async function run(transforms: Transform[], chunks: readonly Buffer[]): Promise<Buffer> {
  const head = transforms[0] as Transform;
  let tail = head;
  for (const next of transforms.slice(1)) tail = tail.pipe(next);
  const out: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    tail.on("data", (chunk: Buffer) => out.push(chunk));
    tail.on("end", resolve);
    for (const t of transforms) t.on("error", reject);
  });
  for (const chunk of chunks) head.write(chunk);
  head.end();
  await done;
  return Buffer.concat(out);
}

/** Cuts a buffer at the given fractions (sorted, deduplicated offsets). */
function cut(buf: Buffer, fractions: readonly number[]): Buffer[] {
  const offsets = [...new Set(fractions.map((f) => Math.floor(f * buf.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const offset of offsets) {
    if (offset <= at || offset >= buf.length) continue;
    chunks.push(buf.subarray(at, offset));
    at = offset;
  }
  chunks.push(buf.subarray(at));
  return chunks;
}

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });

test("masked JSON responses never contain a secret, its base64 or its JSON-escaped form, for any shape, encoding and chunking", async () => {
  const service = new MaskingService({ key: randomBytes(32) });
  await fc.assert(
    fc.asyncProperty(
      fc.array(secretArb, { minLength: 1, maxLength: 4 }),
      fc.constantFrom<Shape>("object", "list", "table", "watch", "deployment", "token"),
      fc.constantFrom<"compact" | "indented" | "go">("compact", "indented", "go"),
      fc.constantFrom("identity", "gzip", "deflate"),
      cutsArb,
      async (secrets, shape, style, encoding, cuts) => {
        const response = responseFor(shape, secrets, style);
        const rules = ruleSetFor({ apiGroup: response.group, resource: response.resource, subresource: response.subresource }, DEFAULT_MASKING);
        assert.ok(rules);
        const masked: string[] = [];
        const masking: ResponseMasking = { kind: "json", root: response.watch ? rules.event : rules.body, scope: service.scope(DEFAULT_MASKING, masked) };
        const raw = Buffer.from(response.body, "utf8");
        const encoded = encoding === "gzip" ? gzipSync(raw) : encoding === "deflate" ? deflateSync(raw) : raw;
        const plan = maskedBodyFor(masking, { "content-type": "application/json", "content-encoding": encoding });
        assert.ok(!("refuse" in plan));
        const output = (await run(plan.transforms, cut(encoded, cuts))).toString("utf8");
        assertNoLeak(output, secrets, `${shape}/${style}/${encoding}`);
        // Still JSON (one value per line for watches), and the fields masked were recorded.
        for (const doc of response.watch ? output.trim().split("\n") : [output]) JSON.parse(doc);
        assert.ok(masked.length > 0);
      },
    ),
    { numRuns: RUNS },
  );
});

test("the streaming masker and the object masker agree on every object", () => {
  const service = new MaskingService({ key: randomBytes(32) });
  fc.assert(
    fc.property(fc.array(secretArb, { minLength: 1, maxLength: 3 }), cutsArb, (secrets, cuts) => {
      const response = responseFor("list", secrets, "compact");
      const rules = ruleSetFor({ apiGroup: "", resource: "secrets", subresource: "" }, DEFAULT_MASKING);
      assert.ok(rules);
      const expected = maskValue(JSON.parse(response.body), rules.body, service.scope(DEFAULT_MASKING, []));
      const masker = new JsonStreamMasker(rules.body, service.scope(DEFAULT_MASKING, []));
      const output = Buffer.concat([...cut(Buffer.from(response.body), cuts).map((c) => masker.push(c)), masker.end()]);
      assert.deepEqual(JSON.parse(output.toString("utf8")), expected);
    }),
    { numRuns: RUNS },
  );
});

/** Text around secrets in a log or a terminal. */
const fillerArb = fc.string({ maxLength: 30, unit: fc.constantFrom(..."lorem ipsum:=\n\r\t{}\"".split("")) });

/** A stream carrying each secret in one of its forms. */
function streamOf(secrets: readonly string[], fillers: readonly string[], formIndexes: readonly number[]): Buffer {
  let text = "";
  secrets.forEach((secret, i) => {
    const form = formIndexes[i] ?? 0;
    const bytes = Buffer.from(secret, "utf8");
    const shown = form === 1 ? bytes.toString("base64") : form === 2 ? JSON.stringify(secret).slice(1, -1) : form === 3 ? bytes.toString("base64url") : secret;
    text += `${fillers[i] ?? ""}${shown}${fillers[i + 1] ?? ""}`;
  });
  return Buffer.from(text, "utf8");
}

/** Secrets the engine has seen: masked once in a Secret, as a read through the gateway would. */
function learn(service: MaskingService, secrets: readonly string[]): void {
  const rules = ruleSetFor({ apiGroup: "", resource: "secrets", subresource: "" }, DEFAULT_MASKING);
  assert.ok(rules);
  maskValue(secretObject("seen", secrets, false), rules.object, service.scope(DEFAULT_MASKING, []));
}

const streamArb = fc.record({
  secrets: fc.array(secretArb, { minLength: 1, maxLength: 4 }),
  fillers: fc.array(fillerArb, { minLength: 5, maxLength: 5 }),
  forms: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  cuts: cutsArb,
});

test("log streams never carry a known secret in any form, however they are chunked", () => {
  const service = new MaskingService({ key: randomBytes(32) });
  fc.assert(
    fc.property(streamArb, ({ secrets, fillers, forms: formIndexes, cuts }) => {
      learn(service, secrets);
      const masker = new ByteStreamMasker(service.masker, DEFAULT_MASKING.detectors);
      const stream = streamOf(secrets, fillers, formIndexes);
      const out: Buffer[] = [];
      for (const chunk of cut(stream, cuts)) {
        out.push(masker.push(chunk));
        // Idle flushes only ever release unfinished lines, never a partial known value.
        out.push(masker.flushIdle());
      }
      out.push(masker.end());
      assertNoLeak(Buffer.concat(out).toString("utf8"), secrets, "log stream");
    }),
    { numRuns: RUNS },
  );
});

function wsFrame(payload: Buffer, fin = true, opcode = 0x2): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, length]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, length >> 8, length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** Payloads of server→client channel messages, per channel, from a WebSocket byte stream. */
function wsPayloads(bytes: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let pos = 0;
  let channel = -1;
  while (pos < bytes.length) {
    const b0 = bytes[pos] as number;
    let length = (bytes[pos + 1] as number) & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(pos + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(pos + 2));
      header = 10;
    }
    let payload = bytes.subarray(pos + header, pos + header + length);
    const opcode = b0 & 0x0f;
    if (opcode === 0x1 || opcode === 0x2) {
      channel = payload[0] as number;
      payload = payload.subarray(1);
    }
    if (opcode <= 0x2) out.set(channel, Buffer.concat([out.get(channel) ?? Buffer.alloc(0), payload]));
    pos += header + length;
  }
  return out;
}

test("exec output over WebSocket (v5.channel.k8s.io) is masked across any framing and chunking, and stays valid framing", async () => {
  const service = new MaskingService({ key: randomBytes(32) });
  await fc.assert(
    fc.asyncProperty(streamArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }), async ({ secrets, fillers, forms: formIndexes, cuts }, frameCuts) => {
      learn(service, secrets);
      const stream = streamOf(secrets, fillers, formIndexes);
      // stdout split into messages, one of them fragmented; the same on stderr; then the exit status.
      const messages = cut(stream, frameCuts);
      const frames: Buffer[] = messages.map((m) => wsFrame(Buffer.concat([Buffer.from([1]), m])));
      frames.push(...messages.map((m) => wsFrame(Buffer.concat([Buffer.from([2]), m]))));
      if (messages.length > 2) {
        const m = messages[0] as Buffer;
        frames[0] = Buffer.concat([wsFrame(Buffer.concat([Buffer.from([1]), m.subarray(0, m.length >> 1)]), false), wsFrame(m.subarray(m.length >> 1), true, 0x0)]);
      }
      frames.push(wsFrame(Buffer.concat([Buffer.from([3]), Buffer.from('{"status":"Success"}')])), Buffer.from([0x88, 0x00]));
      const wire = Buffer.concat(frames);
      const masking = execStreamMasking("websocket", "v5.channel.k8s.io", () => new ByteStreamMasker(service.masker, DEFAULT_MASKING.detectors));
      const output = await run([masking.toAgent], cut(wire, cuts));
      const payloads = wsPayloads(output);
      assertNoLeak(output.toString("utf8"), secrets, "websocket exec");
      assertNoLeak((payloads.get(1) ?? Buffer.alloc(0)).toString("utf8"), secrets, "websocket exec stdout");
      assertNoLeak((payloads.get(2) ?? Buffer.alloc(0)).toString("utf8"), secrets, "websocket exec stderr");
      assert.equal(payloads.get(3)?.toString(), '{"status":"Success"}');
    }),
    { numRuns: RUNS },
  );
});

test("exec output over SPDY is masked across any framing and chunking; other streams pass byte for byte", async () => {
  const service = new MaskingService({ key: randomBytes(32) });
  await fc.assert(
    fc.asyncProperty(streamArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }), async ({ secrets, fillers, forms: formIndexes, cuts }, frameCuts) => {
      learn(service, secrets);
      const client = new FrameSerializer();
      const masking = execStreamMasking("spdy", "v4.channel.k8s.io", () => new ByteStreamMasker(service.masker, DEFAULT_MASKING.detectors));
      // The client opens its streams (headers compressed with the shared zlib context).
      const synStreams = Buffer.concat(
        ["error", "stdout", "stderr"].map((type, i) =>
          client.serialize({ type: "SYN_STREAM", streamId: 1 + 2 * i, associatedToStreamId: 0, priority: 0, slot: 0, flags: 0, headers: { streamtype: [type] } }),
        ),
      );
      await run([masking.toUpstream], cut(synStreams, cuts));
      const server = new FrameSerializer();
      const stream = streamOf(secrets, fillers, formIndexes);
      const messages = cut(stream, frameCuts);
      const frames = [3, 5].flatMap((streamId) => messages.map((m) => server.serialize({ type: "DATA", streamId, flags: 0, data: m })));
      const status = server.serialize({ type: "DATA", streamId: 1, flags: 1, data: Buffer.from('{"status":"Success"}') });
      frames.push(status, server.serialize({ type: "DATA", streamId: 3, flags: 1, data: Buffer.alloc(0) }), server.serialize({ type: "DATA", streamId: 5, flags: 1, data: Buffer.alloc(0) }));
      const output = await run([masking.toAgent], cut(Buffer.concat(frames), cuts));
      assertNoLeak(output.toString("latin1"), secrets, "spdy exec (latin1 view)");
      assertNoLeak(output.toString("utf8"), secrets, "spdy exec");
      assert.ok(output.includes(status), "the error stream's frame passes unchanged");
    }),
    { numRuns: RUNS },
  );
});

test("write-back of a masked Secret restores exactly the cluster's values", async () => {
  const service = new MaskingService({ key: randomBytes(32) });
  await fc.assert(
    fc.asyncProperty(fc.array(secretArb, { minLength: 1, maxLength: 4 }), async (secrets) => {
      const current = secretObject("s1", secrets, true);
      delete current["stringData"];
      const rules = ruleSetFor({ apiGroup: "", resource: "secrets", subresource: "" }, DEFAULT_MASKING);
      assert.ok(rules);
      const masked = maskValue(current, rules.object, service.scope(DEFAULT_MASKING, [])) as Record<string, unknown>;
      assert.notDeepEqual(masked, current);
      const body = Buffer.from(JSON.stringify(masked));
      const result = await restorePlaceholders({
        verb: "update",
        contentType: "application/json",
        body,
        object: masked,
        rules,
        masker: service.masker,
        settings: DEFAULT_MASKING,
        current: () => Promise.resolve(current),
      });
      assert.equal(result.kind, "restored");
      if (result.kind === "restored") assert.deepEqual(result.object, current);
    }),
    { numRuns: RUNS },
  );
});
