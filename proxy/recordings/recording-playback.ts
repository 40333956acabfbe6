// Reading recordings back: the output of a terminal recording with its timing (for `play`), the
// .cast file as it is (for `export`), and a binary recording's streams and the files in a tar
// stream (what `kubectl cp` moved).
import { readFileSync } from "node:fs";
import { parseCast, type ParsedCast } from "./asciicast.js";
import { Channel, parseBinaryRecording, type ParsedBinaryRecording } from "./binary-recording.js";

export interface PlayOptions {
  /** 2 plays twice as fast. */
  speed: number;
  /** Pauses longer than this (seconds, before speed) are shortened to it; 0 keeps them. */
  idleLimit: number;
  write: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes the "o" events of a cast in time; resolves when done (or aborted). */
export async function playCast(cast: ParsedCast, options: PlayOptions): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  let previous = 0;
  for (const [time, code, data] of cast.events) {
    if (options.signal?.aborted) return;
    let gap = Math.max(0, time - previous);
    previous = time;
    if (options.idleLimit > 0) gap = Math.min(gap, options.idleLimit);
    const ms = (gap * 1000) / options.speed;
    if (ms >= 1) await sleep(ms);
    if (code === "o") options.write(data);
  }
}

export function readCast(path: string): ParsedCast {
  return parseCast(readFileSync(path, "utf8"));
}

export function readBinary(path: string): ParsedBinaryRecording {
  return parseBinaryRecording(readFileSync(path));
}

export type StreamName = "stdin" | "stdout" | "stderr";

/** One channel's bytes, concatenated in order. */
export function binaryStream(recording: ParsedBinaryRecording, stream: StreamName): Buffer {
  const channel = Channel[stream];
  return Buffer.concat(recording.records.filter((r) => r.channel === channel).map((r) => r.payload));
}

export interface TarEntry {
  name: string;
  size: number;
  type: string;
}

/** The entries of a tar stream (ustar / GNU headers), as far as the bytes go. */
export function tarEntries(data: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string => header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    if (!Number.isFinite(size)) break;
    const typeFlag = field(156, 1) || "0";
    const prefix = field(345, 155);
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const body = offset + 512;
    if (typeFlag === "L") {
      longName = data.toString("utf8", body, body + size).replace(/\0.*$/s, "");
    } else if (typeFlag !== "x" && typeFlag !== "g") {
      if (longName !== null) name = longName;
      longName = null;
      const type = typeFlag === "5" ? "directory" : typeFlag === "2" ? "symlink" : typeFlag === "1" ? "hardlink" : "file";
      entries.push({ name, size, type });
    }
    offset = body + Math.ceil(size / 512) * 512;
  }
  return entries;
}
