// A rule as evaluated: every glob compiled, the condition parsed and type-checked, the reference
// that decisions carry frozen once. Nothing here allocates per request.
import type { Action, DecisionSource, PolicyRequest, RuleRef } from "./policy-types.js";
import type { MatchSpec, RuleSpec } from "./policy-schema.js";
import { GlobSet } from "./glob.js";
import { celActivation, compileCondition, isCompileError, type CelActivation, type CelCondition } from "./cel.js";

export interface CompiledMatch {
  readonly agent: GlobSet | null;
  readonly run: GlobSet | null;
  readonly verb: GlobSet | null;
  readonly apiGroup: GlobSet | null;
  readonly resource: GlobSet | null;
  readonly subresource: GlobSet | null;
  readonly namespace: GlobSet | null;
  readonly name: GlobSet | null;
  readonly path: GlobSet | null;
  /** Set when a resource field is present: such a match never matches a non-resource request. */
  readonly resourceOnly: boolean;
}

export interface CompiledRule {
  readonly ref: RuleRef;
  readonly action: Action;
  readonly message: string | null;
  /** "policy.yaml:12:7", or null for built-in rules and grants. */
  readonly location: string | null;
  readonly match: CompiledMatch;
  readonly except: readonly CompiledMatch[];
  readonly when: CelCondition | null;
  readonly overrides: readonly string[];
  /** allow rules only: the responses it allows go out unmasked. */
  readonly reveal: boolean;
  readonly spec: RuleSpec;
}

function globs(value: string | string[] | undefined): GlobSet | null {
  if (value === undefined) return null;
  return new GlobSet(typeof value === "string" ? [value] : value);
}

export function compileMatch(spec: MatchSpec): CompiledMatch {
  return {
    agent: globs(spec.agent),
    run: globs(spec.run),
    verb: globs(spec.verb),
    apiGroup: globs(spec.apiGroup),
    resource: globs(spec.resource),
    subresource: globs(spec.subresource),
    namespace: globs(spec.namespace),
    name: globs(spec.name),
    path: globs(spec.path),
    resourceOnly:
      spec.apiGroup !== undefined || spec.resource !== undefined || spec.subresource !== undefined || spec.namespace !== undefined || spec.name !== undefined,
  };
}

/**
 * Whether the request matches every field the match sets. `checkVerb` is false where the caller
 * already selected rules by verb (the profile's verb index).
 */
export function matchesRequest(match: CompiledMatch, request: PolicyRequest, checkVerb: boolean): boolean {
  const info = request.info;
  if (checkVerb && match.verb !== null && !match.verb.matches(info.verb)) return false;
  if (match.agent !== null && !match.agent.matches(request.agent)) return false;
  if (match.run !== null && !match.run.matches(request.run ?? "")) return false;
  if (info.kind === "resource") {
    if (match.path !== null) return false;
    if (match.resource !== null && !match.resource.matches(info.resource)) return false;
    if (match.apiGroup !== null && !match.apiGroup.matches(info.apiGroup)) return false;
    if (match.namespace !== null && !match.namespace.matches(info.namespace)) return false;
    if (match.subresource !== null && !match.subresource.matches(info.subresource)) return false;
    if (match.name !== null && !match.name.matches(info.name)) return false;
    return true;
  }
  if (match.resourceOnly) return false;
  return match.path === null || match.path.matches(info.path);
}

export interface RuleMeta {
  profile: string;
  name: string;
  source: DecisionSource;
  location: string | null;
}

/** Compiles a rule that passed `checkRule`. Returns the CEL problem, if any, instead of a rule. */
export function compileRule(spec: RuleSpec, meta: RuleMeta): CompiledRule | { celError: string; offset: number | null } {
  let when: CelCondition | null = null;
  if (spec.when !== undefined) {
    const compiled = compileCondition(spec.when);
    if (isCompileError(compiled)) return { celError: compiled.message, offset: compiled.offset };
    when = compiled;
  }
  const overrides = spec.overrideGuardrail === undefined ? [] : typeof spec.overrideGuardrail === "string" ? [spec.overrideGuardrail] : spec.overrideGuardrail;
  return {
    ref: Object.freeze({ profile: meta.profile, name: meta.name, source: meta.source }),
    action: spec.action,
    message: spec.message ?? null,
    location: meta.location,
    match: compileMatch(spec),
    except: (spec.except ?? []).map(compileMatch),
    when,
    overrides: Object.freeze([...overrides]),
    reveal: spec.action === "allow" && spec.reveal === true,
    spec,
  };
}

export const NO_MATCH = 0;
export const MATCH = 1;
/** The rule's fields matched but its condition failed to evaluate: the request is denied. */
export const CONDITION_FAILED = 2;
export type MatchResult = typeof NO_MATCH | typeof MATCH | typeof CONDITION_FAILED;

/** Lazily built CEL variables, shared by every rule tested for one request. */
export interface EvaluationScope {
  request: PolicyRequest;
  activation: CelActivation | null;
  /** The message of the last CONDITION_FAILED. */
  conditionError: string | null;
}

export function testRule(rule: CompiledRule, scope: EvaluationScope, checkVerb: boolean): MatchResult {
  const request = scope.request;
  if (!matchesRequest(rule.match, request, checkVerb)) return NO_MATCH;
  for (let i = 0; i < rule.except.length; i++) {
    if (matchesRequest(rule.except[i] as CompiledMatch, request, true)) return NO_MATCH;
  }
  if (rule.when === null) return MATCH;
  scope.activation ??= celActivation(request);
  try {
    return rule.when.evaluate(scope.activation) ? MATCH : NO_MATCH;
  } catch (error) {
    scope.conditionError = (error as Error).message;
    return CONDITION_FAILED;
  }
}
