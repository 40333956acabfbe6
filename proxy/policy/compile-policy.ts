// From a validated policy file (or none) to the profiles the evaluator runs: built-ins compiled,
// `extends` chains resolved (base rules first), amendments of built-ins appended, and each
// profile's rules indexed by verb and grouped by action so a request only looks at the rules
// that can match it, strongest action first.
import type { Action, RuleRef } from "./policy-types.js";
import { KNOWN_VERBS, type FieldPath, type GuardrailAction, type PolicySpec, type ProfileSpec, type Report } from "./policy-schema.js";
import { BUILTIN_PROFILES, builtinProfile } from "./builtin-profiles.js";
import { compileRule, type CompiledRule, type RuleMeta } from "./compile-rule.js";
import { DEFAULT_MASKING, resolveMasking, type MaskingSettings } from "../masking/masking-settings.js";
import { compileDetector, type Detector } from "../masking/detectors.js";

export interface VerbBucket {
  readonly deny: readonly CompiledRule[];
  readonly ask: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
}

export interface CompiledProfile {
  readonly name: string;
  readonly description: string;
  readonly source: "builtin" | "policy-file";
  /** The profile it extends (for an amended built-in: null). */
  readonly extends: string | null;
  readonly default: Action;
  readonly guardrails: GuardrailAction;
  /** What is masked for this profile's agents. */
  readonly masking: MaskingSettings;
  /** Completes "<request> …" in default decisions. */
  readonly defaultMessage: string;
  readonly defaultRef: RuleRef;
  /** Every rule, base profiles' first, in file order. */
  readonly rules: readonly CompiledRule[];
  readonly byVerb: ReadonlyMap<string, VerbBucket>;
}

export interface CompiledPolicy {
  readonly profiles: ReadonlyMap<string, CompiledProfile>;
  /** The policy file it was loaded from, or null for the built-ins alone. */
  readonly fileName: string | null;
}

function indexByVerb(rules: readonly CompiledRule[]): Map<string, VerbBucket> {
  const index = new Map<string, VerbBucket>();
  for (const verb of KNOWN_VERBS) {
    const bucket = { deny: [] as CompiledRule[], ask: [] as CompiledRule[], allow: [] as CompiledRule[] };
    for (const rule of rules) {
      if (rule.match.verb === null || rule.match.verb.matches(verb)) bucket[rule.action].push(rule);
    }
    index.set(verb, bucket);
  }
  return index;
}

function makeProfile(
  fields: Omit<CompiledProfile, "byVerb" | "defaultRef" | "defaultMessage"> & { defaultMessage?: string },
): CompiledProfile {
  const defaultMessage =
    fields.defaultMessage ??
    `${fields.default === "deny" ? "is denied" : fields.default === "ask" ? "needs approval" : "is allowed"}: no rule of profile "${fields.name}" matches it, and its default is ${fields.default}`;
  return {
    ...fields,
    defaultMessage,
    defaultRef: Object.freeze({ profile: fields.name, name: "default", source: "default" as const }),
    byVerb: indexByVerb(fields.rules),
  };
}

function builtinRules(name: string): CompiledRule[] {
  const builtin = builtinProfile(name);
  if (!builtin) return [];
  return builtin.spec.rules.map((spec, i) => {
    const compiled = compileRule(spec, { profile: name, name: spec.id ?? `rules[${i}]`, source: "builtin", location: null });
    if ("celError" in compiled) throw new Error(`built-in profile ${name}: ${compiled.celError}`);
    return compiled;
  });
}

export function compileBuiltinProfiles(): Map<string, CompiledProfile> {
  const profiles = new Map<string, CompiledProfile>();
  for (const builtin of BUILTIN_PROFILES) {
    profiles.set(
      builtin.name,
      makeProfile({
        name: builtin.name,
        description: builtin.description,
        source: "builtin",
        extends: null,
        default: builtin.spec.default,
        guardrails: builtin.spec.guardrails,
        masking: DEFAULT_MASKING,
        defaultMessage: builtin.defaultMessage,
        rules: builtinRules(builtin.name),
      }),
    );
  }
  return profiles;
}

const BUILTINS = compileBuiltinProfiles();

/** Built-in profiles only: the policy when there is no policy file. */
export function builtinPolicy(): CompiledPolicy {
  return { profiles: BUILTINS, fileName: null };
}

/**
 * Compiles the profiles of a structurally valid policy. Problems found here (CEL that does not
 * compile, an unknown or cyclic `extends`, guardrails loosened) go to `report` like schema ones.
 * `location` turns a field path into "policy.yaml:12:7" for rules' runtime messages.
 */
/** A profile's masking: its `masking:` block over what it inherits. Unknown disabled detectors are reported. */
function compileMasking(profile: ProfileSpec, base: MaskingSettings, path: FieldPath, report: Report): MaskingSettings {
  const spec = profile.masking;
  const compiled: Detector[] = [];
  if (typeof spec === "object") {
    for (const detector of spec.detectors ?? []) {
      const result = compileDetector(detector);
      if (typeof result !== "string") compiled.push(result);
    }
  }
  const { settings, unknownDisabled } = resolveMasking(spec, base, compiled);
  if (typeof spec === "object") {
    for (const name of unknownDisabled) {
      const index = (spec.disableDetectors ?? []).indexOf(name);
      report([...path, "disableDetectors", index], `unknown detector ${JSON.stringify(name)}: detectors in force are ${[...base.detectors.detectors.map((d) => d.name), ...compiled.map((d) => d.name)].join(", ")}`);
    }
  }
  return settings;
}

export function compilePolicy(spec: PolicySpec, fileName: string | null, report: Report, location: (path: FieldPath) => string | null): CompiledPolicy {
  const profiles = new Map<string, CompiledProfile>(BUILTINS);
  const specs = spec.profiles ?? {};
  const resolving = new Set<string>();
  const failed = new Set<string>();
  const resolved = new Set<string>();

  const ownRules = (name: string, profile: ProfileSpec, guardrails: GuardrailAction): CompiledRule[] => {
    const rules: CompiledRule[] = [];
    const ids = new Map<string, number>();
    (profile.rules ?? []).forEach((rule, i) => {
      const path = ["profiles", name, "rules", i];
      if (rule.id !== undefined) {
        const first = ids.get(rule.id);
        if (first !== undefined) report([...path, "id"], `duplicate rule id ${JSON.stringify(rule.id)} (also rules[${first}] of this profile)`);
        else ids.set(rule.id, i);
      }
      if (rule.overrideGuardrail !== undefined && guardrails === "deny") {
        report([...path, "overrideGuardrail"], `this profile's guardrails deny, and a guardrail's deny can never be overridden`);
      }
      const meta: RuleMeta = { profile: name, name: rule.id ?? `rules[${i}]`, source: "policy-file", location: location(path) };
      const compiled = compileRule(rule, meta);
      if ("celError" in compiled) {
        const where = compiled.offset === null ? "" : ` (at character ${compiled.offset + 1} of the condition)`;
        report([...path, "when"], `${compiled.celError}${where}`);
        return;
      }
      rules.push(compiled);
    });
    return rules;
  };

  const resolve = (name: string): CompiledProfile | undefined => {
    const profile = specs[name];
    if (resolved.has(name) || profile === undefined) return profiles.get(name);
    if (failed.has(name)) return undefined;
    const path = ["profiles", name];
    const builtin = builtinProfile(name);
    if (builtin) {
      // An amendment: the built-in's rules, then the file's.
      const base = BUILTINS.get(name) as CompiledProfile;
      const compiled = makeProfile({
        ...base,
        description: profile.description ?? base.description,
        rules: [...base.rules, ...ownRules(name, profile, base.guardrails)],
      });
      profiles.set(name, compiled);
      resolved.add(name);
      return compiled;
    }
    if (resolving.has(name)) {
      report([...path, "extends"], `profile "${name}" extends itself (through ${[...resolving].join(" → ")} → ${name})`);
      failed.add(name);
      return undefined;
    }
    resolving.add(name);
    let base: CompiledProfile | undefined;
    if (profile.extends !== undefined) {
      if (!profiles.has(profile.extends) && specs[profile.extends] === undefined) {
        const known = [...new Set([...profiles.keys(), ...Object.keys(specs)])].join(", ");
        report([...path, "extends"], `extends an unknown profile ${JSON.stringify(profile.extends)}; profiles are ${known}`);
      } else {
        base = resolve(profile.extends);
      }
    }
    resolving.delete(name);
    if (profile.extends !== undefined && !base) {
      failed.add(name);
      return undefined;
    }
    let guardrails = profile.guardrails ?? base?.guardrails ?? "ask";
    if (base?.guardrails === "deny" && guardrails === "ask") {
      report([...path, "guardrails"], `profile "${base.name}" denies when a guardrail trips; a profile extending it cannot loosen that to ask`);
      guardrails = "deny";
    }
    const action = profile.default ?? base?.default ?? "ask";
    const masking = compileMasking(profile, base?.masking ?? DEFAULT_MASKING, [...path, "masking"], report);
    const compiled = makeProfile({
      name,
      description: profile.description ?? (base ? `Extends ${base.name}.` : ""),
      source: "policy-file",
      extends: base?.name ?? null,
      default: action,
      guardrails,
      masking,
      // Inherited unchanged, a built-in's default keeps its explanation.
      defaultMessage: base && action === base.default && base.source === "builtin" ? base.defaultMessage : undefined,
      rules: [...(base?.rules ?? []), ...ownRules(name, profile, guardrails)],
    });
    profiles.set(name, compiled);
    resolved.add(name);
    return compiled;
  };

  for (const name of Object.keys(specs)) resolve(name);
  // Built-ins first, then the file's profiles in file order (resolution follows `extends`).
  const ordered = new Map<string, CompiledProfile>();
  for (const name of [...BUILTINS.keys(), ...Object.keys(specs)]) {
    const profile = profiles.get(name);
    if (profile && !ordered.has(name)) ordered.set(name, profile);
  }
  return { profiles: ordered, fileName };
}
