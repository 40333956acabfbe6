// Reading policy.yaml: YAML syntax, then the schema, then compilation (CEL, extends), every
// problem reported with the file, line, column and field it is about. A missing file is not an
// error: it means the built-in profiles alone.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { checkPolicy, formatFieldPath, type FieldPath, type PolicySpec } from "./policy-schema.js";
import { builtinPolicy, compilePolicy, type CompiledPolicy } from "./compile-policy.js";
import { BUILTIN_PROFILE_NAMES } from "./builtin-profiles.js";

export interface PolicyError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The field at fault, as a path: `profiles.dev.rules[2].verb`; "" for syntax errors. */
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; policy: CompiledPolicy; spec: PolicySpec } | { ok: false; errors: PolicyError[] };

/** "policy.yaml:12:7 profiles.dev.rules[2].verb: unknown verb …" */
export function formatPolicyError(error: PolicyError): string {
  return `${error.file}:${error.line}:${error.column}${error.field ? ` ${error.field}` : ""}: ${error.message}`;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).trim();
}

/** The source offset of the node at `path` (or of its key), or of the deepest node found on the way. */
function offsetOf(doc: Document, path: FieldPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const part = path[i];
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(part));
      if (!pair) return offset;
      const key = pair.key as Node | null;
      if (i === path.length - 1 && atKey && key?.range) return key.range[0];
      const value = pair.value as Node | null;
      // `field:` with no value: point at the key.
      node = value ?? key;
      offset = (value?.range ?? key?.range)?.[0] ?? offset;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      if (!item?.range) return offset;
      node = item;
      offset = item.range[0];
    } else {
      return offset;
    }
  }
  return offset;
}

export function validatePolicyText(text: string, fileName: string): ValidationResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors: PolicyError[] = [];
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: Math.max(pos.line, 1), column: Math.max(pos.col, 1) };
  };
  for (const error of doc.errors) {
    errors.push({ file: fileName, ...at(error.pos[0]), field: "", message: `YAML: ${firstLine(error.message)}` });
  }
  if (errors.length > 0) return { ok: false, errors };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, errors: [{ file: fileName, line: 1, column: 1, field: "", message: `YAML: ${firstLine((error as Error).message)}` }] };
  }
  const report = (path: FieldPath, message: string, atKey = false) => {
    errors.push({ file: fileName, ...at(offsetOf(doc, path, atKey)), field: formatFieldPath(path), message });
  };
  const spec = checkPolicy(value, report, BUILTIN_PROFILE_NAMES);
  const shortName = basename(fileName);
  const location = (path: FieldPath) => {
    const { line, column } = at(offsetOf(doc, path, false));
    return `${shortName}:${line}:${column}`;
  };
  const policy = compilePolicy(spec, fileName, report, location);
  if (errors.length > 0) {
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors };
  }
  return { ok: true, policy, spec };
}

export type LoadResult = (ValidationResult & { text: string | null }) ;

/** Reads and validates the policy file; a missing file is the built-in profiles alone. */
export function loadPolicyFile(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, policy: builtinPolicy(), spec: {}, text: null };
    return { ok: false, errors: [{ file: path, line: 1, column: 1, field: "", message: `cannot read the policy file: ${(error as Error).message}` }], text: null };
  }
  return { ...validatePolicyText(text, path), text };
}
