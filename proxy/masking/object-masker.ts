// Masking a parsed object by the rule tree: for the engine's records (audit log, recordings), the
// inside of last-applied annotations, env entries, and the current object write-back compares
// with. Copy-on-write: an unchanged subtree is returned as the same reference.
import type { MaskRule, StringAction } from "./mask-rules.js";
import type { MaskingSettings } from "./masking-settings.js";
import { isSensitiveEnvName, type Masker, type OnReplace } from "./masker.js";

/** Everything a masking pass needs, plus where it reports what it masked. */
export interface MaskScope {
  readonly masker: Masker;
  readonly settings: MaskingSettings;
  /** Records a masked field (object-relative label such as `data.password`). */
  note(label: string): void;
}

/**
 * Called for each value masked in a field: the field's canonical path (see pathKey), the
 * placeholder and the bytes it replaced. Write-back builds its map of what may be restored from it.
 */
export type Collect = (path: string, placeholder: string, value: Buffer) => void;

export const PATH_SEPARATOR = "\u001f";
/** The segment that enters the JSON inside a last-applied annotation. */
export const INSIDE_JSON = ">";

/** An array element's path segment: by its `name` when it has one (how Kubernetes merges lists), else by position. */
export function elementSegment(element: unknown, index: number): string {
  if (typeof element === "object" && element !== null && !Array.isArray(element)) {
    const name = (element as Record<string, unknown>)["name"];
    if (typeof name === "string") return `[name=${name}]`;
  }
  return `[#${index}]`;
}

export function pathKey(segments: readonly string[]): string {
  return segments.join(PATH_SEPARATOR);
}

/** `spec.containers[name=app].env[name=DB_PASSWORD].value`, `metadata.annotations["a/b"]`. */
export function formatPath(segments: readonly string[]): string {
  let out = "";
  for (const segment of segments) {
    if (segment.startsWith("[")) out += segment;
    else if (segment === INSIDE_JSON) out += " > ";
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === "" || out.endsWith(" > ") ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** What a record lists as masked: positions in lists collapse to [*], so a 5,000-item list names each field once. */
export function noteLabel(segments: readonly string[]): string {
  return formatPath(segments).replace(/\[#\d+\]/g, "[*]");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Masks one string by action; `path` (the field) only matters to `collect`. */
export function maskString(
  text: string,
  action: StringAction,
  rule: MaskRule,
  scope: MaskScope,
  path: string[],
  collect?: Collect,
): string {
  const onReplace: OnReplace | undefined = collect ? (placeholder, value) => collect(pathKey(path), placeholder, value) : undefined;
  const { masker, settings } = scope;
  let masked: string;
  switch (action) {
    case "secret":
      masked = text === "" ? text : masker.secret(text, onReplace);
      break;
    case "secret-base64":
      masked = text === "" ? text : masker.secretBase64(text, onReplace);
      break;
    case "scan":
      masked = masker.scan(text, settings.detectors, onReplace);
      break;
    case "detect":
      masked = masker.scan(text, settings.detectors, onReplace, false);
      break;
    case "detect-base64":
      masked = masker.scanBase64(text, settings.detectors, onReplace, false);
      break;
    case "last-applied":
      masked = maskLastApplied(text, rule.objectRule, scope, path, collect);
      break;
  }
  if (masked !== text) scope.note(noteLabel(path));
  return masked;
}

/** The last-applied annotation: JSON of the object, masked with the object's rule and kept valid JSON. */
export function maskLastApplied(text: string, objectRule: MaskRule | null, scope: MaskScope, path: string[], collect?: Collect): string {
  if (!objectRule) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: nothing to keep readable, so the whole value goes.
    return text === "" ? text : scope.masker.secret(text, collect ? (p, v) => collect(pathKey(path), p, v) : undefined);
  }
  path.push(INSIDE_JSON);
  const masked = maskValue(parsed, objectRule, scope, path, collect);
  path.pop();
  if (masked === parsed) return text;
  return JSON.stringify(masked) + (text.endsWith("\n") ? "\n" : "");
}

/** An env var entry: its name decides whether the whole value is a secret or is scanned. */
export function maskEnvVar(entry: unknown, scope: MaskScope, path: string[], collect?: Collect): unknown {
  if (!isPlainObject(entry)) return entry;
  const value = entry["value"];
  if (typeof value !== "string" || value === "") return entry;
  const name = typeof entry["name"] === "string" ? (entry["name"] as string) : "";
  path.push("value");
  const onReplace: OnReplace | undefined = collect ? (placeholder, bytes) => collect(pathKey(path), placeholder, bytes) : undefined;
  const masked = isSensitiveEnvName(name) ? scope.masker.secret(value, onReplace) : scope.masker.scan(value, scope.settings.detectors, onReplace);
  if (masked !== value) scope.note(noteLabel(path));
  path.pop();
  return masked === value ? entry : { ...entry, value: masked };
}

/** The members of an env entry other than its value, by the entry rule's member rules (custom resources). */
function maskEnvVarMembers(entry: Record<string, unknown>, rule: MaskRule, scope: MaskScope, path: string[], collect?: Collect): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(entry)) {
    if (key === "value") continue;
    const child = rule.member(key);
    if (!child) continue;
    const item = entry[key];
    path.push(key);
    const masked = maskValue(item, child, scope, path, collect);
    path.pop();
    if (masked !== item) {
      out ??= { ...entry };
      out[key] = masked;
    }
  }
  return out ?? entry;
}

/**
 * Masks `value` by `rule`. `path` is the current field's segments (mutated and restored while
 * walking); pass [] for an object root.
 */
export function maskValue(value: unknown, rule: MaskRule, scope: MaskScope, path: string[] = [], collect?: Collect): unknown {
  if (typeof value === "string") return rule.action ? maskString(value, rule.action, rule, scope, path, collect) : value;
  if (rule.envVar) {
    const masked = maskEnvVar(value, scope, path, collect);
    return rule.anyMember !== null && isPlainObject(masked) ? maskEnvVarMembers(masked, rule, scope, path, collect) : masked;
  }
  if (Array.isArray(value)) {
    const element = rule.element;
    if (!element) return value;
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      path.push(elementSegment(item, i));
      const masked = maskValue(item, element, scope, path, collect);
      path.pop();
      if (masked !== item) {
        out ??= value.slice();
        out[i] = masked;
      }
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(value)) {
      const child = rule.member(key);
      if (!child) continue;
      const item = value[key];
      path.push(key);
      const masked = maskValue(item, child, scope, path, collect);
      path.pop();
      if (masked !== item) {
        out ??= { ...value };
        out[key] = masked;
      }
    }
    return out ?? value;
  }
  return value;
}

/** A scope that records masked fields into a bounded, de-duplicated list. */
export function recordingScope(masker: Masker, settings: MaskingSettings, masked: string[], limit = 100): MaskScope {
  const seen = new Set(masked);
  return {
    masker,
    settings,
    note(label) {
      if (seen.has(label) || seen.size >= limit) return;
      seen.add(label);
      masked.push(label);
    },
  };
}
