// What is audited and recorded, and for how long: defaults, the data dir's config.json `audit`
// section, and `serve` flags (which win). Example config.json:
//   { "listen": "127.0.0.1:16443",
//     "audit": { "level": "Request", "maxFileSize": "100M", "maxAge": "30d", "maxTotalSize": "1G",
//                "execRecording": true, "recordingsMaxAge": "30d", "recordingsMaxTotalSize": "5G" } }
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../cli/cli-error.js";
import { DATA_FILES } from "../config/data-dir.js";
import { AUDIT_LEVELS, type AuditLevel } from "./audit-event.js";

export interface AuditSettings {
  /** None: no audit events; Metadata: no bodies; Request (default): request bodies, masked; RequestResponse: both. */
  level: AuditLevel;
  maxFileBytes: number;
  /** 0: no limit. */
  maxAgeMs: number;
  /** 0: no limit. */
  maxTotalBytes: number;
  /** Record exec and attach sessions (asciicast / binary). */
  execRecording: boolean;
  recordingsMaxAgeMs: number;
  recordingsMaxTotalBytes: number;
  /** How long a read's event may wait to be written with others. */
  batchMs: number;
  /** Largest request or response body kept in an event; larger ones are noted, not kept. */
  maxBodyBytes: number;
}

const DAY = 86_400_000;
const MIB = 1024 * 1024;

export const DEFAULT_AUDIT_SETTINGS: Readonly<AuditSettings> = Object.freeze({
  level: "Request",
  maxFileBytes: 100 * MIB,
  maxAgeMs: 90 * DAY,
  maxTotalBytes: 2048 * MIB,
  execRecording: true,
  recordingsMaxAgeMs: 90 * DAY,
  recordingsMaxTotalBytes: 5120 * MIB,
  batchMs: 200,
  maxBodyBytes: 256 * 1024,
});

const SIZE_UNITS: Readonly<Record<string, number>> = { "": 1, k: 1024, m: MIB, g: 1024 * MIB, t: 1024 * 1024 * MIB };

/** `500K`, `100M`, `2G`, `1.5G`, a byte count, or `0`/`unlimited` for no limit. */
export function parseSize(text: string, what: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "unlimited" || trimmed === "0") return 0;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/.exec(trimmed);
  if (!match) throw new CliError(`${what}: "${text}" is not a size (e.g. 500K, 100M, 2G, or 0 for no limit)`);
  const bytes = Math.round(Number(match[1]) * (SIZE_UNITS[match[2] ?? ""] as number));
  if (bytes < 1024) throw new CliError(`${what}: "${text}" is smaller than 1K`);
  return bytes;
}

const AGE_UNITS: Readonly<Record<string, number>> = { h: 3_600_000, d: DAY, w: 7 * DAY };

/** `12h`, `30d`, `8w`, or `0`/`forever` to keep everything. */
export function parseAge(text: string, what: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "forever" || trimmed === "0") return 0;
  const match = /^(\d+)([hdw])$/.exec(trimmed);
  if (!match) throw new CliError(`${what}: "${text}" is not an age (e.g. 12h, 30d, 8w, or 0 to keep forever)`);
  return Number(match[1]) * (AGE_UNITS[match[2] as string] as number);
}

export function parseLevel(text: string, what: string): AuditLevel {
  const found = AUDIT_LEVELS.find((l) => l.toLowerCase() === text.trim().toLowerCase());
  if (!found) throw new CliError(`${what}: "${text}" is not an audit level (${AUDIT_LEVELS.join(", ")})`);
  return found;
}

function parseBoolean(value: unknown, what: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  throw new CliError(`${what}: "${String(value)}" is not on or off`);
}

/** The string-valued settings as flags and config.json spell them. */
export interface AuditSettingsInput {
  level?: string;
  maxFileSize?: string;
  maxAge?: string;
  maxTotalSize?: string;
  execRecording?: string | boolean;
  recordingsMaxAge?: string;
  recordingsMaxTotalSize?: string;
}

export const AUDIT_FLAGS: Readonly<Record<keyof AuditSettingsInput, string>> = {
  level: "--audit-level",
  maxFileSize: "--audit-max-file-size",
  maxAge: "--audit-max-age",
  maxTotalSize: "--audit-max-total-size",
  execRecording: "--exec-recording",
  recordingsMaxAge: "--recordings-max-age",
  recordingsMaxTotalSize: "--recordings-max-total-size",
};

/** Overlays `input` on `base`; `label(key)` names a setting in errors (a flag, or a config key). */
export function applyAuditInput(base: AuditSettings, input: AuditSettingsInput, label: (key: keyof AuditSettingsInput) => string): AuditSettings {
  const out = { ...base };
  const str = (key: keyof AuditSettingsInput): string => {
    const value = input[key];
    if (typeof value !== "string" && typeof value !== "number") throw new CliError(`${label(key)} must be a string`);
    return String(value);
  };
  if (input.level !== undefined) out.level = parseLevel(str("level"), label("level"));
  if (input.maxFileSize !== undefined) {
    out.maxFileBytes = parseSize(str("maxFileSize"), label("maxFileSize"));
    if (out.maxFileBytes === 0) throw new CliError(`${label("maxFileSize")}: a file size limit is required`);
  }
  if (input.maxAge !== undefined) out.maxAgeMs = parseAge(str("maxAge"), label("maxAge"));
  if (input.maxTotalSize !== undefined) out.maxTotalBytes = parseSize(str("maxTotalSize"), label("maxTotalSize"));
  if (input.execRecording !== undefined) out.execRecording = parseBoolean(input.execRecording, label("execRecording"));
  if (input.recordingsMaxAge !== undefined) out.recordingsMaxAgeMs = parseAge(str("recordingsMaxAge"), label("recordingsMaxAge"));
  if (input.recordingsMaxTotalSize !== undefined) out.recordingsMaxTotalBytes = parseSize(str("recordingsMaxTotalSize"), label("recordingsMaxTotalSize"));
  return out;
}

/** Defaults, overlaid by DATA_DIR/config.json's `audit` section, overlaid by flags. */
export function resolveAuditSettings(dataDir: string, flags: AuditSettingsInput = {}): AuditSettings {
  let settings: AuditSettings = { ...DEFAULT_AUDIT_SETTINGS };
  const path = join(dataDir, DATA_FILES.config);
  try {
    const config = JSON.parse(readFileSync(path, "utf8")) as { audit?: unknown };
    if (config.audit !== undefined) {
      if (typeof config.audit !== "object" || config.audit === null) throw new CliError(`${path}: "audit" must be an object`);
      settings = applyAuditInput(settings, config.audit as AuditSettingsInput, (key) => `${path}: audit.${key}`);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    // No config yet, or not JSON (readEngineConfig reports that one).
  }
  return applyAuditInput(settings, flags, (key) => `serve: ${AUDIT_FLAGS[key]}`);
}
