// The policy as the gateway uses it: loaded from the data dir's policy.yaml, hot-reloaded when the
// file changes, and asked one question per request. A broken edit never replaces a working
// policy: the previous one stays in force and the errors go to `onError` (and `status()`). A file
// that is broken from the start leaves no policy to keep, so every request is then denied until
// the file is fixed: failing closed beats silently running without the user's deny rules.
import { basename } from "node:path";
import type { Decision, Explanation, PolicyRequest } from "./policy-types.js";
import { builtinPolicy, type CompiledPolicy, type CompiledProfile } from "./compile-policy.js";
import { evaluatePolicy, explainPolicy } from "./evaluate.js";
import { formatPolicyError, loadPolicyFile, validatePolicyText, type PolicyError } from "./policy-loader.js";
import { PolicyWatcher } from "./policy-watcher.js";
import { checkRule, formatFieldPath, type GuardrailAction, type RuleSpec } from "./policy-schema.js";
import { compileRule, type CompiledRule } from "./compile-rule.js";
import type { Action } from "./policy-types.js";
import { DEFAULT_MASKING, type MaskingSettings } from "../masking/masking-settings.js";

export interface PolicyEngineOptions {
  /** Watch the file and reload on change. Default true. */
  watch?: boolean;
  /** Called after every successful (re)load that changed the policy. */
  onReload?: () => void;
  debounceMs?: number;
}

export interface PolicyStatus {
  /** The policy file, or null for an engine without one. */
  path: string | null;
  /** False when the file on disk has errors (the previous policy, or deny-all, is in force). */
  ok: boolean;
  errors: PolicyError[];
  /** When the policy in force was loaded (ISO time); null when none has loaded. */
  loadedAt: string | null;
}

export interface ProfileSummary {
  name: string;
  description: string;
  source: "builtin" | "policy-file";
  extends: string | null;
  default: Action;
  guardrails: GuardrailAction;
  rules: number;
}

export class PolicyValidationError extends Error {
  constructor(readonly errors: PolicyError[]) {
    super(errors.map(formatPolicyError).join("\n"));
    this.name = "PolicyValidationError";
  }
}

function summary(profile: CompiledProfile): ProfileSummary {
  return {
    name: profile.name,
    description: profile.description,
    source: profile.source,
    extends: profile.extends,
    default: profile.default,
    guardrails: profile.guardrails,
    rules: profile.rules.length,
  };
}

export class PolicyEngine {
  private policy: CompiledPolicy | null;
  private errors: PolicyError[] = [];
  private loadedAt: string | null;
  private lastText: string | null | undefined = undefined;
  private watcher: PolicyWatcher | null = null;
  private onError: ((errors: PolicyError[]) => void) | undefined;
  private onReload: (() => void) | undefined;

  private constructor(
    private readonly path: string | null,
    policy: CompiledPolicy | null,
  ) {
    this.policy = policy;
    this.loadedAt = policy ? new Date().toISOString() : null;
  }

  /**
   * Loads `path` (missing: built-ins only) and, unless `watch: false`, reloads it on change.
   * Never throws for a bad file: `onError` receives its errors, now and on every failed reload.
   */
  static fromFile(path: string, onError?: (errors: PolicyError[]) => void, options: PolicyEngineOptions = {}): PolicyEngine {
    const engine = new PolicyEngine(path, null);
    engine.onError = onError;
    engine.reload();
    engine.onReload = options.onReload;
    if (options.watch !== false) engine.watcher = new PolicyWatcher(path, () => engine.reload(), options.debounceMs);
    return engine;
  }

  /** An engine for a policy given as text (tests, benchmarks, previews); throws PolicyValidationError. */
  static fromText(text: string, fileName = "policy.yaml"): PolicyEngine {
    const result = validatePolicyText(text, fileName);
    if (!result.ok) throw new PolicyValidationError(result.errors);
    return new PolicyEngine(null, result.policy);
  }

  /** The built-in profiles alone. */
  static builtin(): PolicyEngine {
    return new PolicyEngine(null, builtinPolicy());
  }

  /** Re-reads the file now. Returns whether the file on disk is valid (and so in force). */
  reload(): boolean {
    if (this.path === null) return true;
    const result = loadPolicyFile(this.path);
    // One save raises several events; an unchanged file (or one still missing) is not a reload.
    if (this.lastText !== undefined && result.text === this.lastText && (result.text !== null || result.ok)) return this.errors.length === 0;
    this.lastText = result.text;
    if (!result.ok) {
      this.errors = result.errors;
      this.onError?.(result.errors);
      return false;
    }
    this.policy = result.policy;
    this.errors = [];
    this.loadedAt = new Date().toISOString();
    this.onReload?.();
    return true;
  }

  evaluate(request: PolicyRequest, grants?: readonly CompiledRule[]): Decision {
    const policy = this.policy;
    if (!policy) return this.brokenDecision(request);
    return evaluatePolicy(policy, request, grants);
  }

  explain(request: PolicyRequest, grants?: readonly CompiledRule[]): Explanation {
    const policy = this.policy;
    if (!policy) return { decision: this.brokenDecision(request), profile: request.profile, matches: [], guardrails: [] };
    return explainPolicy(policy, request, grants);
  }

  private brokenDecision(request: PolicyRequest): Decision {
    const first = this.errors[0];
    const detail = first ? `: ${formatPolicyError({ ...first, file: basename(first.file) })}` : "";
    return {
      action: "deny",
      rule: { profile: request.profile, name: "policy-error", source: "default" },
      message: `chaperone: the policy file has errors, so every request is refused until it is fixed${detail}`,
    };
  }

  /**
   * What is masked for agents with this profile. A profile that does not exist (its requests are
   * denied anyway) and a broken policy file mask everything.
   */
  masking(profile: string): MaskingSettings {
    return (this.policy ?? builtinPolicy()).profiles.get(profile)?.masking ?? DEFAULT_MASKING;
  }

  /** Built-in profiles first, then the file's. */
  profileNames(): string[] {
    return [...(this.policy ?? builtinPolicy()).profiles.keys()];
  }

  hasProfile(name: string): boolean {
    return (this.policy ?? builtinPolicy()).profiles.has(name);
  }

  profile(name: string): ProfileSummary | undefined {
    const profile = (this.policy ?? builtinPolicy()).profiles.get(name);
    return profile ? summary(profile) : undefined;
  }

  status(): PolicyStatus {
    return { path: this.path, ok: this.errors.length === 0, errors: [...this.errors], loadedAt: this.loadedAt };
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}

/**
 * A rule held in memory rather than in the file (an approval "for this run"), evaluated with the
 * profile's rules and reported with source "grant". Throws PolicyValidationError when invalid.
 */
export function compileGrant(rule: RuleSpec, name: string, profile = "grant"): CompiledRule {
  const errors: PolicyError[] = [];
  const spec = checkRule(rule, [], (path, message) => errors.push({ file: "grant", line: 1, column: 1, field: formatFieldPath(path), message }));
  if (!spec) throw new PolicyValidationError(errors);
  const compiled = compileRule(spec, { profile, name, source: "grant", location: null });
  if ("celError" in compiled) throw new PolicyValidationError([{ file: "grant", line: 1, column: 1, field: "when", message: compiled.celError }]);
  return compiled;
}
