// Reading request bodies for guardrails, in every shape a write can take: a full object (create,
// update, server-side apply), a JSON merge or strategic merge patch (a partial object), or a JSON
// patch (a list of operations whose paths name the fields). A JSON patch operation is turned into
// the partial object it writes (`add /spec/hostNetwork true` becomes {spec: {hostNetwork: true}})
// so one scanner judges every format alike.
//
// The scanners decide on what a body *mentions*, not on what the result would be: they cannot see
// the object already stored, so a patch that writes a sensitive field at all is treated as
// setting it. Field names are compared case-insensitively; Kubernetes decodes them exactly, but a
// false "yes" costs one approval while a false "no" would be a bypass.
import { asMap } from "./guardrail.js";

/** Deeper than any real Kubernetes object; beyond it the body is not inspected and the guardrail trips. */
const MAX_DEPTH = 64;

export const UNINSPECTABLE = "its body could not be inspected (missing, or not a JSON/YAML object)";

/** RFC 6901 JSON pointer segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(pointer.startsWith("/") ? 1 : 0)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The partial object a JSON patch `add`/`replace` writes: the value nested under its path. */
export function opAsObject(segments: readonly string[], value: unknown): unknown {
  let out = value;
  for (let i = segments.length - 1; i >= 0; i--) out = { [segments[i] as string]: out };
  return out;
}

export type Visitor = (key: string, lowerKey: string, value: unknown, parentLowerKey: string | null) => string | undefined | "skip";

/**
 * Walks every key of a value depth-first; `visit` returns a reason to stop with, "skip" to not
 * descend into that value, or undefined to go on.
 */
export function walk(value: unknown, visit: Visitor, parentLowerKey: string | null = null, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return "its body is nested too deeply to inspect";
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = walk(item, visit, parentLowerKey, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  const map = asMap(value);
  if (!map) return undefined;
  for (const key of Object.keys(map)) {
    const lower = key.toLowerCase();
    const child = map[key];
    const verdict = visit(key, lower, child, parentLowerKey);
    if (verdict === "skip") continue;
    if (verdict) return verdict;
    const found = walk(child, visit, lower, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export interface JsonPatchOp {
  op: string;
  path: string[];
  from: string[] | null;
  value: unknown;
}

/** The operations of a JSON patch, or a reason it cannot be read. */
export function readJsonPatch(body: readonly unknown[]): JsonPatchOp[] | string {
  const ops: JsonPatchOp[] = [];
  for (const raw of body) {
    const op = asMap(raw);
    if (!op || typeof op.op !== "string" || typeof op.path !== "string") return "its JSON patch has an operation chaperone cannot read";
    ops.push({
      op: op.op,
      path: pointerSegments(op.path),
      from: typeof op.from === "string" ? pointerSegments(op.from) : null,
      value: op.value,
    });
  }
  return ops;
}

/**
 * Scans any write body with `visit`: objects and merge patches directly, JSON patches operation
 * by operation. `remove` and `test` write nothing and are skipped; `copy` and `move` write content
 * the body does not show, so they trip unless `opaqueOk` accepts their paths.
 */
export function scanBody(body: unknown, visit: Visitor, opaqueOk: (op: JsonPatchOp) => boolean = () => false): string | undefined {
  if (Array.isArray(body)) {
    const ops = readJsonPatch(body);
    if (typeof ops === "string") return ops;
    for (const op of ops) {
      if (op.op === "remove" || op.op === "test") continue;
      if (op.op === "copy" || op.op === "move") {
        if (opaqueOk(op)) continue;
        return `its JSON patch ${op.op}s content chaperone cannot see`;
      }
      const found = walk(opAsObject(op.path, op.value), visit);
      if (found) return found;
    }
    return undefined;
  }
  if (!asMap(body)) return UNINSPECTABLE;
  return walk(body, visit);
}
