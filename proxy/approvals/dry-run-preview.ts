// The approver's preview of a held write: the same request sent with dryRun=All (the API server
// validates, admits and computes the result but persists nothing), diffed against the object as
// it is now. Only create / update / patch / delete / deletecollection are previewed; the dryRun
// parameter is set by rewriting the query, whatever the agent sent.
import { stringify } from "yaml";
import type { Upstream } from "../upstream/upstream.js";
import { upstreamFetch } from "../upstream/upstream-fetch.js";
import type { ResourceRequestInfo } from "../gateway/request-info.js";
import type { ApprovalPreview } from "../control/contract.js";
import { unifiedDiff } from "./line-diff.js";

const PREVIEW_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);

export function previewable(info: ResourceRequestInfo): boolean {
  return PREVIEW_VERBS.has(info.verb);
}

/** The agent's request target with dryRun=All (any dryRun it sent is replaced). */
export function dryRunTarget(url: string): string {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  query.delete("dryRun");
  query.set("dryRun", "All");
  return `${path}?${query.toString()}`;
}

/** Fields that change on every write and would drown the diff. */
function forDisplay(object: unknown): string {
  if (typeof object !== "object" || object === null) return "";
  const copy = structuredClone(object) as { metadata?: Record<string, unknown>; kind?: string };
  if (copy.kind === "Status") return "";
  if (copy.metadata) {
    delete copy.metadata.managedFields;
    delete copy.metadata.resourceVersion;
    delete copy.metadata.generation;
  }
  return stringify(copy);
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export async function dryRunPreview(
  upstream: Upstream,
  info: ResourceRequestInfo,
  method: string,
  url: string,
  body: Buffer | null,
  contentType: string | undefined,
): Promise<ApprovalPreview> {
  const dryRun = await upstreamFetch(upstream, method, dryRunTarget(url), { body, contentType });
  const result = parse(dryRun.body) as { kind?: string; message?: string } | undefined;
  if (dryRun.status >= 400) {
    return {
      state: "ready",
      status: dryRun.status,
      rejected: true,
      message: result?.kind === "Status" && result.message ? result.message : `the API server answered ${dryRun.status}`,
      diff: null,
    };
  }
  let current = "";
  if (info.name && info.verb !== "create") {
    const path = url.split("?")[0] as string;
    const got = await upstreamFetch(upstream, "GET", path);
    if (got.status === 200) current = forDisplay(parse(got.body));
  }
  const after = info.verb === "delete" || info.verb === "deletecollection" ? "" : forDisplay(result);
  return { state: "ready", status: dryRun.status, rejected: false, message: null, diff: unifiedDiff(current, after) };
}
