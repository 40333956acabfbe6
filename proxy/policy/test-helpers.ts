// Requests for the policy tests and benchmark, built the way the gateway builds them: the real
// classifier on a method and URL, then describeRequest.
import { classifyRequest } from "../gateway/request-info.js";
import { describeRequest } from "./describe-request.js";
import type { PolicyRequest } from "./policy-types.js";

export interface RequestOptions {
  agent?: string;
  run?: string | null;
  profile?: string;
  body?: unknown;
  contentType?: string;
}

export function policyRequest(method: string, url: string, options: RequestOptions = {}): PolicyRequest {
  const info = classifyRequest(method, url);
  if (info.kind === "refused") throw new Error(`test request refused by the classifier: ${info.reason}`);
  return describeRequest({
    identity: { agent: options.agent ?? "claude", run: options.run ?? null, profile: options.profile ?? "guarded" },
    info,
    url,
    contentType: options.contentType ?? (options.body === undefined ? null : method === "PATCH" ? "application/strategic-merge-patch+json" : "application/json"),
    body: options.body,
  });
}
