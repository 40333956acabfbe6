// Write-back: a write that carries a placeholder never reaches the cluster with it.
//
// An agent reads a masked Secret, changes a label and writes it back (kubectl edit, apply,
// `get -o yaml | kubectl apply -f -`, server-side apply, patch): the placeholders it sends back
// stand for values it never saw. For each one, the current object is masked the same way, and
// where the current object holds, at that very field, the value that placeholder stands for, the
// real value is put back. Anything else is refused with a Status naming the field:
//  - a placeholder in a field that is never masked (a label, a ConfigMap copied from a Secret…),
//  - a placeholder the current object does not hold at that field (another Secret's value, a new
//    object, a value changed since),
//  - a placeholder whose real value, put back, would no longer be masked where it lands (a
//    password moved out of the `password=` that made a detector find it),
//  - a placeholder in a body chaperone cannot read (protobuf), or base64-encoded where it does
//    not belong,
//  - a JSON patch copying or moving a field that holds masked values.
// Only a value already at a field can come back to that field, so write-back can never be used
// to read a secret. The two equivalences it knows are Kubernetes' own: a Secret's stringData.K is
// data.K, and the inside of the last-applied annotation mirrors the object's own fields.
import { elementSegment, formatPath, INSIDE_JSON, maskEnvVar, maskLastApplied, maskString, maskValue, pathKey, type MaskScope } from "./object-masker.js";
import type { MaskRule, RuleSet, StringAction } from "./mask-rules.js";
import type { MaskingSettings } from "./masking-settings.js";
import { isSensitiveEnvName, type Masker } from "./masker.js";
import { containsPlaceholder, PLACEHOLDER_PATTERN, PLACEHOLDER_PREFIX, placeholderTags, textContainsPlaceholder } from "./placeholder.js";

export type WriteBackResult =
  | { kind: "unchanged" }
  | { kind: "restored"; body: Buffer; object: unknown; fields: string[] }
  | { kind: "refused"; message: string };

export interface WriteBackInput {
  verb: "create" | "update" | "patch";
  /** Media type of the body (application/json-patch+json, …). */
  contentType: string | null;
  body: Buffer;
  /** The decoded body, or null when it could not be read (protobuf, CBOR). */
  object: unknown | null;
  /** Rules of the resource written; null when it is never masked. */
  rules: RuleSet | null;
  masker: Masker;
  /** Everything on, with the profile's detectors: the current object is masked at least as the agent saw it. */
  settings: MaskingSettings;
  /** The object as it is now, null when it does not exist. Only called when there is something to restore. */
  current: () => Promise<unknown | null>;
}

class Refusal extends Error {}

function refuse(message: string): never {
  throw new Refusal(`chaperone: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What each field of the current object masks to: field → placeholder tag → the bytes it stands for. */
type RestoreMap = Map<string, Map<string, Buffer>>;

const BASE64_ACTIONS = new Set<StringAction>(["secret-base64", "detect-base64"]);

function quiet(masker: Masker, settings: MaskingSettings): MaskScope {
  return { masker, settings, note: () => undefined };
}

class Restorer {
  readonly fields: string[] = [];
  private readonly scope: MaskScope;

  constructor(
    private readonly map: RestoreMap,
    private readonly exists: boolean,
    masker: Masker,
    settings: MaskingSettings,
  ) {
    this.scope = quiet(masker, settings);
  }

  /** The real bytes a tag stands for at this field (or at a field Kubernetes treats as the same). */
  private lookup(segments: readonly string[], tag: string): Buffer | undefined {
    const candidates: string[][] = [segments.slice()];
    const inside = segments.indexOf(INSIDE_JSON);
    if (inside >= 0) candidates.push(segments.slice(inside + 1));
    for (const candidate of [...candidates]) if (candidate[0] === "stringData") candidates.push(["data", ...candidate.slice(1)]);
    for (const candidate of candidates) {
      const value = this.map.get(pathKey(candidate))?.get(tag);
      if (value) return value;
    }
    return undefined;
  }

  private missing(segments: readonly string[]): never {
    const field = formatPath(segments);
    if (!this.exists) {
      refuse(
        `${field} holds a masked placeholder (${PLACEHOLDER_PREFIX}…), and the object does not exist yet, so there is no real value to put back; chaperone never writes a placeholder to the cluster. Write the real value, or leave the field out`,
      );
    }
    refuse(
      `${field} holds a masked placeholder (${PLACEHOLDER_PREFIX}…) that does not stand for the value the current object holds at ${field}; chaperone never writes a placeholder to the cluster. Write the real value, or leave the field out to keep the current one`,
    );
  }

  /** Restores the placeholders in one string masked by `action`; verifies the result stays masked. */
  private restoreString(text: string, action: StringAction, rule: MaskRule | null, segments: string[], envName: string | null): string {
    if (action === "last-applied") return this.restoreLastApplied(text, rule, segments);
    let restored: string;
    if (BASE64_ACTIONS.has(action)) {
      const decoded = Buffer.from(text, "base64");
      if (decoded.toString("base64") !== text) {
        refuse(`${formatPath(segments)} holds a masked placeholder that is not base64-encoded; this field holds base64 (decode-and-edit tools must re-encode it)`);
      }
      const latin1 = decoded.toString("latin1");
      const tags = placeholderTags(latin1);
      if (tags.length === 0) refuse(`${formatPath(segments)} holds an encoded masked placeholder that chaperone cannot put a value back for`);
      PLACEHOLDER_PATTERN.lastIndex = 0;
      const replaced = latin1.replace(PLACEHOLDER_PATTERN, (_all, tag: string) => (this.lookup(segments, tag) ?? this.missing(segments)).toString("latin1"));
      restored = Buffer.from(replaced, "latin1").toString("base64");
    } else {
      const tags = placeholderTags(text);
      if (tags.length === 0) refuse(`${formatPath(segments)} holds a base64-encoded masked placeholder where plain text belongs; chaperone cannot put a value back for it`);
      PLACEHOLDER_PATTERN.lastIndex = 0;
      restored = text.replace(PLACEHOLDER_PATTERN, (_all, tag: string) => {
        const value = this.lookup(segments, tag) ?? this.missing(segments);
        const asText = value.toString("utf8");
        if (!Buffer.from(asText, "utf8").equals(value)) refuse(`${formatPath(segments)}: the value behind the placeholder is binary and cannot be written as text here; use data instead`);
        return asText;
      });
    }
    // The value put back must still be masked where it lands.
    const tags = new Set(BASE64_ACTIONS.has(action) ? placeholderTags(Buffer.from(text, "base64").toString("latin1")) : placeholderTags(text));
    const remasked = envName !== null ? this.remaskEnv(envName, restored, segments) : maskString(restored, action, rule as MaskRule, this.scope, segments.slice());
    const seen = new Set(BASE64_ACTIONS.has(action) ? placeholderTags(Buffer.from(remasked, "base64").toString("latin1")) : placeholderTags(remasked));
    for (const tag of tags) {
      if (!seen.has(tag)) {
        refuse(`${formatPath(segments)}: putting the real value back for its placeholder would leave it unmasked there (its context changed); chaperone refuses rather than expose it`);
      }
    }
    this.fields.push(formatPath(segments));
    return restored;
  }

  private remaskEnv(name: string, value: string, segments: string[]): string {
    const entry = maskEnvVar({ name, value }, this.scope, segments.slice(0, -1)) as { value: string };
    return entry.value;
  }

  private restoreLastApplied(text: string, rule: MaskRule | null, segments: string[]): string {
    const objectRule = rule?.objectRule ?? null;
    let inner: unknown;
    try {
      inner = JSON.parse(text) as unknown;
    } catch {
      refuse(`${formatPath(segments)} is not valid JSON and holds a masked placeholder`);
    }
    const restored = this.walk(inner, objectRule, [...segments, INSIDE_JSON]);
    const out = JSON.stringify(restored) + (text.endsWith("\n") ? "\n" : "");
    const masked = maskLastApplied(out, objectRule, this.scope, segments.slice());
    for (const tag of placeholderTags(text)) {
      if (!masked.includes(tag)) refuse(`${formatPath(segments)}: putting the real values back would leave one unmasked there; chaperone refuses rather than expose it`);
    }
    return out;
  }

  /** Walks a written value by its rule; returns it with placeholders restored (same reference when none). */
  walk(value: unknown, rule: MaskRule | null, segments: string[]): unknown {
    if (typeof value === "string") {
      if (!textContainsPlaceholder(value)) return value;
      if (!rule || !rule.action) {
        refuse(
          `${formatPath(segments)} holds a masked placeholder, but chaperone never masks that field, so the placeholder cannot stand for anything there; chaperone never writes a placeholder to the cluster`,
        );
      }
      return this.restoreString(value, rule.action, rule, segments, null);
    }
    if (rule?.envVar && isPlainObject(value)) return this.walkEnvVar(value, segments);
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      value.forEach((item, i) => {
        segments.push(elementSegment(item, i));
        const restored = this.walk(item, rule?.element ?? null, segments);
        segments.pop();
        if (restored !== item) {
          out ??= value.slice();
          out[i] = restored;
        }
      });
      return out ?? value;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | null = null;
      for (const [key, item] of Object.entries(value)) {
        segments.push(key);
        const restored = this.walk(item, rule?.member(key) ?? null, segments);
        segments.pop();
        if (restored !== item) {
          out ??= { ...value };
          out[key] = restored;
        }
      }
      return out ?? value;
    }
    return value;
  }

  /** The `value` of an env entry named `name` (a JSON patch can target it alone). */
  walkEnvValue(value: unknown, name: string, segments: string[]): unknown {
    if (typeof value !== "string" || !textContainsPlaceholder(value)) return this.walk(value, null, segments);
    return this.restoreString(value, isSensitiveEnvName(name) ? "secret" : "scan", null, segments, name);
  }

  private walkEnvVar(entry: Record<string, unknown>, segments: string[]): unknown {
    let out: Record<string, unknown> | null = null;
    for (const [key, item] of Object.entries(entry)) {
      segments.push(key);
      let restored: unknown = item;
      if (key === "value") {
        restored = this.walkEnvValue(item, typeof entry["name"] === "string" ? (entry["name"] as string) : "", segments);
      } else {
        restored = this.walk(item, null, segments);
      }
      segments.pop();
      if (restored !== item) {
        out ??= { ...entry };
        out[key] = restored;
      }
    }
    return out ?? entry;
  }
}

/** RFC 6901 pointer tokens. */
function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) refuse(`the JSON patch path ${JSON.stringify(pointer)} is not a JSON pointer`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

interface PointerTarget {
  rule: MaskRule | null;
  segments: string[];
  /** Set when the pointer ends at the `value` of an env entry: the entry's current name. */
  envValueOf: string | null;
}

/** The rule and canonical field segments a JSON pointer reaches, following the current object for list positions. */
function resolvePointer(pointer: string, root: MaskRule | null, current: unknown): PointerTarget {
  let rule = root;
  let node: unknown = current;
  const segments: string[] = [];
  let envValueOf: string | null = null;
  for (const token of pointerTokens(pointer)) {
    envValueOf = null;
    if (Array.isArray(node) || (node === undefined && rule?.element && /^(\d+|-)$/.test(token))) {
      const index = token === "-" ? -1 : Number(token);
      const item = Array.isArray(node) && index >= 0 ? node[index] : undefined;
      segments.push(item === undefined ? `[#${token === "-" ? "new" : token}]` : elementSegment(item, index));
      rule = rule?.element ?? null;
      node = item;
    } else {
      segments.push(token);
      if (rule?.envVar) {
        // Inside an env entry: only its value is masked, as its name says.
        const name = isPlainObject(node) && typeof node["name"] === "string" ? (node["name"] as string) : "";
        envValueOf = token === "value" ? name : null;
        rule = null;
      } else rule = rule?.member(token) ?? null;
      node = isPlainObject(node) ? node[token] : undefined;
    }
  }
  return { rule, segments, envValueOf };
}

/** A JSON patch may not copy or move a field that holds masked values: the copy would land unmasked. */
function checkCopies(operations: unknown[], rules: RuleSet): void {
  operations.forEach((operation, i) => {
    if (!isPlainObject(operation)) return;
    const op = operation["op"];
    if ((op !== "copy" && op !== "move") || typeof operation["from"] !== "string") return;
    const from = resolvePointer(operation["from"], rules.object, undefined);
    if (from.rule !== null || from.envValueOf !== null) {
      refuse(`JSON patch operation ${i} would ${String(op)} ${formatPath(from.segments) || "the whole object"}, which holds masked values, to another field; chaperone refuses rather than expose them`);
    }
  });
}

/**
 * Restores the placeholders a write carries, or refuses it. The current object is fetched only
 * when the body holds a placeholder.
 */
export async function restorePlaceholders(input: WriteBackInput): Promise<WriteBackResult> {
  try {
    if (input.contentType === "application/json-patch+json" && Array.isArray(input.object) && input.rules) checkCopies(input.object, input.rules);
    if (!containsPlaceholder(input.body)) return { kind: "unchanged" };
    if (input.object === null || input.object === undefined) {
      refuse(
        `the request body carries a masked placeholder (${PLACEHOLDER_PREFIX}…) in a format chaperone cannot read (${input.contentType ?? "no Content-Type"}), so it cannot put the real value back; chaperone never writes a placeholder to the cluster. Send the real value, or use kubectl apply/edit/patch (JSON or YAML)`,
      );
    }
    if (!input.rules) refuse(`the request body carries a masked placeholder (${PLACEHOLDER_PREFIX}…), but nothing chaperone masks can be written here; chaperone never writes a placeholder to the cluster`);
    const rules = input.rules;
    const current = input.verb === "create" ? null : await input.current();

    // What the current object masks to, field by field.
    const map: RestoreMap = new Map();
    if (current !== null) {
      maskValue(current, rules.object, quiet(input.masker, input.settings), [], (path, placeholder, value) => {
        let tags = map.get(path);
        if (!tags) map.set(path, (tags = new Map()));
        tags.set(placeholder.slice(PLACEHOLDER_PREFIX.length), value);
      });
    }
    const restorer = new Restorer(map, current !== null, input.masker, input.settings);

    let restored: unknown;
    if (input.contentType === "application/json-patch+json") {
      if (!Array.isArray(input.object)) refuse("a JSON patch must be a list of operations");
      restored = input.object.map((operation: unknown) => {
        if (!isPlainObject(operation)) return operation;
        if (!("value" in operation) || typeof operation["path"] !== "string") return operation;
        const target = resolvePointer(operation["path"], rules.object, current);
        const value =
          target.envValueOf !== null ? restorer.walkEnvValue(operation["value"], target.envValueOf, target.segments) : restorer.walk(operation["value"], target.rule, target.segments);
        return value === operation["value"] ? operation : { ...operation, value };
      });
    } else {
      restored = restorer.walk(input.object, rules.object, []);
    }
    const body = Buffer.from(JSON.stringify(restored), "utf8");
    // The last gate: whatever the walk missed (an encoded placeholder in an odd place) stops here.
    if (containsPlaceholder(body)) refuse(`the request body still carries a masked placeholder (${PLACEHOLDER_PREFIX}…, perhaps base64-encoded) where chaperone cannot put a value back; chaperone never writes a placeholder to the cluster`);
    return { kind: "restored", body, object: restored, fields: restorer.fields };
  } catch (error) {
    if (error instanceof Refusal) return { kind: "refused", message: error.message };
    throw error;
  }
}
