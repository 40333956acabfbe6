import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingStore, recordingKindFor, type NewRecording } from "./recording-store.js";
import { parseCast } from "./asciicast.js";
import { binaryStream, playCast, readBinary, tarEntries } from "./recording-playback.js";

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), "chaperone-rec-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function fields(id: string, overrides: Partial<NewRecording> = {}): NewRecording {
  return {
    id,
    kind: "terminal",
    startedAt: new Date().toISOString(),
    auditID: id,
    agent: "claude",
    profile: "guarded",
    run: "run1",
    verb: "exec",
    namespace: "default",
    pod: "nginx",
    container: "",
    command: ["sh"],
    tty: true,
    stdin: true,
    ...overrides,
  };
}

describe("recordings", () => {
  it("a terminal session becomes an asciicast v2 file whose output replays byte for byte", async (t) => {
    const store = new RecordingStore(dir(t));
    const session = store.open(fields("rec-1"), () => assert.fail("no write error expected"));
    session.setProtocol("websocket", "v5.channel.k8s.io");
    session.resize(132, 43);
    session.stdin(Buffer.from("echo héllo\r"));
    const output = Buffer.from("héllo wörld ✓\r\n");
    // A multi-byte character split across two chunks stays whole.
    session.stdout(output.subarray(0, 3));
    session.stdout(output.subarray(3));
    session.resize(100, 30);
    const meta = session.finish({ exitCode: 0, exitStatus: { status: "Success" }, incomplete: null });
    assert.equal(meta.state, "complete");
    assert.equal(meta.sha256.stdout, createHash("sha256").update(output).digest("hex"));
    const cast = parseCast(readFileSync(store.pathOf(meta), "utf8"));
    assert.equal(cast.header.version, 2);
    assert.equal(cast.header.width, 132);
    assert.equal(cast.header.height, 43);
    assert.equal((cast.header.chaperone as { run: string }).run, "run1");
    const codes = cast.events.map((e) => e[1]).filter((code, i, all) => code !== all[i - 1]);
    assert.deepEqual(codes, ["i", "o", "r", "m"]);
    assert.equal(cast.events.find((e) => e[1] === "r")![2], "100x30");
    let replayed = "";
    await playCast(cast, { speed: 1000, idleLimit: 0, write: (s) => void (replayed += s) });
    assert.ok(Buffer.from(replayed, "utf8").equals(output));
    assert.equal(store.find("rec-").id, "rec-1");
  });

  it("a kubectl cp session is a binary recording whose streams export as they were", (t) => {
    const d = dir(t);
    const store = new RecordingStore(d);
    assert.equal(recordingKindFor(["tar", "xmf", "-", "-C", "/tmp"], false), "binary");
    assert.equal(recordingKindFor(["sh"], true), "terminal");
    const src = join(d, "src");
    mkdirSync(src);
    execFileSync("sh", ["-c", `head -c 70000 /dev/urandom > ${src}/blob.bin`]);
    const archive = execFileSync("tar", ["cf", "-", "-C", src, "blob.bin"]);
    const session = store.open(fields("rec-cp", { kind: "binary", command: ["tar", "xmf", "-", "-C", "/tmp"], tty: false }), () => {});
    session.stdin(archive.subarray(0, 1000));
    session.stdin(archive.subarray(1000));
    session.stdinClosed();
    session.errorChannel(Buffer.from('{"metadata":{},"status":"Success"}'));
    const meta = session.finish({ exitCode: 0, exitStatus: null, incomplete: null });
    assert.equal(meta.file, "rec-cp.bin");
    const recording = readBinary(store.pathOf(meta));
    assert.ok(binaryStream(recording, "stdin").equals(archive));
    assert.deepEqual(tarEntries(archive).map((e) => [e.name, e.size]), [["blob.bin", 70000]]);
  });

  it("a session without a TTY is a terminal recording when its output is text, a binary one when it is not", (t) => {
    const store = new RecordingStore(dir(t));
    const text = store.open(fields("plain", { tty: false, command: ["cat"] }), () => {});
    text.stdin(Buffer.from("typed before any output\n"));
    text.stdout(Buffer.from("typed before any output\n"));
    const textMeta = text.finish({ exitCode: 0, exitStatus: null, incomplete: null });
    assert.equal(textMeta.kind, "terminal");
    const cast = parseCast(readFileSync(store.pathOf(textMeta), "utf8"));
    assert.deepEqual(cast.events.map((e) => e[1]), ["i", "o", "m"], "input held until the format was known keeps its place");

    const zeros = store.open(fields("zeros", { tty: false, command: ["head", "-c", "100000", "/dev/zero"] }), () => {});
    zeros.stdout(Buffer.alloc(65536));
    zeros.stdout(Buffer.alloc(34464));
    const zerosMeta = zeros.finish({ exitCode: 0, exitStatus: null, incomplete: null });
    assert.equal(zerosMeta.kind, "binary");
    assert.equal(zerosMeta.file, "zeros.bin");
    assert.ok(binaryStream(readBinary(store.pathOf(zerosMeta)), "stdout").equals(Buffer.alloc(100000)));
  });

  it("a recording that cannot be written is refused before the session starts", (t) => {
    const d = join(dir(t), "recordings");
    mkdirSync(d);
    chmodSync(d, 0o500);
    let immutable = false;
    if (process.getuid?.() === 0) {
      // root ignores permissions: make the folder immutable instead, where the filesystem allows it.
      try {
        execFileSync("chattr", ["+i", d], { stdio: "ignore" });
        immutable = true;
      } catch {
        t.skip("running as root without chattr: cannot make a folder unwritable");
        return;
      }
    }
    try {
      const store = new RecordingStore(d);
      assert.throws(() => store.open(fields("rec-x"), () => {}), /EACCES|EPERM/);
    } finally {
      if (immutable) execFileSync("chattr", ["-i", d]);
      chmodSync(d, 0o700);
    }
  });

  it("retention removes the oldest finished recordings beyond the limits", (t) => {
    const store = new RecordingStore(dir(t), { maxAgeMs: 86_400_000, maxTotalBytes: 0 });
    const old = store.open(fields("old", { startedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }), () => {});
    old.stdout(Buffer.from("x"));
    const oldMeta = old.finish({ exitCode: 0, exitStatus: null, incomplete: null });
    // Make it look like it ended three days ago.
    oldMeta.endedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    writeFileSync(join(store.dir, "old.json"), JSON.stringify(oldMeta));
    const fresh = store.open(fields("fresh"), () => {});
    fresh.finish({ exitCode: 0, exitStatus: null, incomplete: null });
    assert.deepEqual(store.applyRetention(), ["old"]);
    assert.deepEqual(store.list().map((m) => m.id), ["fresh"]);
  });
});
