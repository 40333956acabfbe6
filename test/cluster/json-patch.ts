// RFC 6902 JSON Patch (`application/json-patch+json`), with the apiserver's error shapes:
// a malformed patch document is 400 BadRequest, an operation that cannot be applied is 422.
import { ApiError, badRequest } from "./status.js";
import { clone, deepEqual, isObject, type Json } from "./json.js";

function rejected(cause: string): ApiError {
  // The server wraps jsonpatch's error in a generic 422 (NewGenericServerResponse); the cause carries the detail.
  return new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", {
    causes: [{ reason: "UnexpectedServerResponse", message: cause }],
  });
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw rejected(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

interface Location {
  parent: Json[] | Record<string, Json>;
  key: string;
}

function locate(doc: Json, tokens: string[], op: string, pointer: string): Location {
  let node: Json = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] ?? "";
    if (Array.isArray(node)) {
      const idx = Number(t);
      if (!/^\d+$/.test(t) || idx >= node.length) throw rejected(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
      node = node[idx] as Json;
    } else if (isObject(node)) {
      if (!(t in node)) throw rejected(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
      node = node[t] as Json;
    } else {
      throw rejected(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    }
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw rejected(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  return { parent: node, key: tokens[tokens.length - 1] ?? "" };
}

function getAt(doc: Json, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = locate(doc, tokens, op, pointer);
  if (Array.isArray(parent)) {
    const idx = Number(key);
    if (!/^\d+$/.test(key) || idx >= parent.length) throw rejected(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    return parent[idx] as Json;
  }
  if (!(key in parent)) throw rejected(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`);
  return parent[key] as Json;
}

function removeAt(doc: Json, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw rejected(`${op} operation does not apply: cannot remove the whole document`);
  const { parent, key } = locate(doc, tokens, op, pointer);
  if (Array.isArray(parent)) {
    const idx = Number(key);
    if (!/^\d+$/.test(key) || idx >= parent.length) throw rejected(`Unable to remove nonexistent key: ${key}: missing value`);
    return parent.splice(idx, 1)[0] as Json;
  }
  if (!(key in parent)) throw rejected(`Unable to remove nonexistent key: ${key}: missing value`);
  const value = parent[key] as Json;
  delete parent[key];
  return value;
}

function addAt(doc: Json, pointer: string, value: Json, op: string, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, op, pointer);
  if (Array.isArray(parent)) {
    if (key === "-" && !replace) {
      parent.push(value);
      return doc;
    }
    const idx = Number(key);
    const limit = replace ? parent.length - 1 : parent.length;
    if (!/^\d+$/.test(key) || idx > limit) throw rejected(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    if (replace) parent[idx] = value;
    else parent.splice(idx, 0, value);
    return doc;
  }
  if (replace && !(key in parent)) throw rejected(`replace operation does not apply: doc is missing key: ${pointer}: missing value`);
  parent[key] = value;
  return doc;
}

export function applyJsonPatch(target: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = clone(target);
  for (const raw of patch) {
    if (!isObject(raw)) throw badRequest("json: cannot unmarshal into Go value of type jsonpatch.Operation");
    const op = raw["op"];
    const path = raw["path"];
    if (typeof path !== "string") throw rejected(`${String(op)} operation does not apply: missing path`);
    switch (op) {
      case "add":
        if (!("value" in raw)) throw rejected("add operation does not apply: missing value");
        doc = addAt(doc, path, clone(raw["value"] as Json), "add", false);
        break;
      case "replace":
        if (!("value" in raw)) throw rejected("replace operation does not apply: missing value");
        doc = addAt(doc, path, clone(raw["value"] as Json), "replace", true);
        break;
      case "remove":
        removeAt(doc, path, "remove");
        break;
      case "move": {
        const from = raw["from"];
        if (typeof from !== "string") throw rejected("move operation does not apply: missing from");
        const value = removeAt(doc, from, "move");
        doc = addAt(doc, path, value, "move", false);
        break;
      }
      case "copy": {
        const from = raw["from"];
        if (typeof from !== "string") throw rejected("copy operation does not apply: missing from");
        doc = addAt(doc, path, clone(getAt(doc, from, "copy")), "copy", false);
        break;
      }
      case "test": {
        const actual = getAt(doc, path, "test");
        if (!deepEqual(actual, raw["value"])) throw rejected(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${String(op)}`);
    }
  }
  return doc;
}
