// Watch streams: newline-delimited JSON events ({"type","object"}), each written (and so flushed) as it
// happens. Semantics follow the watch cache: no resourceVersion or "0" starts with synthetic ADDED events
// for current objects; a resourceVersion replays history after it (410 Expired event if it is too old);
// objects moving in or out of a selector arrive as ADDED/DELETED; `sendInitialEvents=true` ends the
// initial listing with a BOOKMARK annotated `k8s.io/initial-events-end`.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ObjectStore, StoreEvent } from "./store.js";
import type { ResourceType } from "./resources.js";
import { apiVersionOf, storageKey } from "./resources.js";
import { expired } from "./status.js";
import { getPath, str, type Json, type JsonObject } from "./json.js";
import { matchesFields, matchesLabels, selectableFields, type FieldRequirement, type LabelSelector } from "./selectors.js";
import { commonHeaders, outputContentType, type Output } from "./negotiation.js";
import { partialMetadata, toTable, type IncludeObject } from "./table.js";
import { withTypeMeta } from "./registry.js";

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldRequirement[];
  resourceVersion?: string;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  output: Output;
  includeObject: IncludeObject;
}

/** Interval between progress bookmarks when the client allows them. */
const BOOKMARK_INTERVAL_MS = 30_000;
/** The server-side cap on a watch (kube-apiserver's default min-request-timeout is 1800s). */
const DEFAULT_TIMEOUT_SECONDS = 1800;

export function serveWatch(store: ObjectStore, req: IncomingMessage, res: ServerResponse, w: WatchRequest, register: (close: () => void) => () => void): void {
  const bucket = storageKey(w.type);
  const matches = (obj: JsonObject | undefined): boolean => {
    if (!obj) return false;
    if (w.namespace !== undefined && str(getPath(obj, ["metadata", "namespace"])) !== w.namespace) return false;
    if (!matchesLabels(w.labels, getPath(obj, ["metadata", "labels"]) as Record<string, unknown> | undefined)) return false;
    return matchesFields(w.fields, selectableFields(bucket, obj));
  };
  const render = (obj: JsonObject): Json => {
    const typed = withTypeMeta(w.type, obj);
    if (w.output.kind === "table") {
      return toTable(w.type, [typed], {
        includeObject: w.includeObject,
        apiVersion: `meta.k8s.io/${w.output.version}`,
        listMeta: { resourceVersion: str(getPath(obj, ["metadata", "resourceVersion"])) },
      });
    }
    if (w.output.kind === "partial") return partialMetadata(typed, `meta.k8s.io/${w.output.version}`);
    return typed;
  };

  let closed = false;
  const write = (type: string, object: Json): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = (rv: number, initialEnd = false): void => {
    const metadata: JsonObject = { resourceVersion: String(rv) };
    if (initialEnd) metadata["annotations"] = { "k8s.io/initial-events-end": "true" };
    write("BOOKMARK", { kind: w.type.kind, apiVersion: apiVersionOf(w.type), metadata });
  };

  res.writeHead(200, {
    ...commonHeaders(),
    "Content-Type": outputContentType(w.output) === "application/yaml" ? "application/json" : outputContentType(w.output),
    "Transfer-Encoding": "chunked",
  });
  res.flushHeaders();

  const deliver = (event: StoreEvent): void => {
    if (event.bucket !== bucket) return;
    const was = event.previous !== undefined && matches(event.previous);
    const is = event.type !== "DELETED" && matches(event.object);
    if (event.type === "DELETED") {
      if (was) write("DELETED", render(event.object));
    } else if (was && is) write("MODIFIED", render(event.object));
    else if (!was && is) write("ADDED", render(event.object));
    else if (was && !is) write("DELETED", render(event.object));
  };

  // Replay and subscription happen in the same tick, so no change can fall between them.
  const rvParam = w.resourceVersion ?? "";
  if (w.sendInitialEvents || rvParam === "" || rvParam === "0") {
    for (const obj of store.list(bucket, w.type.namespaced ? w.namespace : undefined)) if (matches(obj)) write("ADDED", render(obj));
    if (w.sendInitialEvents && w.allowBookmarks) bookmark(store.resourceVersion, true);
  } else {
    const from = Number(rvParam);
    const history = Number.isFinite(from) ? store.eventsSince(from) : undefined;
    if (!history) {
      write("ERROR", expired(`too old resource version: ${rvParam} (${store.oldestResumable + 1})`).toStatus() as unknown as Json);
      closed = true;
      res.end();
      return;
    }
    for (const event of history) deliver(event);
  }
  const unsubscribe = store.onChange(deliver);

  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    unregister();
    if (!res.writableEnded) res.end();
  };
  const unregister = register(finish);
  const timeout = (w.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  timers.push(setTimeout(finish, timeout));
  if (w.allowBookmarks) {
    const tick = (): void => {
      bookmark(store.resourceVersion);
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, Math.min(BOOKMARK_INTERVAL_MS, Math.max(0, timeout - 1000))));
  }
  req.on("close", finish);
  res.on("close", finish);
}
