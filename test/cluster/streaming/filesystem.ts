// The simulated container's filesystem: an in-memory tree of directories and files, enough for `cat`,
// `ls`, redirections and `kubectl cp` (tar) in both directions. Paths are POSIX; contents are bytes so
// binary files survive a round trip.
import path from "node:path/posix";

export interface FileNode {
  type: "file";
  data: Buffer;
  mode: number;
  mtime: Date;
}

export interface DirectoryNode {
  type: "directory";
  mode: number;
  mtime: Date;
}

export type FsNode = FileNode | DirectoryNode;

export class FsError extends Error {
  constructor(
    readonly code: "ENOENT" | "ENOTDIR" | "EISDIR" | "EEXIST" | "ENOTEMPTY",
    readonly target: string,
  ) {
    super(`${target}: ${FsError.describe(code)}`);
    this.name = "FsError";
  }

  /** The wording coreutils/busybox print for each errno. */
  static describe(code: FsError["code"]): string {
    switch (code) {
      case "ENOENT":
        return "No such file or directory";
      case "ENOTDIR":
        return "Not a directory";
      case "EISDIR":
        return "Is a directory";
      case "EEXIST":
        return "File exists";
      case "ENOTEMPTY":
        return "Directory not empty";
    }
  }
}

export class MemoryFilesystem {
  private readonly nodes = new Map<string, FsNode>();

  constructor() {
    this.nodes.set("/", { type: "directory", mode: 0o755, mtime: new Date() });
  }

  /** Absolute, normalized form of `target` relative to `cwd`. */
  static resolve(cwd: string, target: string): string {
    const resolved = path.resolve(cwd, target);
    return resolved.length > 1 && resolved.endsWith("/") ? resolved.slice(0, -1) : resolved;
  }

  stat(target: string): FsNode | undefined {
    return this.nodes.get(target);
  }

  exists(target: string): boolean {
    return this.nodes.has(target);
  }

  isDirectory(target: string): boolean {
    return this.nodes.get(target)?.type === "directory";
  }

  readFile(target: string): Buffer {
    const node = this.nodes.get(target);
    if (!node) throw new FsError("ENOENT", target);
    if (node.type === "directory") throw new FsError("EISDIR", target);
    return node.data;
  }

  writeFile(target: string, data: Buffer, options: { append?: boolean; mode?: number; mtime?: Date } = {}): void {
    const parent = path.dirname(target);
    const parentNode = this.nodes.get(parent);
    if (!parentNode) throw new FsError("ENOENT", target);
    if (parentNode.type !== "directory") throw new FsError("ENOTDIR", target);
    const existing = this.nodes.get(target);
    if (existing?.type === "directory") throw new FsError("EISDIR", target);
    const content = options.append && existing ? Buffer.concat([existing.data, data]) : Buffer.from(data);
    this.nodes.set(target, {
      type: "file",
      data: content,
      mode: options.mode ?? existing?.mode ?? 0o644,
      mtime: options.mtime ?? new Date(),
    });
  }

  mkdir(target: string, options: { recursive?: boolean; mode?: number } = {}): void {
    const existing = this.nodes.get(target);
    if (existing) {
      if (existing.type === "directory" && options.recursive) return;
      throw new FsError("EEXIST", target);
    }
    const parent = path.dirname(target);
    if (!this.nodes.has(parent)) {
      if (!options.recursive) throw new FsError("ENOENT", target);
      this.mkdir(parent, options);
    } else if (!this.isDirectory(parent)) {
      throw new FsError("ENOTDIR", target);
    }
    this.nodes.set(target, { type: "directory", mode: options.mode ?? 0o755, mtime: new Date() });
  }

  /** Names directly inside a directory, sorted as `ls` sorts them (byte order in the C locale). */
  readdir(target: string): string[] {
    const node = this.nodes.get(target);
    if (!node) throw new FsError("ENOENT", target);
    if (node.type !== "directory") throw new FsError("ENOTDIR", target);
    const prefix = target === "/" ? "/" : `${target}/`;
    const names: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key !== target && key.startsWith(prefix) && !key.slice(prefix.length).includes("/")) {
        names.push(key.slice(prefix.length));
      }
    }
    return names.sort();
  }

  remove(target: string, options: { recursive?: boolean } = {}): void {
    const node = this.nodes.get(target);
    if (!node) throw new FsError("ENOENT", target);
    if (node.type === "directory") {
      const children = this.readdir(target);
      if (children.length > 0 && !options.recursive) throw new FsError("ENOTEMPTY", target);
      for (const child of children) this.remove(path.join(target, child), options);
    }
    if (target !== "/") this.nodes.delete(target);
  }

  /** Every path under `root` (inclusive), parents before children: the order tar archives need. */
  walk(root: string): string[] {
    const out = [root];
    if (this.isDirectory(root)) {
      for (const child of this.readdir(root)) out.push(...this.walk(path.join(root, child)));
    }
    return out;
  }
}
