// Every guardrail, in the order they are reported, and an index by verb so a request only runs
// the few that could trip on it (reads run none).
import type { ResourceVerb } from "../../gateway/request-info.js";
import type { Guardrail } from "./guardrail.js";
import { namespaceDelete, deleteCollection, secretWrite, tokenRequest } from "./simple-guardrails.js";
import { rbacBinding } from "./rbac-binding.js";
import { rbacRole } from "./rbac-role.js";
import { privilegedWorkload } from "./privileged-workload.js";

export type { Guardrail } from "./guardrail.js";

export const GUARDRAILS: readonly Guardrail[] = [namespaceDelete, deleteCollection, rbacBinding, rbacRole, privilegedWorkload, secretWrite, tokenRequest];

export const GUARDRAIL_NAMES = [
  "namespace-delete",
  "delete-collection",
  "rbac-binding",
  "rbac-role",
  "privileged-workload",
  "secret-write",
  "token-request",
] as const;

export type GuardrailName = (typeof GUARDRAIL_NAMES)[number];

const EMPTY: readonly Guardrail[] = [];
const BY_VERB = new Map<string, Guardrail[]>();
for (const guardrail of GUARDRAILS) {
  for (const verb of guardrail.verbs) {
    const list = BY_VERB.get(verb) ?? [];
    list.push(guardrail);
    BY_VERB.set(verb, list);
  }
}

export function guardrailsFor(verb: ResourceVerb): readonly Guardrail[] {
  return BY_VERB.get(verb) ?? EMPTY;
}
