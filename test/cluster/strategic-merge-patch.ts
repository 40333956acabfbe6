// Strategic merge patch (`application/strategic-merge-patch+json`), applied the way the apiserver's
// k8s.io/apimachinery/pkg/util/strategicpatch does with MergeParallelList + IgnoreUnmatchedNulls:
// - maps merge recursively; `null` deletes a key;
// - lists whose field declares patchStrategy=merge merge by patchMergeKey (lists of maps) or by value
//   (lists of scalars); every other list is replaced;
// - directives: `$patch: replace|delete` (in a map or as a list element), `$retainKeys`,
//   `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`;
// - merged list order follows the real code: patch items in patch (or $setElementOrder) order,
//   interleaved with server-only items kept in server order.
import { badRequest } from "./status.js";
import { clone, deepEqual, isObject, type Json, type JsonObject } from "./json.js";
import { fieldType, isList, structOf, type ListType, type StructType, type TypeRef } from "./schema.js";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ELEMENT_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

type Schema = StructType | TypeRef | undefined;

export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject, schema: StructType | undefined): JsonObject {
  return mergeMap(clone(original), clone(patch), schema);
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: Schema): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive !== undefined) {
    if (directive === "replace") {
      const { [DIRECTIVE]: _ignored, ...rest } = patch;
      return cleanNew(rest, schema) as JsonObject;
    }
    if (directive === "delete") return {};
    throw badRequest(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  const result: JsonObject = original ?? {};

  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest(`invalid patch: $retainKeys must be a list: ${JSON.stringify(retain)}`);
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
    delete patch[RETAIN_KEYS];
  }

  // $setElementOrder lists are processed together with their sibling patch list, which is then consumed.
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badRequest(`invalid patch: ${key} must be a list`);
    const listSchema = listTypeOf(schema, field);
    const originalList = Array.isArray(result[field]) ? (result[field] as Json[]) : [];
    const patchList = Array.isArray(patch[field]) ? (patch[field] as Json[]) : [];
    if (field in patch && patch[field] === null) continue; // a delete wins; handled below
    delete patch[field];
    result[field] = mergeList(originalList, patchList, listSchema, order);
  }

  for (const [rawKey, patchValue] of Object.entries(patch)) {
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(patchValue)) {
        result[field] = current.filter((v) => !patchValue.some((d) => deepEqual(d, v)));
      }
      continue;
    }
    const key = rawKey;
    if (patchValue === null) {
      delete result[key];
      continue;
    }
    const sub = fieldType(structOrType(schema), key);
    const current = result[key];
    if (current === undefined || current === null) {
      result[key] = isObject(patchValue)
        ? mergeMap(undefined, patchValue, sub)
        : Array.isArray(patchValue)
          ? mergeList([], patchValue, isList(sub) ? sub : undefined, undefined)
          : patchValue;
      continue;
    }
    if (isObject(current) && isObject(patchValue)) {
      result[key] = mergeMap(current, patchValue, sub);
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      result[key] = mergeList(current, patchValue, isList(sub) ? sub : undefined, undefined);
    } else {
      result[key] = cleanNew(patchValue, sub);
    }
  }
  return result;
}

function structOrType(schema: Schema): Schema {
  return structOf(schema as TypeRef) ?? schema;
}

function listTypeOf(schema: Schema, field: string): ListType | undefined {
  const t = fieldType(structOrType(schema), field);
  return isList(t) ? t : undefined;
}

/** A value with no counterpart in the original: drop nulls and directives, as the server's decode would. */
function cleanNew(value: Json, schema: Schema): Json {
  if (isObject(value)) return mergeMap(undefined, value, schema);
  if (Array.isArray(value)) return value.filter((v) => !(isObject(v) && DIRECTIVE in v)).map((v) => (isObject(v) ? mergeMap(undefined, v, isList(schema as TypeRef) ? (schema as ListType).list : undefined) : v));
  return value;
}

function mergeList(original: Json[], patch: Json[], schema: ListType | undefined, setElementOrder: Json[] | undefined): Json[] {
  if (!schema?.merge) {
    // Replace semantics: the patch list is the new value (an explicit order directive is meaningless here).
    return cleanNew(patch, schema) as Json[];
  }
  if (original.length === 0 && patch.length === 0) return original;
  const ofMaps = [...original, ...patch].some(isObject);
  if (!ofMaps) {
    const merged: Json[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => deepEqual(m, v))) merged.push(v);
    const order = setElementOrder ?? patch;
    const patchItems = merged.filter((m) => order.some((p) => deepEqual(p, m)));
    const serverOnly = merged.filter((m) => !order.some((p) => deepEqual(p, m)));
    return normalizeOrder(patchItems, serverOnly, order, original, undefined);
  }
  const mergeKey = schema.mergeKey;
  if (!mergeKey) throw badRequest("cannot merge lists without merge key");

  let base = original.slice();
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`invalid patch: list item ${JSON.stringify(item)} is not a map`);
    const directive = item[DIRECTIVE];
    if (directive === undefined) {
      plain.push(item);
    } else if (directive === "delete") {
      if (!(mergeKey in item)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
      base = base.filter((o) => !(isObject(o) && deepEqual(o[mergeKey], item[mergeKey])));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw badRequest("merging lists cannot yet be specified in the patch");
    } else {
      throw badRequest(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`);
    }
  }
  if (replace) return plain.map((p) => mergeMap(undefined, p, schema.list));

  const merged = base.slice();
  for (const item of plain) {
    if (!(mergeKey in item)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    const idx = merged.findIndex((o) => isObject(o) && deepEqual(o[mergeKey], item[mergeKey]));
    if (idx >= 0) merged[idx] = mergeMap(merged[idx] as JsonObject, item, schema.list);
    else merged.push(mergeMap(undefined, item, schema.list));
  }
  const order = setElementOrder ?? plain;
  const inOrder = (m: Json) => order.some((p) => isObject(p) && isObject(m) && deepEqual(p[mergeKey], m[mergeKey]));
  return normalizeOrder(merged.filter(inOrder), merged.filter((m) => !inOrder(m)), order, base, mergeKey);
}

function indexIn(list: Json[], item: Json, mergeKey: string | undefined): number {
  if (mergeKey === undefined) return list.findIndex((v) => deepEqual(v, item));
  return list.findIndex((v) => isObject(v) && isObject(item) && deepEqual(v[mergeKey], item[mergeKey]));
}

function sortBy(items: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  return items
    .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.item);
}

/** strategicpatch.normalizeElementOrder + mergeSortedSlice. */
function normalizeOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string | undefined): Json[] {
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++] as Json);
    else if (j >= right.length) out.push(left[i++] as Json);
    else {
      const li = indexIn(serverOrder, left[i] as Json, mergeKey);
      const ri = indexIn(serverOrder, right[j] as Json, mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as Json);
      else out.push(right[j++] as Json);
    }
  }
  return out;
}
