// What the policy engine is asked (PolicyRequest) and what it answers (Decision). These are the
// only shapes the gateway's `decide` pass needs; everything else in proxy/policy is internal.
import type { RequestInfo } from "../gateway/request-info.js";

export type Action = "allow" | "deny" | "ask";

export const ACTIONS: readonly Action[] = ["allow", "deny", "ask"];

export interface ExecOptions {
  command: string[];
  container: string;
  tty: boolean;
  stdin: boolean;
}

export interface PolicyRequest {
  agent: string;
  run: string | null;
  /** The agent's profile name. */
  profile: string;
  /** Resource or non-resource classification (verbs include exec / attach / portforward / proxy). */
  info: RequestInfo;
  /** dryRun, fieldManager, force, command / container / tty / stdin for exec, etc. */
  query: URLSearchParams;
  /** For patches: application/json-patch+json, merge-patch+json, strategic-merge-patch+json, apply-patch+yaml. */
  contentType: string | null;
  /** The decoded request body on writes (JSON, or YAML for apply-patch+yaml, already parsed); undefined otherwise. */
  object: unknown | undefined;
  exec: ExecOptions | null;
}

export type DecisionSource = "builtin" | "policy-file" | "guardrail" | "default" | "grant";

export interface RuleRef {
  /** The profile the rule belongs to (for a default: the profile whose default applied). */
  profile: string;
  /** The rule's `id`, else `rules[N]`; a guardrail's name; or "default". */
  name: string;
  source: DecisionSource;
}

/**
 * The engine's answer. Treat it as immutable: `rule` objects are shared between decisions (they
 * are frozen), which is what keeps an allow decision down to one small allocation.
 */
export interface Decision {
  action: Action;
  /** Which rule decided: profile name + rule index/name, or a guardrail name, or "default". */
  rule: RuleRef;
  /** deny: what the agent reads (starts with "chaperone: "); ask: why a human is asked; allow: null. */
  message: string | null;
  /** allow by a rule with `reveal: true`: the response goes to the agent unmasked (and the audit log says so). */
  reveal?: true;
}

/** A rule that matched (or whose condition failed) while explaining a request. */
export interface RuleMatch {
  rule: RuleRef;
  action: Action;
  /** "policy.yaml:12:7" for rules from the policy file; null for built-in rules and grants. */
  location: string | null;
  /** Guardrails this rule is allowed to override (allow rules only). */
  overrideGuardrail: string[];
  /** Set when the rule's `when:` condition failed to evaluate (the request is then denied). */
  error: string | null;
}

export interface GuardrailMatch {
  name: string;
  /** What in the request tripped it, in a sentence. */
  reason: string;
  /** What the profile does when this guardrail trips. */
  action: "ask" | "deny";
}

export interface Explanation {
  decision: Decision;
  /** The profile that was applied (the agent's). */
  profile: string;
  /** Every rule of the profile (and every grant) that matched the request, in evaluation order. */
  matches: RuleMatch[];
  /** Every guardrail the request trips. */
  guardrails: GuardrailMatch[];
}
