import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeJsonBytes, MAX_ESCAPE_EXPANSION } from "./json-escape.js";
import { castLine, parseCast } from "./asciicast.js";
import { RecordingStore } from "./recording-store.js";

function viaStringify(bytes: Buffer): string {
  return JSON.stringify(bytes.toString("utf8")).slice(1, -1);
}

function viaBytes(bytes: Buffer): string {
  const out = Buffer.alloc(bytes.length * MAX_ESCAPE_EXPANSION + 8);
  const end = escapeJsonBytes(bytes, 0, bytes.length, out, 3);
  return out.toString("utf8", 3, end);
}

/** Deterministic pseudo-random numbers (xorshift32). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

describe("JSON escaping from UTF-8 bytes", () => {
  it("gives what JSON.stringify gives, for every single byte below 0x80 and at any alignment", () => {
    for (let c = 0; c < 0x80; c++) {
      for (let offset = 0; offset < 4; offset++) {
        for (const length of [1, 3, 4, 5, 9, 40, 131]) {
          for (const at of new Set([0, length >> 1, length - 1, Math.min(length - 1, 17)])) {
            const bytes = Buffer.alloc(length + offset, 0x61).subarray(offset);
            bytes[at] = c;
            assert.equal(viaBytes(bytes), viaStringify(bytes), `byte ${c} at ${at}, offset ${offset}, length ${length}`);
          }
        }
      }
    }
  });

  it("gives what JSON.stringify gives for random text, control characters and multi-byte UTF-8", () => {
    const next = random(0x9e3779b9);
    const pieces = ["é", "✓", "😀", "\u2028", "\u2029", "\u007f", '"', "\\", "\r\n", "\t", "\u001b[0m", "\u0000"];
    for (let round = 0; round < 3000; round++) {
      const length = Math.floor(next() * (round < 2500 ? 200 : 5000));
      let text = "";
      while (text.length < length) {
        const r = next();
        if (r < 0.25) text += pieces[Math.floor(next() * pieces.length)];
        else if (r < 0.35) text += String.fromCharCode(Math.floor(next() * 0x20));
        else text += "abcdefghijklmnopqrstuvwxyz 0123456789{}:,."[Math.floor(next() * 43)];
      }
      const offset = Math.floor(next() * 4);
      const encoded = Buffer.from(text, "utf8");
      const bytes = Buffer.alloc(encoded.length + offset).subarray(offset);
      encoded.copy(bytes);
      assert.equal(viaBytes(bytes), viaStringify(bytes));
      // Any sub-range escapes on its own as the same bytes.
      const from = Math.floor(next() * bytes.length);
      const to = from + Math.floor(next() * (bytes.length - from));
      const out = Buffer.alloc((to - from) * MAX_ESCAPE_EXPANSION);
      const end = escapeJsonBytes(bytes, from, to, out, 0);
      const expected = Buffer.from(JSON.stringify(bytes.subarray(from, to).toString("latin1")).slice(1, -1), "latin1");
      // latin1 round trip: compare byte for byte, whatever the range cut through.
      assert.ok(out.subarray(0, end).equals(expected));
    }
  });

  it("a terminal recording's lines are what castLine writes, for bulk and odd output alike", (t) => {
    const d = mkdtempSync(join(tmpdir(), "chaperone-escape-"));
    t.after(() => rmSync(d, { recursive: true, force: true }));
    const store = new RecordingStore(d);
    const session = store.open(
      {
        id: "rec-escape",
        kind: "terminal",
        startedAt: new Date().toISOString(),
        auditID: "rec-escape",
        agent: "claude",
        profile: "guarded",
        run: null,
        verb: "exec",
        namespace: "default",
        pod: "p",
        container: "",
        command: ["cat"],
        tty: false,
        stdin: false,
      },
      () => assert.fail("no write error expected"),
    );
    const next = random(12345);
    const chunks: Buffer[] = [];
    const line = Buffer.from('line "quoted" \\ tab\t ✓ é\u001b[1m\r\n');
    chunks.push(Buffer.concat(Array.from({ length: 20000 }, () => line))); // > 1 MiB in one chunk
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.alloc(Math.floor(next() * 3000));
      for (let k = 0; k < chunk.length; k++) chunk[k] = next() < 0.9 ? 0x20 + Math.floor(next() * 0x5f) : Math.floor(next() * 0x20);
      if (chunk.length > 0) chunks.push(chunk);
    }
    for (const chunk of chunks) session.stdout(chunk);
    const meta = session.finish({ exitCode: 0, exitStatus: null, incomplete: null });
    assert.equal(meta.state, "complete");
    assert.equal(meta.lossy, false);
    const text = readFileSync(store.pathOf(meta), "utf8");
    const cast = parseCast(text);
    const data = cast.events.filter((e) => e[1] === "o");
    assert.equal(data.length, chunks.length);
    const lines = text.split("\n").slice(1, 1 + chunks.length);
    lines.forEach((l, i) => {
      const event = data[i]!;
      assert.equal(event[2], chunks[i]!.toString("utf8"));
      assert.equal(l + "\n", castLine(event[0], "o", chunks[i]!.toString("utf8")));
    });
  });
});
