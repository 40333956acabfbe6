// A guardrail: a check on a request's *content* (its classification and decoded body) that every
// profile applies before its rules can allow anything. Rules match on names; guardrails catch what
// a name does not show (a pod that is privileged, a binding to cluster-admin, a patch that adds a
// hostPath), so a loosely written allow rule cannot let them through.
import type { ResourceRequestInfo, ResourceVerb } from "../../gateway/request-info.js";
import type { PolicyRequest } from "../policy-types.js";

export interface Guardrail {
  readonly name: string;
  /** One sentence for the documentation and `explain`. */
  readonly description: string;
  /** The verbs it can trip on: requests with other verbs skip it without looking at anything else. */
  readonly verbs: readonly ResourceVerb[];
  /**
   * Why the request trips the guardrail, or undefined. Must be conservative: when the content
   * cannot be judged (no body, an unexpected shape, a patch format it cannot read) it trips.
   */
  check(request: PolicyRequest, info: ResourceRequestInfo): string | undefined;
}

/** The object, or undefined when the value is not a plain map. */
export function asMap(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `deployments.apps "web" in namespace "dev"`, for guardrail reasons. */
export function target(info: ResourceRequestInfo): string {
  const kind = info.apiGroup === "" ? info.resource : `${info.resource}.${info.apiGroup}`;
  const name = info.name === "" ? "" : ` "${info.name}"`;
  const namespace = info.namespace === "" || info.resource === "namespaces" ? "" : ` in namespace "${info.namespace}"`;
  return `${kind}${name}${namespace}`;
}
