// The policy file format (policy.yaml), and its structural validation. Validation runs on plain
// values (the YAML already converted) and reports each problem with the path of the field at
// fault; the loader turns that path back into a file, line and column. Keeping this layer free of
// YAML lets the same checks validate rules that do not come from a file (appendRule, grants).
import { ACTIONS, type Action } from "./policy-types.js";
import { globProblem, GlobSet } from "./glob.js";
import { GUARDRAIL_NAMES } from "./guardrails/index.js";
import { MASKING_FLAGS, type MaskingSpec } from "../masking/masking-settings.js";
import { BUILTIN_DETECTOR_NAMES, compileDetector, DETECTOR_NAME, type DetectorSpec } from "../masking/detectors.js";

export const MATCH_FIELDS = ["agent", "run", "verb", "apiGroup", "resource", "subresource", "namespace", "name", "path"] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/** Each field is one glob or a list of globs (any may match); an absent field matches any value. */
export type MatchSpec = { [F in MatchField]?: string | string[] };

export interface RuleSpec extends MatchSpec {
  /** Names the rule in decisions, the audit log and approval prompts. Default: `rules[N]`. */
  id?: string;
  /** A CEL expression over `request`, `object` and `exec`; the rule matches only when it is true. */
  when?: string;
  /** The rule does not match a request that any of these matches. */
  except?: MatchSpec[];
  action: Action;
  /** deny: what the agent reads; ask: what the approver reads. */
  message?: string;
  /** allow only: the guardrail(s) this rule may override (when the profile's guardrails ask). */
  overrideGuardrail?: string | string[];
  /** allow only: the responses to the requests this rule allows are not masked (each one is audited). */
  reveal?: boolean;
}

export type GuardrailAction = "ask" | "deny";

export interface ProfileSpec {
  description?: string;
  /** A built-in or another profile of the file, whose rules come first. */
  extends?: string;
  /** What happens when no rule matches. Default: the extended profile's, else `ask`. */
  default?: Action;
  /** What a tripped guardrail does. Default: the extended profile's, else `ask`. Can only be tightened. */
  guardrails?: GuardrailAction;
  /** What is masked for agents with this profile (default: everything; inherited through `extends`). */
  masking?: MaskingSpec;
  rules?: RuleSpec[];
}

export interface PolicySpec {
  version?: 1;
  profiles?: Record<string, ProfileSpec>;
}

/** Every verb a request can carry: Kubernetes' resource verbs (plus chaperone's streaming ones) and HTTP verbs for non-resource paths. */
export const KNOWN_VERBS = [
  "get",
  "list",
  "watch",
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
  "exec",
  "attach",
  "portforward",
  "proxy",
  "head",
  "post",
  "put",
  "options",
] as const;

const RULE_FIELDS = ["id", ...MATCH_FIELDS, "when", "except", "action", "message", "overrideGuardrail", "reveal"] as const;
const PROFILE_FIELDS = ["description", "extends", "default", "guardrails", "masking", "rules"] as const;
const MASKING_FIELDS = [...MASKING_FLAGS, "detectors", "disableDetectors"] as const;
const DETECTOR_FIELDS = ["name", "pattern", "description", "ignoreCase"] as const;
const TOP_FIELDS = ["version", "profiles"] as const;
/** A profile named like a built-in amends it: it may only add rules, never change what the built-in promises. */
const AMENDMENT_FIELDS = ["description", "rules"] as const;

export const PROFILE_NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

export type FieldPath = readonly (string | number)[];

export interface SchemaProblem {
  path: FieldPath;
  message: string;
  /** True when the problem is the key itself (an unknown field), not its value. */
  atKey: boolean;
}

export type Report = (path: FieldPath, message: string, atKey?: boolean) => void;

/** `profiles.dev.rules[2].verb` */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "number") return `a number (${value}; quote it to make it a string)`;
  if (typeof value === "boolean") return `a boolean (${value}; quote it to make it a string)`;
  return `a ${typeof value}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function unknownField(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const close = known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => editDistance(k.toLowerCase(), lower) <= 2);
  const hint = close ? ` (did you mean "${close}"?)` : "";
  return `unknown field "${key}"${hint}; known fields: ${known.join(", ")}`;
}

function checkKeys(value: Record<string, unknown>, known: readonly string[], path: FieldPath, report: Report): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) report([...path, key], unknownField(key, known), true);
  }
}

function checkString(value: unknown, path: FieldPath, report: Report, what = "a string"): value is string {
  if (typeof value === "string") return true;
  report(path, `expected ${what}, got ${describeType(value)}`);
  return false;
}

function checkAction(value: unknown, path: FieldPath, report: Report): value is Action {
  if (typeof value === "string" && (ACTIONS as readonly string[]).includes(value)) return true;
  report(path, `unknown action ${JSON.stringify(value)}: use allow, deny or ask`);
  return false;
}

/** Field-specific checks on one glob; returns a problem or undefined. */
function patternProblem(field: MatchField, pattern: string): string | undefined {
  const generic = globProblem(pattern);
  if (generic) return `bad glob ${JSON.stringify(pattern)}: ${generic}`;
  switch (field) {
    case "verb": {
      const set = new GlobSet([pattern]);
      if (!KNOWN_VERBS.some((verb) => set.matches(verb))) {
        return `unknown verb ${JSON.stringify(pattern)}: verbs are ${KNOWN_VERBS.join(", ")}`;
      }
      return undefined;
    }
    case "apiGroup":
      if (pattern === "core") return 'the core API group is "" (an empty string), not "core"';
      if (pattern.includes("/")) return `${JSON.stringify(pattern)} contains "/": apiGroup is the group without its version (e.g. "apps", "" for core)`;
      break;
    case "resource":
      if (pattern.includes("/")) {
        return `${JSON.stringify(pattern)} contains "/": put the subresource in its own field (resource: ${pattern.split("/")[0]}, subresource: ${pattern.split("/").slice(1).join("/")})`;
      }
      break;
    case "subresource":
      if (pattern.includes("/")) return `${JSON.stringify(pattern)} contains "/"; a subresource is one path segment`;
      break;
    case "path":
      if (!pattern.startsWith("/") && !pattern.startsWith("*")) return `${JSON.stringify(pattern)} must start with "/" (a non-resource URL path such as /version)`;
      return undefined;
    default:
      break;
  }
  if ((field === "apiGroup" || field === "resource" || field === "subresource" || field === "namespace" || field === "agent") && pattern !== pattern.toLowerCase()) {
    const example = field === "resource" ? " (resources are lower-case plurals: pods, deployments)" : "";
    return `${JSON.stringify(pattern)} has upper-case letters and would never match: ${field} values are lower-case${example}`;
  }
  return undefined;
}

function checkMatchFields(value: Record<string, unknown>, path: FieldPath, report: Report): MatchSpec {
  const out: MatchSpec = {};
  for (const field of MATCH_FIELDS) {
    if (!(field in value)) continue;
    const raw = value[field];
    const fieldPath = [...path, field];
    const patterns: string[] = [];
    if (typeof raw === "string") patterns.push(raw);
    else if (Array.isArray(raw)) {
      if (raw.length === 0) {
        report(fieldPath, `an empty list matches nothing; remove "${field}" to match any value`);
        continue;
      }
      raw.forEach((item, i) => {
        if (checkString(item, [...fieldPath, i], report)) patterns.push(item);
      });
      if (patterns.length !== raw.length) continue;
    } else {
      report(fieldPath, `expected a glob or a list of globs, got ${describeType(raw)}`);
      continue;
    }
    let ok = true;
    patterns.forEach((pattern, i) => {
      const problem = patternProblem(field, pattern);
      if (problem) {
        report(typeof raw === "string" ? fieldPath : [...fieldPath, i], problem);
        ok = false;
      }
    });
    if (ok) out[field] = typeof raw === "string" ? raw : patterns;
  }
  if (out.path !== undefined) {
    for (const field of ["apiGroup", "resource", "subresource", "namespace", "name"] as const) {
      if (field in value) {
        report([...path, "path"], `"path" matches only non-resource requests (such as /version) and cannot be combined with "${field}"`);
        break;
      }
    }
  }
  return out;
}

/** Validates one rule; returns it when it is structurally sound (CEL is compiled later). */
export function checkRule(value: unknown, path: FieldPath, report: Report): RuleSpec | undefined {
  if (!isMap(value)) {
    report(path, `expected a rule (a map with at least "action"), got ${describeType(value)}`);
    return undefined;
  }
  let problems = 0;
  const count: Report = (p, m, k) => {
    problems++;
    report(p, m, k);
  };
  checkKeys(value, RULE_FIELDS, path, count);
  const match = checkMatchFields(value, path, count);
  const rule: RuleSpec = { ...match, action: "deny" };
  if ("id" in value && checkString(value.id, [...path, "id"], count)) {
    if (value.id === "" || /[\u0000-\u001f\u007f]/.test(value.id)) count([...path, "id"], "a rule id must be non-empty printable text");
    else rule.id = value.id;
  }
  if ("when" in value && checkString(value.when, [...path, "when"], count, "a CEL expression (a string)")) {
    if (value.when.trim() === "") count([...path, "when"], "an empty `when:` condition; remove it to match unconditionally");
    else rule.when = value.when;
  }
  if ("message" in value && checkString(value.message, [...path, "message"], count)) rule.message = value.message;
  if (!("action" in value)) count(path, 'missing "action" (allow, deny or ask)');
  else if (checkAction(value.action, [...path, "action"], count)) rule.action = value.action;
  if ("except" in value) {
    const except = value.except;
    if (!Array.isArray(except) || except.length === 0) count([...path, "except"], `expected a non-empty list of matches, got ${describeType(except)}`);
    else {
      rule.except = [];
      except.forEach((entry, i) => {
        const entryPath = [...path, "except", i];
        if (!isMap(entry) || Object.keys(entry).length === 0) {
          count(entryPath, `expected a match (a map of ${MATCH_FIELDS.join(", ")}), got ${describeType(entry)}`);
          return;
        }
        checkKeys(entry, MATCH_FIELDS, entryPath, count);
        rule.except?.push(checkMatchFields(entry, entryPath, count));
      });
    }
  }
  if ("overrideGuardrail" in value) {
    const raw = value.overrideGuardrail;
    const names = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : undefined;
    const fieldPath = [...path, "overrideGuardrail"];
    if (!names || names.length === 0) count(fieldPath, `expected a guardrail name or a list of them, got ${describeType(raw)}`);
    else {
      names.forEach((name, i) => {
        const at = typeof raw === "string" ? fieldPath : [...fieldPath, i];
        if (!checkString(name, at, count)) return;
        if (!(GUARDRAIL_NAMES as readonly string[]).includes(name)) count(at, `unknown guardrail ${JSON.stringify(name)}: guardrails are ${GUARDRAIL_NAMES.join(", ")}`);
      });
      if (rule.action !== "allow" && value.action !== undefined) count(fieldPath, "overrideGuardrail only makes sense on an allow rule");
      rule.overrideGuardrail = names.filter((n): n is string => typeof n === "string");
    }
  }
  if ("reveal" in value) {
    const fieldPath = [...path, "reveal"];
    if (typeof value.reveal !== "boolean") count(fieldPath, `expected true or false, got ${describeType(value.reveal)}`);
    else if (value.reveal && rule.action !== "allow" && value.action !== undefined) count(fieldPath, "reveal only makes sense on an allow rule (it lets the allowed responses through unmasked)");
    else if (value.reveal) rule.reveal = true;
  }
  return problems === 0 ? rule : undefined;
}

/** Validates a profile's `masking:` block (false/true, or a map of switches and detectors). */
export function checkMasking(value: unknown, path: FieldPath, report: Report): MaskingSpec | undefined {
  if (typeof value === "boolean") return value;
  if (!isMap(value)) {
    report(path, `expected true, false or a map of ${MASKING_FIELDS.join(", ")}, got ${describeType(value)}`);
    return undefined;
  }
  let problems = 0;
  const count: Report = (p, m, k) => {
    problems++;
    report(p, m, k);
  };
  checkKeys(value, MASKING_FIELDS, path, count);
  const spec: Exclude<MaskingSpec, boolean> = {};
  for (const flag of MASKING_FLAGS) {
    if (!(flag in value)) continue;
    const flagValue = value[flag];
    if (typeof flagValue !== "boolean") count([...path, flag], `expected true or false, got ${describeType(flagValue)}`);
    else spec[flag] = flagValue;
  }
  if ("detectors" in value) {
    const list = value.detectors;
    if (!Array.isArray(list)) count([...path, "detectors"], `expected a list of detectors (name, pattern), got ${describeType(list)}`);
    else {
      const names = new Set<string>();
      spec.detectors = [];
      list.forEach((raw, i) => {
        const at = [...path, "detectors", i];
        if (!isMap(raw)) {
          count(at, `expected a detector (a map with name and pattern), got ${describeType(raw)}`);
          return;
        }
        checkKeys(raw, DETECTOR_FIELDS, at, count);
        const detector: Partial<DetectorSpec> = {};
        if (!("name" in raw)) count(at, 'missing "name"');
        else if (checkString(raw.name, [...at, "name"], count)) {
          if (!DETECTOR_NAME.test(raw.name)) count([...at, "name"], `invalid detector name ${JSON.stringify(raw.name)}: use lower-case letters, digits and '-'`);
          else if (BUILTIN_DETECTOR_NAMES.includes(raw.name)) count([...at, "name"], `${JSON.stringify(raw.name)} is a built-in detector; name yours differently (built-ins can be turned off with disableDetectors)`);
          else if (names.has(raw.name)) count([...at, "name"], `duplicate detector name ${JSON.stringify(raw.name)}`);
          else {
            names.add(raw.name);
            detector.name = raw.name;
          }
        }
        if (!("pattern" in raw)) count(at, 'missing "pattern" (a regular expression)');
        else if (checkString(raw.pattern, [...at, "pattern"], count, "a regular expression (a string)")) detector.pattern = raw.pattern;
        if ("description" in raw && checkString(raw.description, [...at, "description"], count)) detector.description = raw.description;
        if ("ignoreCase" in raw) {
          if (typeof raw.ignoreCase !== "boolean") count([...at, "ignoreCase"], `expected true or false, got ${describeType(raw.ignoreCase)}`);
          else detector.ignoreCase = raw.ignoreCase;
        }
        if (detector.name !== undefined && detector.pattern !== undefined) {
          const compiled = compileDetector(detector as DetectorSpec);
          if (typeof compiled === "string") count([...at, "pattern"], compiled);
          else spec.detectors?.push(detector as DetectorSpec);
        }
      });
    }
  }
  if ("disableDetectors" in value) {
    const list = value.disableDetectors;
    if (!Array.isArray(list)) count([...path, "disableDetectors"], `expected a list of detector names, got ${describeType(list)}`);
    else {
      spec.disableDetectors = [];
      list.forEach((name, i) => {
        if (checkString(name, [...path, "disableDetectors", i], count)) spec.disableDetectors?.push(name);
      });
    }
  }
  return problems === 0 ? spec : undefined;
}

function checkProfile(name: string, value: unknown, path: FieldPath, report: Report, builtinNames: readonly string[]): ProfileSpec | undefined {
  if (value === null || value === undefined) return {};
  if (!isMap(value)) {
    report(path, `expected a profile (a map with rules, extends, default, guardrails), got ${describeType(value)}`);
    return undefined;
  }
  const amendment = builtinNames.includes(name);
  if (amendment) {
    for (const key of Object.keys(value)) {
      if ((AMENDMENT_FIELDS as readonly string[]).includes(key)) continue;
      if ((PROFILE_FIELDS as readonly string[]).includes(key)) {
        report([...path, key], `"${key}" cannot be set on the built-in profile "${name}": here you may only add rules. To change it, define a new profile with \`extends: ${name}\``, true);
      } else report([...path, key], unknownField(key, AMENDMENT_FIELDS), true);
    }
  } else checkKeys(value, PROFILE_FIELDS, path, report);
  const profile: ProfileSpec = {};
  if ("description" in value && checkString(value.description, [...path, "description"], report)) profile.description = value.description;
  if (!amendment) {
    if ("extends" in value && checkString(value.extends, [...path, "extends"], report)) profile.extends = value.extends;
    if ("default" in value && checkAction(value.default, [...path, "default"], report)) profile.default = value.default;
    if ("guardrails" in value) {
      const g = value.guardrails;
      if (g === "ask" || g === "deny") profile.guardrails = g;
      else report([...path, "guardrails"], `guardrails must be "ask" or "deny", got ${JSON.stringify(g)} (a guardrail can never be turned off; allow a specific case with overrideGuardrail)`);
    }
    if ("masking" in value && value.masking !== null) {
      const masking = checkMasking(value.masking, [...path, "masking"], report);
      if (masking !== undefined) profile.masking = masking;
    }
  }
  if ("rules" in value && value.rules !== null) {
    if (!Array.isArray(value.rules)) report([...path, "rules"], `expected a list of rules, got ${describeType(value.rules)}`);
    else {
      profile.rules = [];
      value.rules.forEach((raw, i) => {
        const rule = checkRule(raw, [...path, "rules", i], report);
        // A placeholder keeps indexes (and so default rule names) stable; the caller discards
        // the whole policy when anything was reported.
        profile.rules?.push(rule ?? { action: "deny" });
      });
    }
  }
  return profile;
}

/** Structural validation of a whole policy document. */
export function checkPolicy(value: unknown, report: Report, builtinNames: readonly string[]): PolicySpec {
  if (value === null || value === undefined) return {};
  if (!isMap(value)) {
    report([], `expected a map with "version" and "profiles", got ${describeType(value)}`);
    return {};
  }
  checkKeys(value, TOP_FIELDS, [], report);
  const policy: PolicySpec = {};
  if ("version" in value) {
    if (value.version === 1) policy.version = 1;
    else report(["version"], `unsupported version ${JSON.stringify(value.version)}; this chaperone reads version 1`);
  }
  if ("profiles" in value && value.profiles !== null) {
    if (!isMap(value.profiles)) report(["profiles"], `expected a map of profile name to profile, got ${describeType(value.profiles)}`);
    else {
      policy.profiles = {};
      for (const [name, raw] of Object.entries(value.profiles)) {
        if (!PROFILE_NAME.test(name)) {
          report(["profiles", name], `invalid profile name ${JSON.stringify(name)}: use 1-63 lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit`, true);
          continue;
        }
        const profile = checkProfile(name, raw, ["profiles", name], report, builtinNames);
        if (profile) policy.profiles[name] = profile;
      }
    }
  }
  return policy;
}
