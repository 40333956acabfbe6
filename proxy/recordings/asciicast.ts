// asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one
// `[seconds, code, data]` line per event: "o" output, "i" input, "r" resize ("COLSxROWS"),
// "m" marker. Any asciinema player plays these files; Chaperone's facts about the session ride in
// the header's `chaperone` key, which players ignore.

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  command?: string;
  title?: string;
  env?: Record<string, string>;
  chaperone?: Record<string, unknown>;
}

export type AsciicastEvent = [number, string, string];

export function castLine(time: number, code: string, data: string): string {
  return `[${time.toFixed(6)},${JSON.stringify(code)},${JSON.stringify(data)}]\n`;
}

export interface ParsedCast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
  /** Lines that were not events (a recording cut off mid-line). */
  skipped: number;
}

export function parseCast(text: string): ParsedCast {
  const lines = text.split("\n");
  const first = lines.shift();
  if (!first) throw new Error("empty recording");
  const header = JSON.parse(first) as AsciicastHeader;
  if (header.version !== 2) throw new Error(`not an asciicast v2 recording (version ${String(header.version)})`);
  const events: AsciicastEvent[] = [];
  let skipped = 0;
  for (const line of lines) {
    if (line === "") continue;
    try {
      const event = JSON.parse(line) as unknown;
      if (Array.isArray(event) && typeof event[0] === "number" && typeof event[1] === "string" && typeof event[2] === "string") {
        events.push(event as AsciicastEvent);
      } else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { header, events, skipped };
}

/** Shell-like quoting for a command line shown in a header or a listing. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
