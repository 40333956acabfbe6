// Label and field selectors with the apiserver's grammar and error messages.
// Labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma = AND.
// Fields: `a=b`, `a==b`, `a!=b` (backslash escapes `\,` `\=` `\\`), over the per-kind selectable fields;
// asking for a field the kind does not publish is 400 like the real server.
import { badRequest } from "./status.js";
import { getPath, isObject, str, type JsonObject } from "./json.js";

export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseError(detail: string): Error {
  return badRequest(`unable to parse requirement: ${detail}`);
}

function checkKey(key: string): void {
  if (!KEY_RE.test(key)) {
    throw parseError(
      `<nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
}

function checkValue(value: string): void {
  if (value.length > 63 || !VALUE_RE.test(value)) {
    throw parseError(
      `values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

/** Splits on commas that are not inside a parenthesised value set. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

export function parseLabelSelector(selector: string | null | undefined): LabelSelector {
  if (!selector || selector.trim() === "") return [];
  const requirements: LabelSelector = [];
  for (const part of splitRequirements(selector)) {
    if (part === "") throw badRequest(`found '', expected: identifier`);
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^!\s*(\S+)$/))) {
      checkKey(m[1] ?? "");
      requirements.push({ key: m[1] ?? "", operator: "!", values: [] });
    } else if ((m = part.match(/^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const key = m[1] ?? "";
      checkKey(key);
      const values = (m[3] ?? "").split(",").map((v) => v.trim());
      if (values.length === 1 && values[0] === "" && m[2] === "in") {
        throw parseError(`values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`);
      }
      values.forEach(checkValue);
      requirements.push({ key, operator: m[2] as "in" | "notin", values });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*([^=!<>\s]*)$/))) {
      const key = m[1] ?? "";
      checkKey(key);
      checkValue(m[3] ?? "");
      requirements.push({ key, operator: m[2] === "!=" ? "!=" : "=", values: [m[3] ?? ""] });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*(>|<)\s*(\S+)$/))) {
      const key = m[1] ?? "";
      checkKey(key);
      if (!/^-?\d+$/.test(m[3] ?? "")) throw parseError(`values[0]: Invalid value: "${m[3]}": for 'Gt', 'Lt' operators, the value must be an integer`);
      requirements.push({ key, operator: m[2] === ">" ? "gt" : "lt", values: [m[3] ?? ""] });
    } else if ((m = part.match(/^([^=!<>\s(),]+)$/))) {
      checkKey(m[1] ?? "");
      requirements.push({ key: m[1] ?? "", operator: "exists", values: [] });
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return requirements;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, unknown> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const value = has ? str(l[r.key]) : undefined;
    switch (r.operator) {
      case "=":
        return has && value === r.values[0];
      case "!=":
        return !has || value !== r.values[0];
      case "in":
        return has && r.values.includes(value ?? "");
      case "notin":
        return !has || !r.values.includes(value ?? "");
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
        return has && /^-?\d+$/.test(value ?? "") && Number(value) > Number(r.values[0]);
      case "lt":
        return has && /^-?\d+$/.test(value ?? "") && Number(value) < Number(r.values[0]);
    }
    return false;
  });
}

/** Converts a LabelSelector object (matchLabels/matchExpressions) into requirements. */
export function labelSelectorFromObject(selector: unknown): LabelSelector {
  if (!isObject(selector)) return [];
  const out: LabelSelector = [];
  const matchLabels = selector["matchLabels"];
  if (isObject(matchLabels)) for (const [k, v] of Object.entries(matchLabels)) out.push({ key: k, operator: "=", values: [str(v)] });
  const exprs = selector["matchExpressions"];
  if (Array.isArray(exprs)) {
    for (const e of exprs) {
      if (!isObject(e)) continue;
      const op = str(e["operator"]);
      const values = Array.isArray(e["values"]) ? e["values"].map(str) : [];
      const operator: LabelOperator = op === "In" ? "in" : op === "NotIn" ? "notin" : op === "Exists" ? "exists" : "!";
      out.push({ key: str(e["key"]), operator, values });
    }
  }
  return out;
}

/** Renders a selector back to the canonical string form (used in Scale status and printing). */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector
    .map((r) => {
      switch (r.operator) {
        case "=":
          return `${r.key}=${r.values[0]}`;
        case "!=":
          return `${r.key}!=${r.values[0]}`;
        case "in":
          return `${r.key} in (${r.values.join(",")})`;
        case "notin":
          return `${r.key} notin (${r.values.join(",")})`;
        case "exists":
          return r.key;
        case "!":
          return `!${r.key}`;
        case "gt":
          return `${r.key}>${r.values[0]}`;
        case "lt":
          return `${r.key}<${r.values[0]}`;
      }
      return "";
    })
    .join(",");
}

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

function splitUnescaped(input: string, sep: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? "";
    if (ch === "\\" && i + 1 < input.length) {
      current += ch + (input[i + 1] ?? "");
      i++;
    } else if (ch === sep) {
      out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

function unescapeFieldValue(v: string): string {
  return v.replace(/\\(.)/g, "$1");
}

export function parseFieldSelector(selector: string | null | undefined): FieldRequirement[] {
  if (!selector || selector.trim() === "") return [];
  return splitUnescaped(selector, ",").map((part) => {
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const op = m[2] === "!=" ? "!=" : "=";
    return { field: (m[1] ?? "").trim(), operator: op, value: unescapeFieldValue(m[3] ?? "") };
  });
}

type FieldExtractor = (obj: JsonObject) => Record<string, string>;

const common = (obj: JsonObject): Record<string, string> => ({
  "metadata.name": str(getPath(obj, ["metadata", "name"])),
  "metadata.namespace": str(getPath(obj, ["metadata", "namespace"])),
});

/** Selectable fields per storage key (`group/resource`), mirroring each registry's GetAttrs. */
const FIELD_SETS: Record<string, FieldExtractor> = {
  "/pods": (o) => ({
    ...common(o),
    "spec.nodeName": str(getPath(o, ["spec", "nodeName"])),
    "spec.restartPolicy": str(getPath(o, ["spec", "restartPolicy"])),
    "spec.schedulerName": str(getPath(o, ["spec", "schedulerName"])),
    "spec.serviceAccountName": str(getPath(o, ["spec", "serviceAccountName"])),
    "spec.hostNetwork": String(getPath(o, ["spec", "hostNetwork"]) === true),
    "status.phase": str(getPath(o, ["status", "phase"])),
    "status.podIP": str(getPath(o, ["status", "podIP"])),
    "status.nominatedNodeName": str(getPath(o, ["status", "nominatedNodeName"])),
  }),
  "/secrets": (o) => ({ ...common(o), type: str(o["type"]) }),
  "/namespaces": (o) => ({ ...common(o), "status.phase": str(getPath(o, ["status", "phase"])) }),
  "/nodes": (o) => ({ ...common(o), "spec.unschedulable": String(getPath(o, ["spec", "unschedulable"]) === true) }),
  "/events": (o) => ({
    ...common(o),
    "involvedObject.kind": str(getPath(o, ["involvedObject", "kind"])),
    "involvedObject.namespace": str(getPath(o, ["involvedObject", "namespace"])),
    "involvedObject.name": str(getPath(o, ["involvedObject", "name"])),
    "involvedObject.uid": str(getPath(o, ["involvedObject", "uid"])),
    "involvedObject.apiVersion": str(getPath(o, ["involvedObject", "apiVersion"])),
    "involvedObject.resourceVersion": str(getPath(o, ["involvedObject", "resourceVersion"])),
    "involvedObject.fieldPath": str(getPath(o, ["involvedObject", "fieldPath"])),
    reason: str(o["reason"]),
    reportingComponent: str(o["reportingComponent"]),
    source: str(getPath(o, ["source", "component"])),
    type: str(o["type"]),
  }),
  "apps/replicasets": (o) => ({ ...common(o), "status.replicas": String(getPath(o, ["status", "replicas"]) ?? 0) }),
};

export function selectableFields(storageKey: string, obj: JsonObject): Record<string, string> {
  return (FIELD_SETS[storageKey] ?? common)(obj);
}

/** Rejects fields the kind does not publish, with the server's message. */
export function validateFieldSelector(storageKey: string, requirements: FieldRequirement[]): void {
  const known = selectableFields(storageKey, { metadata: {} } as JsonObject);
  for (const r of requirements) {
    if (!(r.field in known)) throw badRequest(`field label not supported: ${r.field}`);
  }
}

export function matchesFields(requirements: FieldRequirement[], fields: Record<string, string>): boolean {
  return requirements.every((r) => {
    const value = fields[r.field] ?? "";
    return r.operator === "=" ? value === r.value : value !== r.value;
  });
}
