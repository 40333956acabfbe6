// The decision. Precedence is deny > ask > allow, whatever the order of the rules:
//
//   1. a request that is not classified (or an agent whose profile does not exist) is denied;
//   2. any matching deny rule denies;
//   3. a tripped guardrail denies where the profile's guardrails deny (read-only);
//   4. any matching ask rule asks;
//   5. a tripped guardrail asks, unless a matching allow rule names it (every tripped one) in
//      `overrideGuardrail:`;
//   6. any matching allow rule allows (one with `reveal: true` is the one that decides, if any);
//   7. otherwise the profile's default.
//
// A rule whose fields match but whose `when:` fails to evaluate counts as a deny (fail closed).
// To keep that independent of rule order, every rule whose fields match is tested, except once a
// deny has been found; the common case (no conditions) costs a few string comparisons per rule.
import type { Decision, Explanation, GuardrailMatch, PolicyRequest, RuleMatch, RuleRef } from "./policy-types.js";
import type { CompiledPolicy, CompiledProfile, VerbBucket } from "./compile-policy.js";
import { CONDITION_FAILED, MATCH, NO_MATCH, testRule, type CompiledRule, type EvaluationScope } from "./compile-rule.js";
import { guardrailsFor, type Guardrail } from "./guardrails/index.js";
import { summarizeRequest } from "./describe-request.js";
import { KNOWN_VERBS } from "./policy-schema.js";

const NO_RULES: readonly CompiledRule[] = [];
const KNOWN_VERB_SET: ReadonlySet<string> = new Set(KNOWN_VERBS);

interface Tripped {
  guardrail: Guardrail;
  reason: string;
}

function deny(rule: RuleRef, message: string): Decision {
  return { action: "deny", rule, message: message.startsWith("chaperone: ") ? message : `chaperone: ${message}` };
}

function guardrailRef(profile: string, name: string): RuleRef {
  return { profile, name, source: "guardrail" };
}

/** Why a request cannot be judged at all, or undefined. */
function unclassifiable(request: PolicyRequest): string | undefined {
  const info = request.info as PolicyRequest["info"] | null | undefined;
  if (!info || (info.kind !== "resource" && info.kind !== "nonResource")) return "the request could not be classified";
  if (!KNOWN_VERB_SET.has(info.verb)) return `the request's verb ${JSON.stringify(info.verb)} is not one chaperone knows`;
  if (info.kind === "nonResource" && !info.known) return `${info.path} is not a Kubernetes API path chaperone recognizes`;
  if (info.kind === "resource" && info.resource === "") return "the request names no resource";
  return undefined;
}

function unknownProfile(request: PolicyRequest): Decision {
  return deny(
    { profile: request.profile, name: "unknown-profile", source: "default" },
    `agent "${request.agent}" has the profile "${request.profile}", which is neither built in nor defined in the policy file; its requests are denied until the profile exists or the agent is given another one`,
  );
}

function checkGuardrails(request: PolicyRequest): Tripped[] | null {
  const info = request.info;
  if (info.kind !== "resource") return null;
  let tripped: Tripped[] | null = null;
  for (const guardrail of guardrailsFor(info.verb)) {
    let reason: string | undefined;
    try {
      reason = guardrail.check(request, info);
    } catch (error) {
      // A guardrail that cannot finish has not cleared the request.
      reason = `chaperone could not check it (${(error as Error).message})`;
    }
    if (reason !== undefined) (tripped ??= []).push({ guardrail, reason });
  }
  return tripped;
}

function covers(rule: CompiledRule, tripped: readonly Tripped[]): boolean {
  for (const hit of tripped) if (!rule.overrides.includes(hit.guardrail.name)) return false;
  return true;
}

function guardrailText(tripped: readonly Tripped[]): string {
  return tripped.map((hit) => `guardrail ${hit.guardrail.name}: ${hit.reason}`).join("; ");
}

function conditionFailed(rule: CompiledRule, scope: EvaluationScope): Decision {
  const where = rule.location ? `, ${rule.location}` : "";
  return deny(
    rule.ref,
    `denied: the when: condition of rule "${rule.ref.name}" (profile "${rule.ref.profile}"${where}) failed to evaluate (${scope.conditionError ?? "unknown error"}); a condition that fails denies the request`,
  );
}

function ruleDecision(rule: CompiledRule, request: PolicyRequest): Decision {
  if (rule.action === "allow") return rule.reveal ? { action: "allow", rule: rule.ref, message: null, reveal: true } : { action: "allow", rule: rule.ref, message: null };
  const summary = summarizeRequest(request.info);
  if (rule.action === "deny") {
    return deny(rule.ref, rule.message ?? `${summary} is denied by policy rule "${rule.ref.name}" of profile "${rule.ref.profile}"`);
  }
  return { action: "ask", rule: rule.ref, message: rule.message ?? `${summary}: policy rule "${rule.ref.name}" of profile "${rule.ref.profile}" asks` };
}

function defaultDecision(profile: CompiledProfile, request: PolicyRequest): Decision {
  if (profile.default === "allow") return { action: "allow", rule: profile.defaultRef, message: null };
  const message = `${summarizeRequest(request.info)} ${profile.defaultMessage}`;
  return profile.default === "deny" ? deny(profile.defaultRef, message) : { action: "ask", rule: profile.defaultRef, message };
}

function scopeFor(request: PolicyRequest): EvaluationScope {
  return { request, activation: null, conditionError: null };
}

export function evaluatePolicy(policy: CompiledPolicy, request: PolicyRequest, grants: readonly CompiledRule[] = NO_RULES): Decision {
  const profile = policy.profiles.get(request.profile);
  if (!profile) return unknownProfile(request);
  const problem = unclassifiable(request);
  if (problem) return deny(guardrailRef(profile.name, "unclassifiable"), `${problem}; refused`);
  const bucket = profile.byVerb.get(request.info.verb) as VerbBucket;
  const scope = scopeFor(request);

  for (let i = 0; i < bucket.deny.length; i++) {
    const rule = bucket.deny[i] as CompiledRule;
    const result = testRule(rule, scope, false);
    if (result === MATCH) return ruleDecision(rule, request);
    if (result === CONDITION_FAILED) return conditionFailed(rule, scope);
  }
  for (let i = 0; i < grants.length; i++) {
    const grant = grants[i] as CompiledRule;
    if (grant.action !== "deny") continue;
    const result = testRule(grant, scope, true);
    if (result === MATCH) return ruleDecision(grant, request);
    if (result === CONDITION_FAILED) return conditionFailed(grant, scope);
  }

  const tripped = checkGuardrails(request);
  if (tripped && profile.guardrails === "deny") {
    return deny(guardrailRef(profile.name, (tripped[0] as Tripped).guardrail.name), `${summarizeRequest(request.info)} is denied by profile "${profile.name}": ${guardrailText(tripped)}`);
  }

  let ask: CompiledRule | null = null;
  let allow: CompiledRule | null = null;
  // An allow rule with `reveal: true` decides over other allow rules, wherever it sits: it is the
  // explicit statement that what it matches may be seen unmasked.
  let reveal: CompiledRule | null = null;
  const consider = (rule: CompiledRule, checkVerb: boolean): Decision | undefined => {
    const result = testRule(rule, scope, checkVerb);
    if (result === CONDITION_FAILED) return conditionFailed(rule, scope);
    if (result === NO_MATCH) return undefined;
    if (rule.action === "ask") ask ??= rule;
    else if (!tripped || covers(rule, tripped)) {
      allow ??= rule;
      if (rule.reveal) reveal ??= rule;
    }
    return undefined;
  };
  for (let i = 0; i < bucket.ask.length; i++) {
    const failed = consider(bucket.ask[i] as CompiledRule, false);
    if (failed) return failed;
  }
  for (let i = 0; i < bucket.allow.length; i++) {
    const failed = consider(bucket.allow[i] as CompiledRule, false);
    if (failed) return failed;
  }
  for (let i = 0; i < grants.length; i++) {
    const grant = grants[i] as CompiledRule;
    if (grant.action === "deny") continue;
    const failed = consider(grant, true);
    if (failed) return failed;
  }

  if (tripped) {
    if (allow && !ask) return ruleDecision(reveal ?? allow, request);
    const first = tripped[0] as Tripped;
    return { action: "ask", rule: guardrailRef(profile.name, first.guardrail.name), message: `${summarizeRequest(request.info)}: ${guardrailText(tripped)}` };
  }
  if (ask) return ruleDecision(ask, request);
  if (allow) return ruleDecision(reveal ?? allow, request);
  return defaultDecision(profile, request);
}

/** The decision, plus every rule that matched (or failed) and every guardrail tripped. */
export function explainPolicy(policy: CompiledPolicy, request: PolicyRequest, grants: readonly CompiledRule[] = NO_RULES): Explanation {
  const decision = evaluatePolicy(policy, request, grants);
  const profile = policy.profiles.get(request.profile);
  const matches: RuleMatch[] = [];
  const guardrails: GuardrailMatch[] = [];
  if (profile && !unclassifiable(request)) {
    const scope = scopeFor(request);
    for (const rule of [...profile.rules, ...grants]) {
      const result = testRule(rule, scope, true);
      if (result === NO_MATCH) continue;
      matches.push({
        rule: rule.ref,
        action: rule.action,
        location: rule.location,
        overrideGuardrail: [...rule.overrides],
        error: result === CONDITION_FAILED ? scope.conditionError : null,
      });
    }
    for (const hit of checkGuardrails(request) ?? []) guardrails.push({ name: hit.guardrail.name, reason: hit.reason, action: profile.guardrails });
  }
  return { decision, profile: request.profile, matches, guardrails };
}
