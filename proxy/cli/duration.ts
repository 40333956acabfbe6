// Durations as people type them on a command line: `90s`, `10m`, `2h`, `1h30m`. A unit is always
// required: a bare "10" could mean seconds or minutes, and a grant that silently lasts 60 times
// longer than intended is exactly the mistake an approval tool must not make.
import { CliError } from "./cli-error.js";

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Nothing is granted for longer than a week from the command line. */
export const MAX_DURATION_MS = 7 * 86_400_000;

/** Milliseconds in `text`; throws a CliError (naming `what`, e.g. "--for") when it is not a duration. */
export function parseDuration(text: string, what = "duration", maxMs = MAX_DURATION_MS): number {
  const trimmed = text.trim().toLowerCase();
  const example = "e.g. 90s, 10m, 2h or 1h30m";
  if (/^\d+(\.\d+)?$/.test(trimmed)) throw new CliError(`${what}: "${text}" has no unit; write ${trimmed}m for minutes (${example})`);
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(trimmed)) throw new CliError(`${what}: "${text}" is not a duration (${example})`);
  let total = 0;
  const seen = new Set<string>();
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
    const unit = match[2] as string;
    if (seen.has(unit)) throw new CliError(`${what}: "${text}" gives the unit "${unit}" twice`);
    seen.add(unit);
    total += Number(match[1]) * (UNIT_MS[unit] as number);
  }
  total = Math.round(total);
  if (total < 1000) throw new CliError(`${what}: "${text}" is shorter than a second`);
  if (total > maxMs) throw new CliError(`${what}: "${text}" is longer than the maximum of ${formatDuration(maxMs)}`);
  return total;
}

/**
 * `4m12s`, `2h`, `1h5m`, `45s`: the largest two units, for "expires in …". The UI's countdowns
 * round up (so "0s" means the moment has passed) and put a space between units.
 */
export function formatDuration(ms: number, options: { separator?: string; roundUp?: boolean } = {}): string {
  const seconds = Math.max(0, options.roundUp ? Math.ceil(ms / 1000) : Math.round(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor((seconds % 86_400) / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "m"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return "0s";
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(options.separator ?? "");
}
