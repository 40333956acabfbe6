// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge, null deletes, anything else replaces.
import { clone, isObject, type Json, type JsonObject } from "./json.js";

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}
