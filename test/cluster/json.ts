// Plain JSON value types and the small helpers every module needs.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as JsonObject)[k], (b as JsonObject)[k]));
}

/** Reads `obj.a.b.c` without throwing on missing intermediate nodes. */
export function getPath(obj: unknown, path: string[]): unknown {
  let node: unknown = obj;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

export function metadataOf(obj: JsonObject): JsonObject {
  const existing = obj["metadata"];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  obj["metadata"] = created;
  return created;
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
