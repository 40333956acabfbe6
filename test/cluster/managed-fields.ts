// metadata.managedFields bookkeeping and server-side apply, following the apiserver's fieldmanager:
// - every write records which fields its manager set ("Update" operation): fields it added or changed
//   become its own and leave other managers; removed fields leave everyone;
// - an apply ("Apply" operation) owns exactly the fields of its configuration, merges them into the live
//   object, prunes fields it applied before but no longer does (unless someone else owns them), and fails
//   with a 409 listing every field another manager owns whose value it would change, unless forced.
import { ApiError } from "./status.js";
import { isObject, str, type Json, type JsonObject } from "./json.js";
import { compare, decodeFieldsV1, encodeFieldsV1, FieldSet, formatPath, mergeApplied, removePath, toFieldSet, type NodeSchema } from "./field-set.js";

export interface ManagerState {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  subresource?: string;
  set: FieldSet;
}

/** Fields the server owns itself and never attributes to a manager (fieldmanager's strip set). */
const STRIPPED_EXACT: string[][] = [["f:metadata"]];
const STRIPPED_RECURSIVE: string[][] = [
  ["f:apiVersion"],
  ["f:kind"],
  ["f:metadata", "f:name"],
  ["f:metadata", "f:namespace"],
  ["f:metadata", "f:creationTimestamp"],
  ["f:metadata", "f:selfLink"],
  ["f:metadata", "f:uid"],
  ["f:metadata", "f:generation"],
  ["f:metadata", "f:managedFields"],
  ["f:metadata", "f:resourceVersion"],
  ["f:metadata", "f:deletionTimestamp"],
  ["f:metadata", "f:deletionGracePeriodSeconds"],
];

function strip(set: FieldSet, resetStatus: boolean): FieldSet {
  let s = set;
  for (const p of STRIPPED_EXACT) s = s.without(p, false);
  for (const p of STRIPPED_RECURSIVE) s = s.without(p, true);
  if (resetStatus) s = s.without(["f:status"], true);
  return s;
}

function identity(m: Pick<ManagerState, "manager" | "operation" | "subresource">): string {
  return `${m.manager}\u0000${m.operation}\u0000${m.subresource ?? ""}`;
}

export function decodeManagedFields(obj: JsonObject): ManagerState[] {
  const entries = isObject(obj["metadata"]) ? obj["metadata"]["managedFields"] : undefined;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isObject).map((e) => {
    const state: ManagerState = {
      manager: str(e["manager"]),
      operation: e["operation"] === "Apply" ? "Apply" : "Update",
      apiVersion: str(e["apiVersion"]),
      time: str(e["time"]),
      set: decodeFieldsV1(e["fieldsV1"]),
    };
    if (typeof e["subresource"] === "string" && e["subresource"]) state.subresource = e["subresource"];
    return state;
  });
}

export function encodeManagedFields(managers: ManagerState[]): JsonObject[] {
  return managers
    .filter((m) => m.set.size > 0)
    .slice()
    .sort(
      (p, q) =>
        p.operation.localeCompare(q.operation) ||
        Date.parse(p.time) - Date.parse(q.time) ||
        p.manager.localeCompare(q.manager) ||
        p.apiVersion.localeCompare(q.apiVersion) ||
        (p.subresource ?? "").localeCompare(q.subresource ?? ""),
    )
    .map((m) => {
      const entry: JsonObject = {
        manager: m.manager,
        operation: m.operation,
        apiVersion: m.apiVersion,
        time: m.time,
        fieldsType: "FieldsV1",
        fieldsV1: encodeFieldsV1(m.set),
      };
      if (m.subresource) entry["subresource"] = m.subresource;
      return entry;
    });
}

export interface WriteContext {
  manager: string;
  apiVersion: string;
  schema: NodeSchema;
  subresource?: string;
  /** Status is reset on the main resource, so it is not attributed there (and vice versa). */
  resetStatus: boolean;
  now: string;
}

function withoutManagedFields(obj: Json): Json {
  if (!isObject(obj) || !isObject(obj["metadata"])) return obj;
  const { managedFields: _m, ...metadata } = obj["metadata"];
  return { ...obj, metadata };
}

function applyConflictError(conflicts: { manager: ManagerState; paths: FieldSet }[]): ApiError {
  const describe = (m: ManagerState) => (m.operation === "Update" ? `"${m.manager}" using ${m.apiVersion}` : `"${m.manager}"`);
  const all = conflicts.flatMap((c) => c.paths.paths().map((p) => ({ manager: c.manager, path: formatPath(p) })));
  all.sort((a, b) => a.path.localeCompare(b.path));
  let message: string;
  const first = all[0];
  if (all.length === 1 && first) {
    message = `conflict with ${describe(first.manager)}: ${first.path}`;
  } else {
    const lines: string[] = [];
    for (const c of [...conflicts].sort((a, b) => a.manager.manager.localeCompare(b.manager.manager))) {
      lines.push(`conflicts with ${describe(c.manager)}:`);
      for (const p of c.paths.paths().map(formatPath).sort()) lines.push(`- ${p}`);
    }
    message = lines.join("\n");
  }
  return new ApiError(409, "Conflict", `Apply failed with ${all.length} conflict${all.length === 1 ? "" : "s"}: ${message}`, {
    causes: all.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describe(c.manager)}`, field: c.path })),
  });
}

/**
 * The managers after a non-apply write of `after` over `before` (before is {} on create).
 * Managed fields the client sent explicitly win over the live ones, as with the real server.
 */
export function managersAfterUpdate(before: JsonObject, after: JsonObject, ctx: WriteContext): ManagerState[] {
  const sent = decodeManagedFields(after);
  const managers = sent.length > 0 ? sent : decodeManagedFields(before);
  const cmp = compare(withoutManagedFields(before), withoutManagedFields(after), ctx.schema);
  const changed = strip(cmp.added.union(cmp.modified), ctx.resetStatus);
  const removed = cmp.removed;
  const self = { manager: ctx.manager, operation: "Update" as const, subresource: ctx.subresource };
  const result: ManagerState[] = [];
  let mine: ManagerState | undefined;
  for (const m of managers) {
    if (identity(m) === identity(self)) {
      mine = m;
      continue;
    }
    result.push({ ...m, set: m.set.difference(changed).difference(removed) });
  }
  const mySet = (mine?.set ?? new FieldSet()).difference(removed).union(changed);
  const entry: ManagerState = {
    ...self,
    apiVersion: ctx.apiVersion,
    time: changed.size > 0 || !mine ? ctx.now : mine.time,
    set: mySet,
  };
  if (!ctx.subresource) delete entry.subresource;
  result.push(entry);
  return result.filter((m) => m.set.size > 0);
}

/** Server-side apply of `config` onto `live` (undefined on create). Returns the merged object and managers. */
export function serverSideApply(
  live: JsonObject | undefined,
  config: JsonObject,
  ctx: WriteContext & { force: boolean },
): { object: JsonObject; managers: ManagerState[] } {
  const base: JsonObject = live ? (withoutManagedFields(live) as JsonObject) : {};
  const applied = structuredClone(config);
  if (ctx.resetStatus) delete applied["status"];
  let merged = mergeApplied(base, applied, ctx.schema) as JsonObject;
  const configSet = strip(toFieldSet(applied, ctx.schema), ctx.resetStatus);
  const managers = live ? decodeManagedFields(live) : [];
  const self = { manager: ctx.manager, operation: "Apply" as const, subresource: ctx.subresource };
  const previous = managers.find((m) => identity(m) === identity(self));
  const others = managers.filter((m) => identity(m) !== identity(self));

  // Prune what this manager applied last time and no longer applies, unless another manager still owns it.
  if (previous) {
    const dropped = previous.set.difference(configSet);
    const ownedElsewhere = others.reduce((acc, m) => acc.union(m.set), new FieldSet());
    const ordered = dropped.paths().sort((a, b) => b.length - a.length);
    for (const path of ordered) {
      if (ownedElsewhere.coversOrBelow(path) || configSet.coversOrBelow(path)) continue;
      removePath(merged, path, ctx.schema);
    }
  }

  const cmp = compare(base, merged, ctx.schema);
  const changed = cmp.added.union(cmp.modified);
  const conflicts: { manager: ManagerState; paths: FieldSet }[] = [];
  for (const m of others) {
    const overlap = m.set.intersection(changed).intersection(configSet);
    if (overlap.size > 0) conflicts.push({ manager: m, paths: overlap });
  }
  if (conflicts.length > 0 && !ctx.force) throw applyConflictError(conflicts);
  const result: ManagerState[] = others.map((m) => {
    const lost = conflicts.find((c) => c.manager === m)?.paths ?? new FieldSet();
    return { ...m, set: m.set.difference(lost).difference(cmp.removed) };
  });
  const entry: ManagerState = { ...self, apiVersion: ctx.apiVersion, time: ctx.now, set: configSet };
  if (!ctx.subresource) delete entry.subresource;
  result.push(entry);
  merged = merged as JsonObject;
  return { object: merged, managers: result.filter((m) => m.set.size > 0) };
}
