// The policy as the control API shows and replaces it. A replacement is validated first and
// written atomically; the running engine reloads it at once, so the answer reflects what is in force.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { PolicyEngine, PolicyError } from "../policy/index.js";
import { validatePolicyText } from "../policy/index.js";
import { writeFileAtomic } from "../config/atomic-write.js";
import { withFileLock } from "../config/file-lock.js";
import { CliError } from "../cli/cli-error.js";
import type { PolicyErrorView, PolicyTextRequest, PolicyValidation, PolicyView } from "./contract.js";

function errorViews(errors: readonly PolicyError[]): PolicyErrorView[] {
  return errors.map((e) => ({ file: e.file, line: e.line, column: e.column, field: e.field, message: e.message }));
}

export function policyView(policy: PolicyEngine, path: string): PolicyView {
  let text: string | null = null;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // No file: the built-in profiles only.
  }
  const status = policy.status();
  return { path, text, ok: status.ok, errors: errorViews(status.errors), profiles: policy.profileNames(), loadedAt: status.loadedAt };
}

export function validatePolicy(path: string, request: PolicyTextRequest): PolicyValidation {
  const result = validatePolicyText(request.text, basename(path));
  return result.ok ? { ok: true, errors: [] } : { ok: false, errors: errorViews(result.errors) };
}

export function replacePolicy(policy: PolicyEngine, path: string, request: PolicyTextRequest): PolicyView {
  const result = validatePolicyText(request.text, basename(path));
  if (!result.ok) {
    const first = result.errors[0];
    throw new CliError(
      `the policy was not replaced: ${result.errors.length} error(s)${first ? `, first ${first.file}:${first.line}:${first.column} ${first.field}: ${first.message}` : ""}`,
    );
  }
  withFileLock(`${path}.lock`, () => writeFileAtomic(path, request.text));
  policy.reload();
  return policyView(policy, path);
}
