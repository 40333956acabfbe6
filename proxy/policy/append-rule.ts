// Adding a rule to the policy file (an "always allow" approval). The file is the user's: the edit
// must leave every comment, blank line, quote and indentation as it was. Re-printing the YAML
// Document would normalize its layout, so the Document is used to *find* where the rule goes
// (node ranges), the new text is rendered in the file's own indentation style, and it is spliced
// into the original text. The result is validated as a whole — and checked to contain exactly the
// new rule — before it is written, atomically, under the same lock as other data-dir writers.
import { readFileSync, statSync } from "node:fs";
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../config/atomic-write.js";
import { withFileLock } from "../config/file-lock.js";
import { checkRule, formatFieldPath, MATCH_FIELDS, type RuleSpec } from "./policy-schema.js";
import { compileRule } from "./compile-rule.js";
import { validatePolicyText, type PolicyError } from "./policy-loader.js";
import { PolicyValidationError } from "./policy-engine.js";
import { builtinProfile } from "./builtin-profiles.js";

export interface AppendRuleOptions {
  /** A comment line written above the rule (e.g. who approved it, and when). */
  comment?: string;
}

export interface AppendRuleResult {
  /** The rule's index in the profile's own `rules:` list. */
  index: number;
  /** The name decisions will carry: its id, else rules[N]. */
  name: string;
  /** The new file text. */
  text: string;
}

const NEW_FILE_HEADER = `# Chaperone policy. Edits take effect as soon as the file is saved; an edit with
# errors is reported and the previous policy stays in force.
version: 1
`;

/** Key order of a written rule: what it matches, then what it does. */
const RULE_KEY_ORDER = ["id", ...MATCH_FIELDS, "except", "when", "action", "message", "overrideGuardrail"] as const;

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Style {
  /** Spaces per nesting level. */
  indent: number;
  /** Whether block sequences under a key are indented (`key:\n  - x`) or not (`key:\n- x`). */
  indentSeq: boolean;
}

function column(src: string, offset: number): number {
  return offset - (src.lastIndexOf("\n", offset - 1) + 1);
}

function range(node: unknown): [number, number, number] {
  const r = (node as Node | null)?.range;
  if (!r) throw new Error("the policy file has a layout chaperone cannot edit; add the rule by hand");
  return r;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** The file's own indentation, read from its first nested map and first block sequence under a key. */
function detectStyle(src: string, doc: Document): Style {
  const style: Style = { indent: 2, indentSeq: true };
  let foundIndent = false;
  let foundSeq = false;
  const visit = (node: unknown, parentKeyColumn: number | null) => {
    if (isMap(node) && !node.flow) {
      const first = node.items[0];
      const firstColumn = first?.key ? column(src, range(first.key)[0]) : null;
      if (!foundIndent && parentKeyColumn !== null && firstColumn !== null && firstColumn > parentKeyColumn) {
        style.indent = firstColumn - parentKeyColumn;
        foundIndent = true;
      }
      for (const pair of node.items) {
        if (pair.key && (pair.key as Node).range) visit(pair.value, column(src, range(pair.key)[0]));
      }
    } else if (isSeq(node) && !node.flow) {
      if (!foundSeq && parentKeyColumn !== null && node.range) {
        style.indentSeq = column(src, node.range[0]) > parentKeyColumn;
        foundSeq = true;
      }
      for (const item of node.items) visit(item, null);
    }
  };
  visit(doc.contents, null);
  return style;
}

/**
 * The rule as block-map lines (first level at column 0). Its own lists and maps are written in
 * flow style (`verb: [get, list]`), so the only block sequence is the rules list itself, whose
 * indentation follows the file.
 */
function ruleLines(rule: Record<string, unknown>, style: Style): string[] {
  const doc = new Document(rule);
  visit(doc, {
    Seq(_key, node) {
      node.flow = true;
    },
    Map(_key, node) {
      if (node !== doc.contents) node.flow = true;
    },
  });
  return doc.toString({ indent: style.indent, lineWidth: 0, flowCollectionPadding: false }).replace(/\n$/, "").split("\n");
}

/**
 * `value` (nested maps ending in the rules list holding the new rule) as block YAML whose first
 * level starts at `col`, ending with a newline; `comment` goes on the lines above the rule.
 */
function render(value: unknown, col: number, style: Style, comment: string | undefined): string {
  const pad = " ".repeat(col);
  if (Array.isArray(value)) {
    let out = "";
    for (const item of value as Record<string, unknown>[]) {
      for (const line of comment ? comment.split(/\r?\n/) : []) out += `${pad}# ${line}`.trimEnd() + "\n";
      ruleLines(item, style).forEach((line, i) => {
        out += i === 0 ? `${pad}- ${line}\n` : line === "" ? "\n" : `${pad}  ${line}\n`;
      });
    }
    return out;
  }
  let out = "";
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    out += `${pad}${flowKey(key)}:\n`;
    out += render(child, col + (Array.isArray(child) && !style.indentSeq ? 0 : style.indent), style, comment);
  }
  return out;
}

function flowKey(key: string): string {
  return /^[a-z0-9][a-z0-9._-]*$/.test(key) ? key : JSON.stringify(key);
}

/** Offset where a new line may start after `offset` (the next line), and whether a newline must be added first. */
function lineAfter(src: string, offset: number): { at: number; prefix: string } {
  let at = offset;
  if (at > 0 && src[at - 1] !== "\n") {
    const next = src.indexOf("\n", at);
    at = next < 0 ? src.length : next + 1;
  }
  return { at, prefix: at === src.length && src.length > 0 && !src.endsWith("\n") ? "\n" : "" };
}

/** End of the line `offset` is on (before its newline). */
function lineEnd(src: string, offset: number): number {
  const next = src.indexOf("\n", offset);
  return next < 0 ? src.length : next;
}

/** The closing bracket of a flow collection: new entries go right before it. */
function closingBracket(src: string, node: YAMLMap | YAMLSeq): number {
  const end = range(node)[1];
  const at = src.lastIndexOf(isSeq(node) ? "]" : "}", end - 1);
  if (at < range(node)[0]) throw new Error("the policy file has a layout chaperone cannot edit; add the rule by hand");
  return at;
}

/**
 * The edits that put `item` at the end of the sequence at `chain` (["profiles", P, "rules"]),
 * creating whatever maps and keys along the chain are missing.
 */
function planEdits(src: string, doc: Document, chain: readonly string[], item: unknown, style: Style, comment: string | undefined): Edit[] {
  // What goes under chain[d] when it is missing: a map down to the rules list holding the item.
  const valueFor = (d: number): unknown => (d === chain.length - 1 ? [item] : { [chain[d + 1] as string]: valueFor(d + 1) });

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    const { at, prefix } = lineAfter(src, src.length);
    return [{ start: at, end: at, text: prefix + render({ [chain[0] as string]: valueFor(0) }, 0, style, comment) }];
  }
  let container: unknown = root;
  for (let d = 0; d < chain.length; d++) {
    if (!isMap(container)) throw new Error(`${chain.slice(0, d).join(".") || "the document"} is not a map; add the rule by hand`);
    const key = chain[d] as string;
    const pair = container.items.find((p) => keyOf(p) === key);
    if (!pair) {
      if (container.flow) {
        const at = closingBracket(src, container);
        const comma = container.items.length > 0 ? ", " : "";
        return [{ start: at, end: at, text: `${comma}${flowKey(key)}: ${JSON.stringify(valueFor(d))}` }];
      }
      const last = container.items[container.items.length - 1] as Pair;
      const col = column(src, range(container.items[0]?.key)[0]);
      const { at, prefix } = lineAfter(src, range(last.value ?? last.key)[1]);
      return [{ start: at, end: at, text: prefix + render({ [key]: valueFor(d) }, col, style, comment) }];
    }
    const value = pair.value as Node | null;
    const empty =
      value === null ||
      (isScalar(value) && value.value === null) ||
      ((isMap(value) || isSeq(value)) && value.flow === true && value.items.length === 0);
    if (empty) {
      // `key:` with nothing (or `[]` / `{}`) after it: the new block goes on the lines below it.
      const keyColumn = column(src, range(pair.key)[0]);
      const isList = d === chain.length - 1;
      const col = keyColumn + (isList && !style.indentSeq ? 0 : style.indent);
      const block = render(valueFor(d), col, style, comment).replace(/\n$/, "");
      const edits: Edit[] = [];
      const keyEnd = range(pair.key)[1];
      if (value !== null && (isMap(value) || isSeq(value))) {
        // Drop the `[]` / `{}` and the spaces before it, keeping any comment after it.
        let start = range(value)[0];
        while (start > keyEnd && (src[start - 1] === " " || src[start - 1] === "\t")) start--;
        edits.push({ start, end: range(value)[1], text: "" });
      }
      const end = lineEnd(src, value !== null && value.range ? value.range[1] : keyEnd);
      edits.push({ start: end, end, text: `\n${block}` });
      return edits;
    }
    container = value;
  }
  if (!isSeq(container)) throw new Error(`${chain.join(".")} is not a list; fix the policy file first`);
  if (container.flow) {
    const at = closingBracket(src, container);
    return [{ start: at, end: at, text: `, ${JSON.stringify(item)}` }];
  }
  const col = column(src, range(container)[0]);
  const last = container.items[container.items.length - 1];
  const { at, prefix } = lineAfter(src, range(last)[1]);
  return [{ start: at, end: at, text: prefix + render([item], col, style, comment) }];
}

function applyEdits(src: string, edits: readonly Edit[]): string {
  let out = src;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** The rule with its keys in the canonical order, and nothing undefined. */
function orderedRule(rule: RuleSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of RULE_KEY_ORDER) {
    const value = (rule as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function fail(errors: PolicyError[]): never {
  throw new PolicyValidationError(errors);
}

/**
 * Appends `rule` to `profile`'s rules in the policy file at `path` (creating the file, the
 * profile entry for a built-in, or its `rules:` as needed). Nothing is written unless the
 * resulting file is valid. Throws PolicyValidationError (invalid rule or file) or Error.
 */
export function appendRule(path: string, profile: string, rule: RuleSpec, options: AppendRuleOptions = {}): AppendRuleResult {
  const ruleErrors: PolicyError[] = [];
  const checked = checkRule(rule, [], (p, message) => ruleErrors.push({ file: "rule", line: 1, column: 1, field: formatFieldPath(p), message }));
  if (!checked) fail(ruleErrors);
  const compiled = compileRule(checked, { profile, name: "new", source: "policy-file", location: null });
  if ("celError" in compiled) fail([{ file: "rule", line: 1, column: 1, field: "when", message: compiled.celError }]);
  const item = orderedRule(checked);

  return withFileLock(`${path}.lock`, () => {
    let src: string;
    let mode = 0o600;
    try {
      src = readFileSync(path, "utf8");
      mode = statSync(path).mode & 0o777;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      src = NEW_FILE_HEADER;
    }
    const before = validatePolicyText(src, path);
    if (!before.ok) fail(before.errors);
    if (!builtinProfile(profile) && before.spec.profiles?.[profile] === undefined) {
      throw new Error(`there is no profile "${profile}" (neither built in nor in ${path})`);
    }
    const doc = parseDocument(src, { uniqueKeys: true });
    const edits = planEdits(src, doc, ["profiles", profile, "rules"], item, detectStyle(src, doc), options.comment);
    const text = applyEdits(src, edits);

    const after = validatePolicyText(text, path);
    if (!after.ok) fail(after.errors);
    const rules = after.spec.profiles?.[profile]?.rules ?? [];
    const index = rules.length - 1;
    const previous = before.spec.profiles?.[profile]?.rules?.length ?? 0;
    if (index !== previous || !isDeepStrictEqual(rules[index], checked)) {
      throw new Error("chaperone could not add the rule without disturbing the policy file; add it by hand");
    }
    writeFileAtomic(path, text, mode);
    return { index, name: checked.id ?? `rules[${index}]`, text };
  });
}
