// The simulated container's programs (everything that is not a shell builtin). Messages and exit
// statuses follow coreutils/busybox closely enough for agents and tests to read them naturally.
import type { Command, CommandContext } from "./command-context.js";
import { FsError, MemoryFilesystem } from "./filesystem.js";
import { tarCommand } from "./tar.js";

async function fsFailure(ctx: CommandContext, program: string, error: unknown, what?: string): Promise<number> {
  if (error instanceof FsError) {
    await ctx.stderr.write(`${program}: ${what ?? error.target}: ${FsError.describe(error.code)}\n`);
    return 1;
  }
  throw error;
}

const echo: Command = async (ctx) => {
  let args = ctx.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    for (const flag of args[0].slice(1)) {
      if (flag === "n") newline = false;
      else if (flag === "e") escapes = true;
      else escapes = false;
    }
    args = args.slice(1);
  }
  let text = args.join(" ");
  if (escapes) {
    text = text.replace(/\\([nrt\\]|0[0-7]{0,3})/g, (_m, e: string) =>
      e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "\\" ? "\\" : String.fromCharCode(parseInt(e, 8)),
    );
  }
  await ctx.stdout.write(newline ? `${text}\n` : text);
  return 0;
};

const cat: Command = async (ctx) => {
  const files = ctx.argv.slice(1).filter((a) => a !== "-u");
  let status = 0;
  for (const file of files.length > 0 ? files : ["-"]) {
    if (ctx.signal.aborted) return 130;
    if (file === "-") {
      for (let chunk = await ctx.stdin.read(); chunk !== null; chunk = await ctx.stdin.read()) {
        await ctx.stdout.write(chunk);
        if (ctx.signal.aborted) return 130;
      }
      continue;
    }
    try {
      await ctx.stdout.write(ctx.container.fs.readFile(MemoryFilesystem.resolve(ctx.cwd, file)));
    } catch (error) {
      status = await fsFailure(ctx, "cat", error, file);
    }
  }
  return status;
};

const env: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length > 0) {
    await ctx.stderr.write("env: running commands is not supported here\n");
    return 125;
  }
  await ctx.stdout.write([...ctx.env].map(([k, v]) => `${k}=${v}\n`).join(""));
  return 0;
};

const printenv: Command = async (ctx) => {
  const names = ctx.argv.slice(1);
  if (names.length === 0) return env({ ...ctx, argv: ["env"] });
  let status = 0;
  for (const name of names) {
    const value = ctx.env.get(name);
    if (value === undefined) status = 1;
    else await ctx.stdout.write(`${value}\n`);
  }
  return status;
};

function formatMode(type: "file" | "directory", mode: number): string {
  const bits = ["r", "w", "x", "r", "w", "x", "r", "w", "x"];
  return (type === "directory" ? "d" : "-") + bits.map((b, i) => (mode & (1 << (8 - i)) ? b : "-")).join("");
}

const ls: Command = async (ctx) => {
  const flags = new Set<string>();
  const targets: string[] = [];
  for (const arg of ctx.argv.slice(1)) {
    if (arg.startsWith("-") && arg.length > 1) for (const f of arg.slice(1)) flags.add(f);
    else targets.push(arg);
  }
  const fs = ctx.container.fs;
  const long = flags.has("l");
  const all = flags.has("a") || flags.has("A");
  let status = 0;
  const render = (name: string, fullPath: string): string => {
    const node = fs.stat(fullPath);
    if (!long || !node) return name;
    const size = node.type === "file" ? node.data.length : 4096;
    const date = node.mtime.toUTCString().slice(5, 22);
    return `${formatMode(node.type, node.mode)} 1 root root ${String(size).padStart(6)} ${date} ${name}`;
  };
  const list = targets.length > 0 ? targets : ["."];
  const sections: string[] = [];
  for (const target of list) {
    const full = MemoryFilesystem.resolve(ctx.cwd, target);
    const node = fs.stat(full);
    if (!node) {
      await ctx.stderr.write(`ls: cannot access '${target}': No such file or directory\n`);
      status = 2;
      continue;
    }
    if (node.type === "file" || flags.has("d")) {
      sections.push(render(target, full));
      continue;
    }
    const names = fs.readdir(full).filter((n) => all || !n.startsWith("."));
    const lines = names.map((n) => render(n, MemoryFilesystem.resolve(full, n)));
    const body = long || ctx.terminal === null ? lines.join("\n") : lines.join("  ");
    sections.push(list.length > 1 ? `${target}:\n${body}` : body);
  }
  const text = sections.filter((s) => s.length > 0).join(list.length > 1 ? "\n\n" : "\n");
  if (text.length > 0) await ctx.stdout.write(`${text}\n`);
  return status;
};

const hostname: Command = async (ctx) => {
  await ctx.stdout.write(`${ctx.container.hostname}\n`);
  return 0;
};

const trueCommand: Command = async () => 0;
const falseCommand: Command = async () => 1;

const sleep: Command = async (ctx) => {
  const arg = ctx.argv[1];
  const seconds = arg === undefined ? NaN : Number(arg.replace(/s$/, ""));
  if (!Number.isFinite(seconds) || seconds < 0) {
    await ctx.stderr.write(arg === undefined ? "sleep: missing operand\n" : `sleep: invalid time interval '${arg}'\n`);
    return 1;
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener("abort", onAbort);
      resolve(0);
    }, seconds * 1000);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(130); // 128 + SIGINT
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener("abort", onAbort, { once: true });
  });
};

const stty: Command = async (ctx) => {
  if (!ctx.terminal) {
    await ctx.stderr.write("stty: 'standard input': Inappropriate ioctl for device\n");
    return 1;
  }
  const args = ctx.argv.slice(1);
  if (args[0] === "size") {
    await ctx.stdout.write(`${ctx.terminal.size.height} ${ctx.terminal.size.width}\n`);
    return 0;
  }
  if (args.length === 0 || args[0] === "-a") {
    await ctx.stdout.write(`speed 38400 baud; rows ${ctx.terminal.size.height}; columns ${ctx.terminal.size.width}; line = 0;\n`);
    return 0;
  }
  return 0; // setting modes is accepted and ignored
};

const mkdir: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  const recursive = args.some((a) => a === "-p" || a === "--parents");
  let status = 0;
  for (const dir of args.filter((a) => !a.startsWith("-"))) {
    try {
      ctx.container.fs.mkdir(MemoryFilesystem.resolve(ctx.cwd, dir), { recursive });
    } catch (error) {
      if (error instanceof FsError) {
        await ctx.stderr.write(`mkdir: cannot create directory '${dir}': ${FsError.describe(error.code)}\n`);
        status = 1;
      } else throw error;
    }
  }
  return status;
};

const rm: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  const flags = args.filter((a) => a.startsWith("-")).join("");
  const recursive = /[rR]/.test(flags);
  const force = flags.includes("f");
  let status = 0;
  for (const target of args.filter((a) => !a.startsWith("-"))) {
    const full = MemoryFilesystem.resolve(ctx.cwd, target);
    const node = ctx.container.fs.stat(full);
    if (!node) {
      if (!force) {
        await ctx.stderr.write(`rm: cannot remove '${target}': No such file or directory\n`);
        status = 1;
      }
      continue;
    }
    if (node.type === "directory" && !recursive) {
      await ctx.stderr.write(`rm: cannot remove '${target}': Is a directory\n`);
      status = 1;
      continue;
    }
    ctx.container.fs.remove(full, { recursive: true });
  }
  return status;
};

const touch: Command = async (ctx) => {
  for (const target of ctx.argv.slice(1).filter((a) => !a.startsWith("-"))) {
    const full = MemoryFilesystem.resolve(ctx.cwd, target);
    try {
      const existing = ctx.container.fs.stat(full);
      ctx.container.fs.writeFile(full, existing?.type === "file" ? existing.data : Buffer.alloc(0));
    } catch (error) {
      return fsFailure(ctx, "touch", error, `cannot touch '${target}'`);
    }
  }
  return 0;
};

/** `test` / `[`: the file and string tests kubectl cp and everyday scripts use. */
const test: Command = async (ctx) => {
  let args = ctx.argv.slice(1);
  if (ctx.argv[0] === "[") {
    if (args[args.length - 1] !== "]") {
      await ctx.stderr.write("[: missing ']'\n");
      return 2;
    }
    args = args.slice(0, -1);
  }
  let negate = false;
  if (args[0] === "!") {
    negate = true;
    args = args.slice(1);
  }
  const fs = ctx.container.fs;
  const at = (p: string): string => MemoryFilesystem.resolve(ctx.cwd, p);
  let result: boolean;
  if (args.length === 0) result = false;
  else if (args.length === 1) result = (args[0] as string).length > 0;
  else if (args.length === 2) {
    const [op, operand] = args as [string, string];
    switch (op) {
      case "-d":
        result = fs.isDirectory(at(operand));
        break;
      case "-f":
        result = fs.stat(at(operand))?.type === "file";
        break;
      case "-e":
        result = fs.exists(at(operand));
        break;
      case "-s":
        {
          const node = fs.stat(at(operand));
          result = node?.type === "file" && node.data.length > 0;
        }
        break;
      case "-n":
        result = operand.length > 0;
        break;
      case "-z":
        result = operand.length === 0;
        break;
      default:
        await ctx.stderr.write(`test: ${op}: unary operator expected\n`);
        return 2;
    }
  } else {
    const [left, op, right] = args as [string, string, string];
    const l = Number(left);
    const r = Number(right);
    switch (op) {
      case "=":
      case "==":
        result = left === right;
        break;
      case "!=":
        result = left !== right;
        break;
      case "-eq":
        result = l === r;
        break;
      case "-ne":
        result = l !== r;
        break;
      case "-lt":
        result = l < r;
        break;
      case "-le":
        result = l <= r;
        break;
      case "-gt":
        result = l > r;
        break;
      case "-ge":
        result = l >= r;
        break;
      default:
        await ctx.stderr.write(`test: ${op}: binary operator expected\n`);
        return 2;
    }
  }
  return result !== negate ? 0 : 1;
};

const uname: Command = async (ctx) => {
  const all = ctx.argv.includes("-a");
  await ctx.stdout.write(all ? `Linux ${ctx.container.hostname} 6.1.0 #1 SMP x86_64 GNU/Linux\n` : "Linux\n");
  return 0;
};

const id: Command = async (ctx) => {
  await ctx.stdout.write("uid=0(root) gid=0(root) groups=0(root)\n");
  return 0;
};

const whoami: Command = async (ctx) => {
  await ctx.stdout.write("root\n");
  return 0;
};

const head: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  let lines = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "-n") lines = Number(args[++i]);
    else if (/^-\d+$/.test(a)) lines = Number(a.slice(1));
    else files.push(a);
  }
  const text =
    files.length === 0
      ? await (async () => {
          const out: string[] = [];
          for (let line = await ctx.stdin.readLine(); line !== null && out.length < lines; line = await ctx.stdin.readLine()) out.push(line);
          return out.join("");
        })()
      : ctx.container.fs.readFile(MemoryFilesystem.resolve(ctx.cwd, files[0] as string)).toString("utf8").split(/(?<=\n)/).slice(0, lines).join("");
  await ctx.stdout.write(text);
  return 0;
};

const wc: Command = async (ctx) => {
  const chunks: Buffer[] = [];
  for (let chunk = await ctx.stdin.read(); chunk !== null; chunk = await ctx.stdin.read()) chunks.push(chunk);
  const data = Buffer.concat(chunks);
  const text = data.toString("utf8");
  const lines = (text.match(/\n/g) ?? []).length;
  const words = text.split(/\s+/).filter((w) => w.length > 0).length;
  const flag = ctx.argv[1];
  if (flag === "-l") await ctx.stdout.write(`${lines}\n`);
  else if (flag === "-c") await ctx.stdout.write(`${data.length}\n`);
  else if (flag === "-w") await ctx.stdout.write(`${words}\n`);
  else await ctx.stdout.write(`${String(lines).padStart(7)} ${String(words).padStart(7)} ${String(data.length).padStart(7)}\n`);
  return 0;
};

/** Programs found on the container's PATH (shell builtins live in shell.ts). */
export const PROGRAMS: Record<string, Command> = {
  echo,
  cat,
  env,
  printenv,
  ls,
  hostname,
  true: trueCommand,
  false: falseCommand,
  sleep,
  stty,
  tar: tarCommand,
  mkdir,
  rm,
  touch,
  test,
  "[": test,
  uname,
  id,
  whoami,
  head,
  wc,
};
