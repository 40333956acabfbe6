// Every control API handler validates its input here before acting: a malformed body is a
// 400 with a sentence saying what is wrong, never a crash or a half-applied change.
import { CliError } from "../cli/cli-error.js";
import type { AddAgentRequest, DecideRequest, ExplainRequest, PolicyTextRequest } from "./contract.js";

function object(body: unknown, shape: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new CliError(`expected a JSON object ${shape}`);
  return body as Record<string, unknown>;
}

function optionalString(value: unknown, field: string, max = 4096): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new CliError(`${field} must be a string`);
  if (value.length > max) throw new CliError(`${field} is longer than ${max} characters`);
  return value;
}

export function parseAddAgent(body: unknown): AddAgentRequest {
  const o = object(body, "{name, profile?}");
  const name = optionalString(o.name, "name", 63);
  if (name === undefined) throw new CliError("name must be a string");
  const profile = optionalString(o.profile, "profile", 253);
  return profile === undefined ? { name } : { name, profile };
}

const DECISIONS = new Set(["allow-once", "allow-for", "always", "deny"]);

export function parseDecideRequest(body: unknown): DecideRequest {
  const o = object(body, "{decision, minutes?, reason?}");
  if (typeof o.decision !== "string" || !DECISIONS.has(o.decision)) {
    throw new CliError("decision must be one of allow-once, allow-for, always, deny");
  }
  const request: DecideRequest = { decision: o.decision as DecideRequest["decision"] };
  if (o.minutes !== undefined) {
    if (typeof o.minutes !== "number") throw new CliError("minutes must be a number");
    request.minutes = o.minutes;
  }
  const reason = optionalString(o.reason, "reason", 1000);
  if (reason !== undefined) request.reason = reason;
  return request;
}

export function parsePolicyText(body: unknown): PolicyTextRequest {
  const o = object(body, "{text}");
  const text = optionalString(o.text, "text", 1024 * 1024);
  if (text === undefined) throw new CliError("text must be a string");
  return { text };
}

export function parseExplainRequest(body: unknown): ExplainRequest {
  const o = object(body, "{agent, verb, resource?, name?, namespace?, path?}");
  const agent = optionalString(o.agent, "agent", 63);
  const verb = optionalString(o.verb, "verb", 64);
  if (!agent || !verb) throw new CliError("agent and verb are required");
  const request: ExplainRequest = { agent, verb };
  for (const field of ["resource", "name", "namespace", "path"] as const) {
    const value = optionalString(o[field], field, 1024);
    if (value !== undefined) request[field] = value;
  }
  return request;
}
