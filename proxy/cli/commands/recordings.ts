// `chaperone recordings list|play|export`: recorded exec / attach sessions, from the data dir
// (no engine needed). IDs may be shortened to any unique prefix.
import { writeFileSync, copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "../args.js";
import { RECORDINGS_USAGE } from "../usage.js";
import { CliError } from "../cli-error.js";
import { safeLine } from "../terminal-text.js";
import { resolveDataDir, DATA_FILES } from "../../config/data-dir.js";
import { RecordingStore } from "../../recordings/recording-store.js";
import type { RecordingMeta } from "../../recordings/recording-meta.js";
import { binaryStream, playCast, readBinary, readCast, tarEntries, type StreamName } from "../../recordings/recording-playback.js";
import { commandLine } from "../../recordings/asciicast.js";

function store(dataDir: string | undefined): RecordingStore {
  return new RecordingStore(join(resolveDataDir(dataDir), DATA_FILES.recordings));
}

function duration(meta: RecordingMeta): string {
  if (!meta.endedAt) return "-";
  const seconds = (Date.parse(meta.endedAt) - Date.parse(meta.startedAt)) / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)}s` : `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col] as number)).join("  ").trimEnd());
}

function list(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir", "agent", "run"], booleans: ["json"] }, "recordings list");
  if (args.booleans.has("help")) {
    console.log(RECORDINGS_USAGE);
    return 0;
  }
  const agent = args.values.get("agent");
  const run = args.values.get("run");
  const all = store(args.values.get("data-dir"))
    .list()
    .filter((m) => (agent === undefined || m.agent === agent) && (run === undefined || (m.run ?? "").startsWith(run)));
  if (args.booleans.has("json")) {
    console.log(JSON.stringify(all, null, 2));
    return 0;
  }
  if (all.length === 0) {
    console.log("no recordings");
    return 0;
  }
  table([
    ["ID", "STARTED", "AGENT", "RUN", "POD", "KIND", "STATE", "EXIT", "DURATION", "COMMAND"],
    ...all.map((m) => [
      m.id.slice(0, 12),
      m.startedAt.replace(/\.\d+Z$/, "Z"),
      m.agent ?? "-",
      m.run ?? "-",
      `${m.namespace}/${m.pod}${m.container ? `:${m.container}` : ""}`,
      m.kind === "binary" ? "binary" : m.tty ? "terminal (tty)" : "terminal",
      m.state,
      m.exitCode === null ? "-" : String(m.exitCode),
      duration(m),
      safeLine(m.verb === "attach" ? "(attach)" : commandLine(m.command)),
    ]),
  ]);
  return 0;
}

async function play(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["data-dir", "speed", "idle-limit"] }, "recordings play");
  if (args.booleans.has("help")) {
    console.log(RECORDINGS_USAGE);
    return 0;
  }
  const [id, extra] = args.positionals;
  if (!id) throw new CliError("recordings play: missing ID (see: chaperone recordings list)");
  if (extra) throw new CliError(`recordings play: unexpected argument ${extra}`);
  const speed = Number(args.values.get("speed") ?? "1");
  if (!Number.isFinite(speed) || speed <= 0) throw new CliError("recordings play: --speed must be a positive number (2 plays twice as fast)");
  const idleLimit = Number(args.values.get("idle-limit") ?? "2");
  if (!Number.isFinite(idleLimit) || idleLimit < 0) throw new CliError("recordings play: --idle-limit must be a number of seconds (0 keeps every pause)");
  const recordings = store(args.values.get("data-dir"));
  const meta = recordings.find(id);
  const path = recordings.pathOf(meta);
  if (meta.kind === "binary") {
    // Not a terminal: say what moved instead of printing an archive into the terminal.
    const recording = readBinary(path);
    console.log(`binary recording ${meta.id} (${safeLine(commandLine(meta.command))} in ${meta.namespace}/${meta.pod}); export it with: chaperone recordings export ${meta.id.slice(0, 12)}`);
    for (const stream of ["stdin", "stdout"] as const) {
      const bytes = binaryStream(recording, stream);
      if (bytes.length === 0) continue;
      console.log(`${stream}: ${bytes.length} bytes${meta.sha256[stream] ? ` (sha256 ${meta.sha256[stream]})` : ""}`);
      for (const entry of tarEntries(bytes)) console.log(`  ${entry.type} ${safeLine(entry.name)} ${entry.size} bytes`);
    }
    if (meta.exitCode !== null) console.log(`exit code ${meta.exitCode}`);
    return 0;
  }
  const cast = readCast(path);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  try {
    await playCast(cast, { speed, idleLimit, write: (text) => process.stdout.write(text), signal: abort.signal });
  } finally {
    process.off("SIGINT", onSignal);
  }
  return 0;
}

function exportRecording(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir", "out", "stream"] }, "recordings export");
  if (args.booleans.has("help")) {
    console.log(RECORDINGS_USAGE);
    return 0;
  }
  const [id, extra] = args.positionals;
  if (!id) throw new CliError("recordings export: missing ID (see: chaperone recordings list)");
  if (extra) throw new CliError(`recordings export: unexpected argument ${extra}`);
  const recordings = store(args.values.get("data-dir"));
  const meta = recordings.find(id);
  const source = recordings.pathOf(meta);
  const out = args.values.get("out");
  if (meta.kind === "terminal") {
    if (args.values.has("stream")) throw new CliError("recordings export: --stream is for binary recordings; a terminal recording exports as one .cast file");
    if (out === "-") {
      process.stdout.write(readFileSync(source));
      return 0;
    }
    const target = resolve(out ?? `${meta.id.slice(0, 12)}.cast`);
    copyFileSync(source, target);
    console.log(target);
    return 0;
  }
  const streamFlag = args.values.get("stream");
  if (streamFlag !== undefined && !["stdin", "stdout", "stderr"].includes(streamFlag)) {
    throw new CliError(`recordings export: --stream must be stdin, stdout or stderr, not "${streamFlag}"`);
  }
  // `kubectl cp` into a pod sends the archive on stdin; out of a pod it comes back on stdout.
  const stream: StreamName = (streamFlag as StreamName | undefined) ?? (meta.bytes.stdin >= meta.bytes.stdout ? "stdin" : "stdout");
  const bytes = binaryStream(readBinary(source), stream);
  if (out === "-") {
    process.stdout.write(bytes);
    return 0;
  }
  const target = resolve(out ?? `${meta.id.slice(0, 12)}.${stream}${meta.command[0]?.endsWith("tar") ? ".tar" : ".bin"}`);
  writeFileSync(target, bytes, { mode: 0o600 });
  console.log(target);
  return 0;
}

export async function recordingsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
      console.error(RECORDINGS_USAGE);
      return 2;
    case "--help":
    case "-h":
      console.log(RECORDINGS_USAGE);
      return 0;
    case "list":
      return list(rest);
    case "play":
      return play(rest);
    case "export":
      return exportRecording(rest);
    default:
      throw new CliError(`recordings: unknown subcommand "${sub}" (list, play, export)`);
  }
}
