import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { ContainerInfo } from "./command-context.js";
import { simulatedPod, resetSimulatedPods } from "./container.js";
import { BufferInput, BufferOutput, EMPTY_INPUT } from "./process-io.js";
import { runProgram, runShellProgram } from "./shell.js";
import { createTarArchive, extractTarArchive } from "./tar.js";
import { Terminal } from "./terminal.js";
import { MemoryFilesystem } from "./filesystem.js";

function container(): ContainerInfo & { environment(tty: boolean): Map<string, string> } {
  resetSimulatedPods();
  const pod = simulatedPod("ns", {
    metadata: { name: "pod", uid: "u1" },
    spec: { containers: [{ name: "c", env: [{ name: "GREETING", value: "hi there" }] }] },
  });
  return pod.container({ name: "c", env: [{ name: "GREETING", value: "hi there" }] });
}

async function sh(script: string, stdin: Buffer | string = ""): Promise<{ code: number; stdout: string; stderr: string; box: ReturnType<typeof container> }> {
  const box = container();
  const stdout = new BufferOutput();
  const stderr = new BufferOutput();
  const code = await runShellProgram(
    {
      argv: ["sh", "-c", script],
      stdin: stdin === "" ? EMPTY_INPUT : new BufferInput(stdin),
      stdout,
      stderr,
      env: box.environment(false),
      cwd: "/",
      container: box,
      terminal: null,
      signal: new AbortController().signal,
    },
    null,
  );
  return { code, stdout: stdout.contents().toString(), stderr: stderr.contents().toString(), box };
}

describe("simulated shell", () => {
  it("expands variables inside double quotes but not single quotes", async () => {
    const r = await sh(`echo "$GREETING" '$GREETING' \${HOSTNAME}`);
    assert.equal(r.stdout, "hi there $GREETING pod\n");
  });

  it("runs ; && || lists with the right exit statuses", async () => {
    const r = await sh("false && echo no; false || echo yes; true && echo and; echo $?");
    assert.equal(r.stdout, "yes\nand\n0\n");
  });

  it("sees variables assigned earlier in the same script and exported ones in children", async () => {
    const r = await sh("A=1; export B=2; echo $A; sh -c 'echo [$A][$B]'");
    assert.equal(r.stdout, "1\n[][2]\n");
  });

  it("pipes output between commands and redirects to and from files", async () => {
    const r = await sh("echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f | wc -l; cat /tmp/f");
    assert.equal(r.stdout, "2\none\ntwo\n");
  });

  it("reports unknown commands as the shell does, with status 127", async () => {
    const r = await sh("nosuch arg");
    assert.equal(r.code, 127);
    assert.equal(r.stderr, "sh: nosuch: not found\n");
  });

  it("exits with the status given to exit, skipping the rest", async () => {
    const r = await sh("echo before; exit 42; echo after");
    assert.equal(r.code, 42);
    assert.equal(r.stdout, "before\n");
  });

  it("reports a syntax error with status 2", async () => {
    const r = await sh("echo 'unterminated");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^sh: unterminated quoted string/);
  });

  it("supports command substitution and globbing", async () => {
    const r = await sh("echo host=$(hostname); ls /app/*.txt");
    assert.equal(r.stdout, "host=pod\n/app/config.txt\n");
  });

  it("cat copies binary stdin unchanged", async () => {
    const data = randomBytes(64 * 1024);
    const box = container();
    const out = new BufferOutput();
    const code = await runProgram(
      {
        argv: ["cat"],
        stdin: new BufferInput(data),
        stdout: out,
        stderr: new BufferOutput(),
        env: new Map(),
        cwd: "/",
        container: box,
        terminal: null,
        signal: new AbortController().signal,
      },
      null,
    );
    assert.equal(code, 0);
    assert.ok(out.contents().equals(data));
  });

  it("test -d distinguishes directories from files, as kubectl cp relies on", async () => {
    const r = await sh("test -d /app && echo dir; test -d /app/config.txt || echo file; [ -f /etc/hostname ] && echo f");
    assert.equal(r.stdout, "dir\nfile\nf\n");
  });
});

describe("tar", () => {
  it("round-trips a directory tree with binary content", async () => {
    const fs = new MemoryFilesystem();
    fs.mkdir("/src/sub", { recursive: true });
    const blob = randomBytes(10_000);
    fs.writeFile("/src/sub/blob.bin", blob);
    fs.writeFile("/src/a.txt", Buffer.from("a\n"));
    const archive = await createTarArchive(fs, [{ source: "/src", name: "src" }]);
    const target = new MemoryFilesystem();
    target.mkdir("/dest");
    const names = await extractTarArchive(target, archive, "/dest");
    assert.deepEqual(names, ["src/", "src/a.txt", "src/sub/", "src/sub/blob.bin"]);
    assert.ok(target.readFile("/dest/src/sub/blob.bin").equals(blob));
  });

  it("tar cf - prints GNU tar's notice about leading slashes on stderr", async () => {
    const r = await sh("tar cf - /etc/hostname > /tmp/out.tar; tar tf /tmp/out.tar");
    assert.equal(r.stderr, "tar: Removing leading `/' from member names\n");
    assert.equal(r.stdout, "etc/hostname\n");
  });
});

describe("terminal line discipline", () => {
  it("echoes keystrokes, turns CR into a newline for the reader and CRLF on screen, and handles backspace", async () => {
    const screen = new BufferOutput();
    const tty = new Terminal(screen);
    await tty.receive(Buffer.from("ecx\x7fho\r"));
    assert.equal(await tty.input.readLine(), "echo\n");
    assert.equal(screen.contents().toString(), "ecx\b \bho\r\n");
    await tty.output.write("a\nb\n");
    assert.ok(screen.contents().toString().endsWith("a\r\nb\r\n"));
  });

  it("delivers ^C to the innermost interrupt handler and ^D on an empty line as end of input", async () => {
    const tty = new Terminal(new BufferOutput());
    const calls: string[] = [];
    tty.onInterrupt(() => calls.push("outer"));
    const remove = tty.onInterrupt(() => calls.push("inner"));
    await tty.receive(Buffer.from("\x03"));
    remove();
    await tty.receive(Buffer.from("\x03\x04"));
    assert.deepEqual(calls, ["inner", "outer"]);
    assert.equal(await tty.input.readLine(), null);
  });
});
