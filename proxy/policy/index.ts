// The policy engine's public surface: what the gateway's decide pass, the control API and the CLI
// use. Everything else in proxy/policy is internal.
export type { Action, Decision, DecisionSource, ExecOptions, Explanation, GuardrailMatch, PolicyRequest, RuleMatch, RuleRef } from "./policy-types.js";
export { PolicyEngine, PolicyValidationError, compileGrant, type PolicyEngineOptions, type PolicyStatus, type ProfileSummary } from "./policy-engine.js";
export { validatePolicyText, loadPolicyFile, formatPolicyError, type PolicyError, type ValidationResult } from "./policy-loader.js";
export { appendRule, type AppendRuleOptions, type AppendRuleResult } from "./append-rule.js";
export { describeRequest, parseExecQuery, mediaType, summarizeRequest, type GatewayFacts } from "./describe-request.js";
export type { RuleSpec, ProfileSpec, PolicySpec, MatchSpec, GuardrailAction } from "./policy-schema.js";
export { BUILTIN_PROFILES, BUILTIN_PROFILE_NAMES, type BuiltinProfile } from "./builtin-profiles.js";
export { GUARDRAILS, GUARDRAIL_NAMES, type GuardrailName } from "./guardrails/index.js";
export type { CompiledRule } from "./compile-rule.js";
