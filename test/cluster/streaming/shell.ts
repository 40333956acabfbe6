// The simulated container's shell (`sh`, `bash`): runs `sh -c "…"` scripts and interactive sessions
// over the parsed subset described in shell-parser.ts, dispatching to the programs in commands.ts.
// Pipelines run stage by stage with the intermediate output buffered, which is indistinguishable from
// real pipes for the short-lived commands the simulated container offers.
import path from "node:path/posix";
import type { Command, CommandContext, ContainerInfo } from "./command-context.js";
import { PROGRAMS } from "./commands.js";
import { FsError, MemoryFilesystem } from "./filesystem.js";
import { parseScript, ShellSyntaxError, type Pipeline, type Redirect, type SimpleCommand, type Word } from "./shell-parser.js";
import {
  BufferInput,
  BufferOutput,
  EMPTY_INPUT,
  NULL_OUTPUT,
  type InputReader,
  type OutputSink,
} from "./process-io.js";
import type { Terminal } from "./terminal.js";

export interface StandardStreams {
  stdin: InputReader;
  stdout: OutputSink;
  stderr: OutputSink;
}

/** Thrown by `exit` to unwind to the shell's entry point. */
class ShellExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface ShellOptions {
  container: ContainerInfo;
  env: Map<string, string>;
  cwd?: string;
  terminal: Terminal | null;
  /** Session-wide abort: the client went away. */
  signal: AbortSignal;
  /** argv[0]: "sh" or "bash"; decides the flavour of error messages. */
  name?: string;
  positional?: string[];
}

/** Directories whose programs the simulated PATH resolves (`/bin/sh`, `/usr/bin/env`, …). */
const BIN_DIRECTORIES = ["/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin"];

/** Appends to a file in the container on every write (`>` and `>>` redirections). */
class FileOutput implements OutputSink {
  constructor(
    private readonly fs: MemoryFilesystem,
    private readonly target: string,
  ) {}

  async write(data: string | Buffer): Promise<void> {
    this.fs.writeFile(this.target, typeof data === "string" ? Buffer.from(data) : data, { append: true });
  }
}

export class Shell {
  private readonly vars = new Map<string, string>();
  private readonly exported = new Set<string>();
  private readonly container: ContainerInfo;
  private readonly terminal: Terminal | null;
  private readonly signal: AbortSignal;
  private readonly name: string;
  private positional: string[];
  private cwd: string;
  private lastStatus = 0;
  private foreground: AbortController | null = null;

  constructor(options: ShellOptions) {
    this.container = options.container;
    this.terminal = options.terminal;
    this.signal = options.signal;
    this.name = options.name ?? "sh";
    this.positional = options.positional ?? [this.name];
    for (const [key, value] of options.env) {
      this.vars.set(key, value);
      this.exported.add(key);
    }
    this.cwd = options.cwd ?? options.env.get("PWD") ?? "/";
    if (!this.container.fs.isDirectory(this.cwd)) this.cwd = "/";
  }

  /** Runs a script (`sh -c`); returns its exit status. */
  async run(source: string, io: StandardStreams): Promise<number> {
    try {
      return await this.execute(source, io);
    } catch (error) {
      if (error instanceof ShellExit) return error.code;
      throw error;
    }
  }

  /**
   * Reads commands line by line from stdin until end of input or `exit`. With a terminal, prints the
   * root prompt and treats ^C as an interrupt of the foreground command (or of the line being typed).
   */
  async interactive(io: StandardStreams): Promise<number> {
    const onInterrupt = (): void => {
      if (this.foreground) {
        this.foreground.abort();
        void io.stdout.write("\n");
      } else {
        void io.stdout.write(`\n${this.prompt()}`);
      }
    };
    const removeInterruptHandler = this.terminal?.onInterrupt(onInterrupt);
    try {
      for (;;) {
        if (this.signal.aborted) return 137;
        if (this.terminal) await io.stdout.write(this.prompt());
        const line = await io.stdin.readLine();
        if (line === null) {
          if (this.terminal) await io.stdout.write("exit\n");
          return this.lastStatus;
        }
        if (line.trim().length === 0) continue;
        try {
          await this.execute(line, io);
        } catch (error) {
          if (error instanceof ShellExit) return error.code;
          throw error;
        }
      }
    } finally {
      removeInterruptHandler?.();
    }
  }

  private prompt(): string {
    return "# ";
  }

  private async execute(source: string, io: StandardStreams): Promise<number> {
    let script;
    try {
      script = parseScript(source);
    } catch (error) {
      if (error instanceof ShellSyntaxError) {
        await io.stderr.write(`${this.name}: ${error.message}\n`);
        this.lastStatus = 2;
        return 2;
      }
      throw error;
    }
    for (const list of script) {
      let status = await this.runPipeline(list.first, io);
      for (const { op, pipeline } of list.rest) {
        if ((op === "&&" && status === 0) || (op === "||" && status !== 0)) status = await this.runPipeline(pipeline, io);
      }
      this.lastStatus = status;
      if (this.signal.aborted) break;
    }
    return this.lastStatus;
  }

  private async runPipeline(pipeline: Pipeline, io: StandardStreams): Promise<number> {
    let input = io.stdin;
    let status = 0;
    for (let i = 0; i < pipeline.commands.length; i++) {
      const last = i === pipeline.commands.length - 1;
      const output = last ? io.stdout : new BufferOutput();
      status = await this.runSimple(pipeline.commands[i] as SimpleCommand, { stdin: input, stdout: output, stderr: io.stderr });
      if (!last) input = new BufferInput((output as BufferOutput).contents());
    }
    this.lastStatus = pipeline.negate ? (status === 0 ? 1 : 0) : status;
    return this.lastStatus;
  }

  private async expandWord(word: Word): Promise<{ text: string; keep: boolean }> {
    let text = "";
    let quoted = false;
    for (const part of word) {
      if (part.quoted) quoted = true;
      if (part.kind === "text") text += part.value;
      else if (part.kind === "variable") text += this.lookup(part.name);
      else text += await this.substitute(part.script);
    }
    return { text, keep: quoted || text.length > 0 };
  }

  /** Unquoted `*` / `?` in the last path segment expand to matching names, as globbing does. */
  private glob(word: Word, text: string): string[] {
    const globbable = word.some((p) => p.kind === "text" && !p.quoted && /[*?]/.test(p.value));
    if (!globbable) return [text];
    const dir = path.dirname(text);
    const pattern = path.basename(text);
    if (/[*?]/.test(dir)) return [text];
    const absolute = MemoryFilesystem.resolve(this.cwd, dir);
    if (!this.container.fs.isDirectory(absolute)) return [text];
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    const matches = this.container.fs
      .readdir(absolute)
      .filter((name) => regex.test(name) && (pattern.startsWith(".") || !name.startsWith(".")))
      .map((name) => (dir === "." && !text.startsWith("./") ? name : path.join(dir, name)));
    return matches.length > 0 ? matches : [text];
  }

  private lookup(name: string): string {
    if (name === "?") return String(this.lastStatus);
    if (name === "$") return "1";
    if (name === "#") return String(Math.max(0, this.positional.length - 1));
    if (name === "@" || name === "*") return this.positional.slice(1).join(" ");
    if (/^\d$/.test(name)) return this.positional[Number(name)] ?? "";
    if (name === "PWD") return this.cwd;
    return this.vars.get(name) ?? "";
  }

  private async substitute(script: string): Promise<string> {
    const child = this.fork();
    const out = new BufferOutput();
    await child.run(script, { stdin: EMPTY_INPUT, stdout: out, stderr: NULL_OUTPUT });
    return out.contents().toString("utf8").replace(/\n+$/, "");
  }

  private fork(options: Partial<ShellOptions> = {}): Shell {
    const child = new Shell({
      container: this.container,
      env: this.exportedEnv(),
      cwd: this.cwd,
      terminal: this.terminal,
      signal: this.signal,
      name: this.name,
      positional: this.positional,
      ...options,
    });
    for (const [key, value] of this.vars) if (!this.exported.has(key)) child.vars.set(key, value);
    return child;
  }

  private exportedEnv(extra: Map<string, string> = new Map()): Map<string, string> {
    const env = new Map<string, string>();
    for (const key of this.exported) {
      const value = key === "PWD" ? this.cwd : this.vars.get(key);
      if (value !== undefined) env.set(key, value);
    }
    for (const [key, value] of extra) env.set(key, value);
    return env;
  }

  private async redirect(redirects: Redirect[], io: StandardStreams): Promise<StandardStreams | string> {
    let { stdin, stdout, stderr } = io;
    const fs = this.container.fs;
    for (const r of redirects) {
      const { text: target } = await this.expandWord(r.target);
      if (r.op === ">&") {
        const sink = target === "1" ? stdout : target === "2" ? stderr : null;
        if (!sink) return `${target}: bad file descriptor`;
        if (r.fd === 2) stderr = sink;
        else stdout = sink;
        continue;
      }
      if (r.op === "<") {
        if (target === "/dev/null") stdin = EMPTY_INPUT;
        else {
          try {
            stdin = new BufferInput(fs.readFile(MemoryFilesystem.resolve(this.cwd, target)));
          } catch (error) {
            if (error instanceof FsError) return `${target}: ${FsError.describe(error.code)}`;
            throw error;
          }
        }
        continue;
      }
      let sink: OutputSink;
      if (target === "/dev/null") sink = NULL_OUTPUT;
      else if (target === "/dev/stdout") sink = stdout;
      else if (target === "/dev/stderr") sink = stderr;
      else if (["/proc/1/fd/1", "/proc/1/fd/2", "/dev/console"].includes(target)) {
        sink = { write: (data) => this.container.writeToMainProcess(typeof data === "string" ? Buffer.from(data) : data) };
      } else {
        const file = MemoryFilesystem.resolve(this.cwd, target);
        try {
          if (r.op === ">" || !fs.exists(file)) fs.writeFile(file, Buffer.alloc(0));
        } catch (error) {
          if (error instanceof FsError) return `can't create ${target}: ${FsError.describe(error.code)}`;
          throw error;
        }
        sink = new FileOutput(fs, file);
      }
      if (r.fd === 2) stderr = sink;
      else stdout = sink;
    }
    return { stdin, stdout, stderr };
  }

  private async runSimple(command: SimpleCommand, io: StandardStreams): Promise<number> {
    const assignments = new Map<string, string>();
    for (const a of command.assignments) assignments.set(a.name, (await this.expandWord(a.value)).text);
    const argv: string[] = [];
    for (const word of command.words) {
      const { text, keep } = await this.expandWord(word);
      if (keep) argv.push(...this.glob(word, text));
    }
    const redirected = await this.redirect(command.redirects, io);
    if (typeof redirected === "string") {
      await io.stderr.write(`${this.name}: ${redirected}\n`);
      return 1;
    }
    if (argv.length === 0) {
      for (const [key, value] of assignments) this.vars.set(key, value);
      return 0;
    }
    return this.invoke(argv, assignments, redirected);
  }

  /** Runs a builtin or a program; `extraEnv` holds `NAME=value cmd` assignments. */
  private async invoke(argv: string[], extraEnv: Map<string, string>, io: StandardStreams): Promise<number> {
    const name = argv[0] as string;
    switch (name) {
      case "exit": {
        const code = argv[1] === undefined ? this.lastStatus : Number(argv[1]);
        throw new ShellExit(Number.isInteger(code) ? ((code % 256) + 256) % 256 : 2);
      }
      case "cd": {
        const target = argv[1] ?? this.vars.get("HOME") ?? "/";
        const resolved = MemoryFilesystem.resolve(this.cwd, target);
        if (!this.container.fs.isDirectory(resolved)) {
          await io.stderr.write(`${this.name}: cd: can't cd to ${target}: No such file or directory\n`);
          return 2;
        }
        this.cwd = resolved;
        return 0;
      }
      case "pwd":
        await io.stdout.write(`${this.cwd}\n`);
        return 0;
      case "export":
        for (const arg of argv.slice(1)) {
          const eq = arg.indexOf("=");
          const key = eq >= 0 ? arg.slice(0, eq) : arg;
          if (eq >= 0) this.vars.set(key, arg.slice(eq + 1));
          this.exported.add(key);
        }
        if (argv.length === 1) {
          await io.stdout.write([...this.exportedEnv()].map(([k, v]) => `export ${k}='${v}'\n`).join(""));
        }
        return 0;
      case "unset":
        for (const key of argv.slice(1)) {
          this.vars.delete(key);
          this.exported.delete(key);
        }
        return 0;
      case ":":
      case "set":
        return 0;
      case "read": {
        const line = await io.stdin.readLine();
        if (line === null) return 1;
        const names = argv.slice(1).filter((a) => !a.startsWith("-"));
        const fields = line.replace(/\n$/, "").trim().split(/\s+/);
        names.forEach((key, i) => this.vars.set(key, i === names.length - 1 ? fields.slice(i).join(" ") : (fields[i] ?? "")));
        if (names.length === 0) this.vars.set("REPLY", line.replace(/\n$/, ""));
        return 0;
      }
      case "exec": {
        if (argv.length === 1) return 0;
        throw new ShellExit(await this.invoke(argv.slice(1), extraEnv, io));
      }
      case "command":
      case "which":
      case "type": {
        const names = argv.slice(1).filter((a) => !a.startsWith("-"));
        let status = 0;
        for (const n of names) {
          const program = this.resolveProgram(n);
          if (program) await io.stdout.write(`${n.includes("/") ? n : `/bin/${n}`}\n`);
          else status = 1;
        }
        return status;
      }
      case ".":
      case "source": {
        const file = argv[1];
        if (!file) return 2;
        try {
          const script = this.container.fs.readFile(MemoryFilesystem.resolve(this.cwd, file)).toString("utf8");
          return await this.execute(script, io);
        } catch (error) {
          if (error instanceof FsError) {
            await io.stderr.write(`${this.name}: ${file}: ${FsError.describe(error.code)}\n`);
            return 1;
          }
          throw error;
        }
      }
    }
    const program = this.resolveProgram(name);
    if (!program) {
      await io.stderr.write(
        this.name === "bash" ? `bash: ${name}: command not found\n` : `${this.name}: ${name}: not found\n`,
      );
      return 127;
    }
    const foreground = new AbortController();
    const onSessionAbort = (): void => foreground.abort();
    this.signal.addEventListener("abort", onSessionAbort, { once: true });
    const previous = this.foreground;
    this.foreground = foreground;
    try {
      const ctx: CommandContext = {
        argv,
        stdin: io.stdin,
        stdout: io.stdout,
        stderr: io.stderr,
        env: this.exportedEnv(extraEnv),
        cwd: this.cwd,
        container: this.container,
        terminal: this.terminal,
        signal: foreground.signal,
      };
      return await program(ctx);
    } finally {
      this.foreground = previous;
      this.signal.removeEventListener("abort", onSessionAbort);
    }
  }

  private resolveProgram(name: string): Command | null {
    let base = name;
    if (name.includes("/")) {
      const dir = path.dirname(name);
      if (!BIN_DIRECTORIES.includes(dir)) return null;
      base = path.basename(name);
    }
    if (base === "sh" || base === "bash") return (ctx) => this.spawnShell(ctx, base);
    return PROGRAMS[base] ?? null;
  }

  /** `sh` / `bash` as a program: `-c script [name args…]`, a script file, or interactive on stdin. */
  private async spawnShell(ctx: CommandContext, flavour: string): Promise<number> {
    return runShellProgram({ ...ctx, argv: [flavour, ...ctx.argv.slice(1)] }, this.terminal);
  }
}

/** Entry point for `sh`/`bash` started directly by exec (or by another shell). */
export async function runShellProgram(ctx: CommandContext, terminal: Terminal | null): Promise<number> {
  const name = path.basename(ctx.argv[0] ?? "sh");
  const args = ctx.argv.slice(1);
  let script: string | null = null;
  let positional: string[] = [name];
  while (args.length > 0 && (args[0] as string).startsWith("-") && args[0] !== "-") {
    const flag = args.shift() as string;
    if (flag === "-c") {
      script = args.shift() ?? null;
      if (script === null) {
        await ctx.stderr.write(`${name}: -c: option requires an argument\n`);
        return 2;
      }
      positional = args.length > 0 ? [...args] : [name];
      args.length = 0;
    }
    // -i, -l, -e, -x, --login…: accepted, no effect in the simulation
  }
  const shell = new Shell({
    container: ctx.container,
    env: ctx.env,
    cwd: ctx.cwd,
    terminal,
    signal: ctx.signal,
    name,
    positional,
  });
  const io = { stdin: ctx.stdin, stdout: ctx.stdout, stderr: ctx.stderr };
  if (script !== null) return shell.run(script, io);
  if (args.length > 0) {
    const file = args[0] as string;
    try {
      const source = ctx.container.fs.readFile(MemoryFilesystem.resolve(ctx.cwd, file)).toString("utf8");
      return await new Shell({ container: ctx.container, env: ctx.env, cwd: ctx.cwd, terminal, signal: ctx.signal, name, positional: args }).run(source, io);
    } catch (error) {
      if (error instanceof FsError) {
        await ctx.stderr.write(`${name}: can't open '${file}': ${FsError.describe(error.code)}\n`);
        return 2;
      }
      throw error;
    }
  }
  return shell.interactive(io);
}

/** Resolves argv[0] the way the container runtime does for exec: a program on PATH, or nothing. */
export function findExecutable(argv0: string): boolean {
  const base = argv0.includes("/") ? (BIN_DIRECTORIES.includes(path.dirname(argv0)) ? path.basename(argv0) : null) : argv0;
  return base !== null && (base === "sh" || base === "bash" || base in PROGRAMS);
}

/** Runs an exec'd argv (not through a shell): sh/bash get their terminal, programs run directly. */
export async function runProgram(ctx: CommandContext, terminal: Terminal | null): Promise<number> {
  const argv0 = ctx.argv[0] ?? "";
  const base = path.basename(argv0);
  if (base === "sh" || base === "bash") return runShellProgram(ctx, terminal);
  const program = PROGRAMS[base];
  if (!program) throw new Error(`executable file not found in $PATH: ${argv0}`);
  return program(ctx);
}
