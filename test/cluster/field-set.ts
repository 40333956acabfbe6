// Field sets in the style of sigs.k8s.io/structured-merge-diff: the paths an object sets, with list items
// identified by their map keys (`k:{"name":"app"}`), set values (`v:"x"`) or position (`i:0`).
// They back `metadata.managedFields` (FieldsV1 encoding) and server-side apply's ownership and pruning.
import { deepEqual, isObject, type Json, type JsonObject } from "./json.js";
import { fieldType, isList, isMap, structOf, type ListType, type StructType, type TypeRef } from "./schema.js";

export type PathElement = string;
export type FieldPath = PathElement[];
export type NodeSchema = StructType | TypeRef | undefined;

export class FieldSet {
  private readonly members = new Map<string, FieldPath>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.add(p);
    return s;
  }

  add(path: FieldPath): void {
    this.members.set(JSON.stringify(path), path);
  }

  has(path: FieldPath): boolean {
    return this.members.has(JSON.stringify(path));
  }

  get size(): number {
    return this.members.size;
  }

  paths(): FieldPath[] {
    return [...this.members.values()];
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.of([...this.paths(), ...other.paths()]);
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => !other.has(p)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => other.has(p)));
  }

  /** True when the set holds `path` or anything below it. */
  coversOrBelow(path: FieldPath): boolean {
    return this.paths().some((p) => p.length >= path.length && path.every((pe, i) => p[i] === pe));
  }

  /** Drops `prefix` itself (when exact) or everything under it (when recursive). */
  without(prefix: FieldPath, recursive: boolean): FieldSet {
    return FieldSet.of(
      this.paths().filter((p) => {
        const under = p.length >= prefix.length && prefix.every((pe, i) => p[i] === pe);
        return recursive ? !under : !(under && p.length === prefix.length);
      }),
    );
  }
}

function childSchema(schema: NodeSchema, key: string): NodeSchema {
  const struct = structOf(schema as TypeRef) ?? (schema && typeof schema === "object" && "goName" in schema ? schema : undefined);
  if (struct) return struct.fields[key];
  if (isMap(schema as TypeRef)) return (schema as { map: TypeRef }).map;
  return undefined;
}

function isDeclared(schema: NodeSchema, key: string): boolean {
  const struct = structOf(schema as TypeRef) ?? (schema && typeof schema === "object" && "goName" in schema ? schema : undefined);
  return struct !== undefined && key in struct.fields;
}

function isStructNode(schema: NodeSchema): boolean {
  return structOf(schema as TypeRef) !== undefined;
}

/** Values owned as a whole: untyped `any` fields and atomic structs. */
function isAtomicScalar(schema: NodeSchema): boolean {
  return schema === "any" || structOf(schema as TypeRef)?.atomic === true;
}

/** The identity of a list item: map keys (with schema defaults), set value, or index. */
export function itemElement(list: ListType | undefined, item: Json, index: number): PathElement {
  if (list?.listType === "set") return `v:${JSON.stringify(item)}`;
  if (list?.listType === "map" && list.keys && isObject(item)) {
    const defaults = structOf(list.list)?.keyDefaults ?? {};
    const key: JsonObject = {};
    for (const k of [...list.keys].sort()) {
      const v = item[k] ?? (defaults[k] as Json | undefined);
      if (v === undefined) return `i:${index}`;
      key[k] = v;
    }
    return `k:${JSON.stringify(key)}`;
  }
  return `i:${index}`;
}

/** structured-merge-diff's TypedValue.ToFieldSet: leaves, list items, undeclared/empty map entries. */
export function toFieldSet(value: Json, schema: NodeSchema): FieldSet {
  const set = new FieldSet();
  const walk = (v: Json, s: NodeSchema, path: FieldPath): void => {
    if (isObject(v) && !isAtomicScalar(s) && !isList(s as TypeRef)) {
      for (const [k, child] of Object.entries(v)) {
        const p = [...path, `f:${k}`];
        walk(child, childSchema(s, k), p);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || !isDeclared(s, k)) set.add(p);
      }
      return;
    }
    if (Array.isArray(v)) {
      const lt = isList(s as TypeRef) ? (s as ListType) : undefined;
      if (!lt || lt.listType === "atomic") {
        set.add(path);
        return;
      }
      v.forEach((item, i) => {
        const p = [...path, itemElement(lt, item, i)];
        walk(item, lt.list, p);
        set.add(p);
      });
      return;
    }
    set.add(path);
  };
  walk(value, schema, []);
  return set;
}

interface NodeInfo {
  leaf: boolean;
  struct: boolean;
  /** Granular lists exist as null in a zero-valued Go struct, so appearing is not "adding" them. */
  list: boolean;
  value: Json;
}

function collectNodes(value: Json, schema: NodeSchema): Map<string, NodeInfo & { path: FieldPath }> {
  const out = new Map<string, NodeInfo & { path: FieldPath }>();
  const walk = (v: Json, s: NodeSchema, path: FieldPath, itemNode: boolean): void => {
    const record = (leaf: boolean, list = false) => {
      if (path.length > 0) out.set(JSON.stringify(path), { path, leaf, list, struct: !itemNode && isStructNode(s), value: v });
    };
    if (isObject(v) && !isAtomicScalar(s) && !isList(s as TypeRef)) {
      // An empty object is a member in its own right (ToFieldSet counts empty maps).
      if (Object.keys(v).length === 0) {
        record(true);
        return;
      }
      record(false);
      for (const [k, child] of Object.entries(v)) walk(child, childSchema(s, k), [...path, `f:${k}`], false);
      return;
    }
    if (Array.isArray(v)) {
      const lt = isList(s as TypeRef) ? (s as ListType) : undefined;
      if (!lt || lt.listType === "atomic") {
        record(true);
        return;
      }
      record(false, true);
      v.forEach((item, i) => walk(item, lt.list, [...path, itemElement(lt, item, i)], true));
      return;
    }
    record(true);
  };
  walk(value, schema, [], false);
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * What changed between two objects. Struct nodes that merely appear are not counted as added (the real
 * server compares against a zero-valued Go struct, in which non-pointer structs already exist).
 */
export function compare(before: Json, after: Json, schema: NodeSchema): Comparison {
  const lhs = collectNodes(before, schema);
  const rhs = collectNodes(after, schema);
  const added = new FieldSet();
  const modified = new FieldSet();
  const removed = new FieldSet();
  for (const [key, node] of rhs) {
    const old = lhs.get(key);
    if (!old) {
      if (node.leaf || (!node.struct && !node.list)) added.add(node.path);
    } else if (node.leaf && !deepEqual(old.value, node.value)) {
      modified.add(node.path);
    } else if (node.leaf !== old.leaf) {
      modified.add(node.path);
    }
  }
  for (const [key, node] of lhs) if (!rhs.has(key)) removed.add(node.path);
  return { added, modified, removed };
}

/** FieldsV1 JSON: nested `f:`/`k:`/`v:`/`i:` keys, `.` marking a node that is itself a member. */
export function encodeFieldsV1(set: FieldSet): JsonObject {
  interface Node {
    member: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { member: false, children: new Map() };
  for (const path of set.paths()) {
    let node = root;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) {
        next = { member: false, children: new Map() };
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }
  const rank = (k: string) => ({ f: 0, k: 1, v: 2, i: 3 })[k[0] as "f" | "k" | "v" | "i"] ?? 4;
  const render = (node: Node): JsonObject => {
    const out: JsonObject = {};
    if (node.member && node.children.size > 0) out["."] = {};
    const keys = [...node.children.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) out[k] = render(node.children.get(k) as Node);
    return out;
  };
  return render(root);
}

export function decodeFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: FieldPath): void => {
    if (!isObject(node)) return;
    for (const [k, child] of Object.entries(node)) {
      if (k === ".") {
        set.add(path);
        continue;
      }
      const p = [...path, k];
      if (isObject(child) && Object.keys(child).length === 0) set.add(p);
      else walk(child, p);
    }
  };
  walk(fields, []);
  return set;
}

/** structured-merge-diff's Path.String(): `.spec.containers[name="app"].image`. */
export function formatPath(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const key = JSON.parse(body) as JsonObject;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}

/** Deletes the value at `path` from `obj` (in place). Returns whether something was removed. */
export function removePath(obj: JsonObject, path: FieldPath, schema: NodeSchema): boolean {
  let node: Json = obj;
  let s: NodeSchema = schema;
  for (let i = 0; i < path.length; i++) {
    const pe = path[i] ?? "";
    const last = i === path.length - 1;
    if (pe.startsWith("f:")) {
      if (!isObject(node)) return false;
      const key = pe.slice(2);
      if (!(key in node)) return false;
      if (last) {
        delete node[key];
        return true;
      }
      s = childSchema(s, key);
      node = node[key] as Json;
    } else {
      if (!Array.isArray(node)) return false;
      const lt = isList(s as TypeRef) ? (s as ListType) : undefined;
      const list: Json[] = node;
      const idx = list.findIndex((item, j) => itemElement(lt, item, j) === pe);
      if (idx < 0) return false;
      if (last) {
        list.splice(idx, 1);
        return true;
      }
      s = lt?.list;
      node = list[idx] as Json;
    }
  }
  return false;
}

/** Server-side apply's merge of an applied configuration into the live object. */
export function mergeApplied(live: Json | undefined, config: Json, schema: NodeSchema): Json {
  if (isObject(config) && isObject(live) && !isAtomicScalar(schema) && !isList(schema as TypeRef)) {
    const result: JsonObject = structuredClone(live);
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete result[k];
      else result[k] = mergeApplied(live[k], v, childSchema(schema, k));
    }
    return result;
  }
  if (Array.isArray(config) && Array.isArray(live) && isList(schema as TypeRef)) {
    const lt = schema as ListType;
    if (lt.listType === "set") {
      const result = structuredClone(live);
      for (const v of config) if (!result.some((r) => deepEqual(r, v))) result.push(structuredClone(v));
      return result;
    }
    if (lt.listType === "map") {
      const result = structuredClone(live);
      config.forEach((item, i) => {
        const id = itemElement(lt, item, i);
        const at = result.findIndex((r, j) => itemElement(lt, r, j) === id);
        if (at >= 0) result[at] = mergeApplied(result[at], item, lt.list);
        else result.push(structuredClone(item));
      });
      return result;
    }
  }
  return structuredClone(config);
}
