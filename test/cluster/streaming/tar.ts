// `tar` for the simulated container, as `kubectl cp` drives it: `tar cf - PATH` streams an archive to
// stdout (copy out of the pod), `tar -xmf - [-C DIR]` unpacks stdin (copy in). Entries are bytes end to
// end, so binary files round-trip. Output mimics GNU tar, including its stderr notice about leading
// slashes, which kubectl passes through to the user.
import path from "node:path/posix";
import { Readable } from "node:stream";
import tarStream from "tar-stream";
import type { CommandContext } from "./command-context.js";
import { FsError, MemoryFilesystem } from "./filesystem.js";

interface TarOptions {
  mode: "create" | "extract" | "list" | null;
  archive: string | null;
  directory: string | null;
  verbose: boolean;
  gzip: boolean;
  keepMtime: boolean;
  operands: string[];
}

export async function createTarArchive(fs: MemoryFilesystem, members: { source: string; name: string }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const member of members) {
    for (const source of fs.walk(member.source)) {
      const node = fs.stat(source);
      if (!node) continue;
      const relative = path.relative(member.source, source);
      const name = relative ? path.join(member.name, relative) : member.name;
      if (node.type === "directory") {
        pack.entry({ name: `${name}/`, type: "directory", mode: node.mode, mtime: node.mtime, uname: "root", gname: "root" });
      } else {
        pack.entry({ name, type: "file", mode: node.mode, mtime: node.mtime, size: node.data.length, uname: "root", gname: "root" }, node.data);
      }
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Unpacks an archive under `directory`; returns the member names in archive order. */
export async function extractTarArchive(
  fs: MemoryFilesystem,
  archive: Buffer,
  directory: string,
  options: { keepMtime?: boolean } = {},
): Promise<string[]> {
  const names: string[] = [];
  const extract = tarStream.extract();
  Readable.from([archive]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const name = entry.header.name.replace(/^\/+/, "");
    names.push(entry.header.name);
    const target = MemoryFilesystem.resolve(directory, name);
    if (!target.startsWith(directory === "/" ? "/" : `${directory}/`) && target !== directory) {
      continue; // GNU tar refuses members escaping the target directory ("..")
    }
    if (entry.header.type === "directory") {
      fs.mkdir(target, { recursive: true, mode: entry.header.mode ?? 0o755 });
    } else if (entry.header.type === "file" || entry.header.type === "contiguous-file" || !entry.header.type) {
      fs.mkdir(path.dirname(target), { recursive: true });
      fs.writeFile(target, Buffer.concat(chunks), {
        mode: entry.header.mode ?? 0o644,
        // -m: "don't extract file modified time", the flag kubectl cp passes
        ...(options.keepMtime && entry.header.mtime ? { mtime: entry.header.mtime } : {}),
      });
    }
  }
  return names;
}

function parseArguments(argv: string[]): TarOptions | string {
  const options: TarOptions = { mode: null, archive: null, directory: null, verbose: false, gzip: false, keepMtime: true, operands: [] };
  const args = [...argv];
  const takesValue = new Set(["f", "C"]);
  const applyFlag = (flag: string, next: () => string | undefined): string | null => {
    switch (flag) {
      case "c":
        options.mode = "create";
        return null;
      case "x":
        options.mode = "extract";
        return null;
      case "t":
        options.mode = "list";
        return null;
      case "v":
        options.verbose = true;
        return null;
      case "z":
        options.gzip = true;
        return null;
      case "m":
        options.keepMtime = false;
        return null;
      case "o":
      case "p":
        return null;
      case "f": {
        const value = next();
        if (value === undefined) return "option requires an argument -- 'f'";
        options.archive = value;
        return null;
      }
      case "C": {
        const value = next();
        if (value === undefined) return "option requires an argument -- 'C'";
        options.directory = value;
        return null;
      }
      default:
        return `invalid option -- '${flag}'`;
    }
  };
  // Old-style bundled first argument ("cf", "xmf") takes its values from the following arguments.
  if (args[0] && !args[0].startsWith("-")) {
    const bundle = args.shift() as string;
    for (const flag of bundle) {
      const error = applyFlag(flag, () => args.shift());
      if (error) return error;
    }
  }
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === "--") {
      options.operands.push(...args.splice(0));
    } else if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      if (name === "directory") options.directory = inline ?? args.shift() ?? null;
      else if (name === "file") options.archive = inline ?? args.shift() ?? null;
      else if (name === "extract" || name === "get") options.mode = "extract";
      else if (name === "create") options.mode = "create";
      else if (name === "list") options.mode = "list";
      else if (name === "touch") options.keepMtime = false;
      else if (!["no-same-permissions", "no-same-owner", "same-owner", "preserve-permissions", "verbose"].includes(name)) {
        return `unrecognized option '--${name}'`;
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      const flags = arg.slice(1);
      for (let i = 0; i < flags.length; i++) {
        const flag = flags[i] as string;
        if (takesValue.has(flag) && i < flags.length - 1) {
          // "-Cdir" / "-fname": the rest of the word is the value
          const error = applyFlag(flag, () => flags.slice(i + 1));
          if (error) return error;
          break;
        }
        const error = applyFlag(flag, () => args.shift());
        if (error) return error;
      }
    } else {
      options.operands.push(arg);
    }
  }
  return options;
}

async function readAll(ctx: CommandContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let chunk = await ctx.stdin.read(); chunk !== null; chunk = await ctx.stdin.read()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function tarCommand(ctx: CommandContext): Promise<number> {
  const parsed = parseArguments(ctx.argv.slice(1));
  const fail = async (message: string, code = 2): Promise<number> => {
    await ctx.stderr.write(`tar: ${message}\nTry 'tar --help' or 'tar --usage' for more information.\n`);
    return code;
  };
  if (typeof parsed === "string") return fail(parsed);
  if (!parsed.mode) return fail("You must specify one of the '-Acdtrux', '--delete' or '--test-label' options");
  const fs = ctx.container.fs;
  const cwd = parsed.directory ? MemoryFilesystem.resolve(ctx.cwd, parsed.directory) : ctx.cwd;
  if (parsed.directory && !fs.isDirectory(cwd)) {
    await ctx.stderr.write(`tar: ${parsed.directory}: Cannot open: No such file or directory\n`);
    return 2;
  }
  const toStdio = parsed.archive === null || parsed.archive === "-";

  if (parsed.mode === "create") {
    if (parsed.operands.length === 0) return fail("Cowardly refusing to create an empty archive");
    let status = 0;
    let warnedLeadingSlash = false;
    const members: { source: string; name: string }[] = [];
    for (const operand of parsed.operands) {
      const source = MemoryFilesystem.resolve(cwd, operand);
      if (!fs.exists(source)) {
        await ctx.stderr.write(`tar: ${operand}: Cannot stat: No such file or directory\n`);
        status = 2;
        continue;
      }
      let name = path.normalize(operand);
      if (name.startsWith("/")) {
        if (!warnedLeadingSlash) await ctx.stderr.write("tar: Removing leading `/' from member names\n");
        warnedLeadingSlash = true;
        name = name.replace(/^\/+/, "") || ".";
      }
      members.push({ source, name });
    }
    let archive = await createTarArchive(fs, members);
    if (parsed.gzip) archive = (await import("node:zlib")).gzipSync(archive);
    if (toStdio) await ctx.stdout.write(archive);
    else fs.writeFile(MemoryFilesystem.resolve(ctx.cwd, parsed.archive as string), archive);
    if (status !== 0) await ctx.stderr.write("tar: Exiting with failure status due to previous errors\n");
    return status;
  }

  let archive: Buffer;
  try {
    archive = toStdio ? await readAll(ctx) : fs.readFile(MemoryFilesystem.resolve(ctx.cwd, parsed.archive as string));
  } catch (error) {
    if (error instanceof FsError) return fail(`${parsed.archive}: Cannot open: ${FsError.describe(error.code)}`);
    throw error;
  }
  if (archive.length === 0) {
    return fail("This does not look like a tar archive");
  }
  try {
    if (parsed.gzip || (archive[0] === 0x1f && archive[1] === 0x8b)) archive = (await import("node:zlib")).gunzipSync(archive);
    if (parsed.mode === "list") {
      const scratch = new MemoryFilesystem();
      const names = await extractTarArchive(scratch, archive, "/");
      await ctx.stdout.write(names.map((n) => `${n}\n`).join(""));
      return 0;
    }
    const names = await extractTarArchive(fs, archive, cwd, { keepMtime: parsed.keepMtime });
    if (parsed.verbose) await ctx.stdout.write(names.map((n) => `${n}\n`).join(""));
    return 0;
  } catch (error) {
    await ctx.stderr.write(`tar: ${(error as Error).message}\ntar: Error is not recoverable: exiting now\n`);
    return 2;
  }
}
