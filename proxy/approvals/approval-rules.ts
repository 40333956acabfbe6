// What an approver's "allow for N minutes" and "always allow" mean for later requests.
//
// A grant repeats the approval for requests of the same shape (agent, verb, group, resource,
// subresource, namespace) that the same rule asks about — not for everything that rule covers:
// a profile's default asks about every delete, and approving one delete of a pod in `dev` must
// not approve deleting namespaces for ten minutes.
//
// "Always" appends a policy rule matching this request exactly (name included; for exec, the
// command line too), overriding the guardrail that asked if one did. The approver sees the rule
// before choosing it.
import { stringify } from "yaml";
import type { Decision, PolicyRequest, RuleSpec } from "../policy/index.js";

export interface RequestShape {
  agent: string;
  kind: "resource" | "nonResource";
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  path: string;
}

export function shapeOf(request: PolicyRequest): RequestShape {
  const info = request.info;
  if (info.kind === "resource") {
    return {
      agent: request.agent,
      kind: "resource",
      verb: info.verb,
      apiGroup: info.apiGroup,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      path: "",
    };
  }
  return { agent: request.agent, kind: "nonResource", verb: info.verb, apiGroup: "", resource: "", subresource: "", namespace: "", path: info.path };
}

export function sameShape(a: RequestShape, b: RequestShape): boolean {
  return (
    a.agent === b.agent &&
    a.kind === b.kind &&
    a.verb === b.verb &&
    a.apiGroup === b.apiGroup &&
    a.resource === b.resource &&
    a.subresource === b.subresource &&
    a.namespace === b.namespace &&
    a.path === b.path
  );
}

/** Globs in rule fields: literal values must not be read as patterns. */
function literal(value: string): string {
  if (/[*?[\]{}\\!]/.test(value)) throw new Error(`"${value}" cannot be written as an exact policy match`);
  return value;
}

export function alwaysRuleFor(request: PolicyRequest, decision: Decision, id: string): RuleSpec {
  const info = request.info;
  const rule: RuleSpec = { id, agent: literal(request.agent), action: "allow" };
  if (info.kind === "resource") {
    rule.verb = info.verb;
    rule.apiGroup = literal(info.apiGroup);
    rule.resource = literal(info.resource);
    rule.subresource = literal(info.subresource);
    rule.namespace = literal(info.namespace);
    if (info.name) rule.name = literal(info.name);
    if (request.exec && request.exec.command.length > 0) {
      rule.when = `exec != null && exec.command == ${JSON.stringify(request.exec.command)} && exec.container == ${JSON.stringify(request.exec.container)}`;
    }
  } else {
    rule.path = literal(info.path);
    rule.verb = info.verb;
  }
  if (decision.rule.source === "guardrail") rule.overrideGuardrail = decision.rule.name;
  return rule;
}

export function ruleYaml(rule: RuleSpec): string {
  return stringify([rule], { lineWidth: 0 }).trimEnd();
}
