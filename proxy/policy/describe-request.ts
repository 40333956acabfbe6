// Building a PolicyRequest from what the gateway has at the decide pass (the identity, the
// classification, the raw request target, the Content-Type and the decoded body), and the
// one-line summaries of requests used in decision messages.
import type { RequestInfo } from "../gateway/request-info.js";
import type { ExecOptions, PolicyRequest } from "./policy-types.js";
import { queryFlag, queryOf } from "../gateway/request-query.js";

export interface GatewayFacts {
  identity: { agent: string; run: string | null; profile: string };
  info: RequestInfo;
  /** The request target as received: path and query. */
  url: string;
  /** The Content-Type header, if any. */
  contentType?: string | null;
  /** The decoded body on writes (JSON, or YAML for apply patches); undefined when there is none. */
  body?: unknown;
}


/** "application/merge-patch+json; charset=utf-8" → "application/merge-patch+json". */
export function mediaType(header: string | null | undefined): string | null {
  if (header === null || header === undefined) return null;
  const type = (header.split(";")[0] ?? "").trim().toLowerCase();
  return type === "" ? null : type;
}

/** Kubernetes reads boolean query parameters this way: present, and not "false" or "0" (any case). */

/**
 * exec and attach options from the query (PodExecOptions / PodAttachOptions): `command` is
 * repeated once per argument. Null for every other verb.
 */
export function parseExecQuery(query: URLSearchParams, verb: string): ExecOptions | null {
  if (verb !== "exec" && verb !== "attach") return null;
  return {
    command: verb === "exec" ? query.getAll("command") : [],
    container: query.get("container") ?? "",
    tty: queryFlag(query, "tty"),
    stdin: queryFlag(query, "stdin"),
  };
}

export function describeRequest(facts: GatewayFacts): PolicyRequest {
  const query = queryOf(facts.url);
  return {
    agent: facts.identity.agent,
    run: facts.identity.run,
    profile: facts.identity.profile,
    info: facts.info,
    query,
    contentType: mediaType(facts.contentType),
    object: facts.body,
    exec: parseExecQuery(query, facts.info.verb),
  };
}

/** `delete pods "web-1" in namespace "dev"`, `patch deployments.apps "api" in namespace "prod"`, `GET /version`. */
export function summarizeRequest(info: RequestInfo): string {
  if (info.kind !== "resource") return `${info.verb.toUpperCase()} ${info.path}`;
  const group = info.apiGroup === "" ? "" : `.${info.apiGroup}`;
  const sub = info.subresource === "" ? "" : `/${info.subresource}`;
  const name = info.name === "" ? "" : ` "${info.name}"`;
  const namespace = info.namespace === "" || (info.resource === "namespaces" && info.apiGroup === "") ? "" : ` in namespace "${info.namespace}"`;
  return `${info.verb} ${info.resource}${group}${sub}${name}${namespace}`;
}
