// Pod logs (`GET .../pods/NAME/log`). There is no container runtime, so a pod's log is scripted by the
// pod's own annotations:
//   test.chaperone.dev/log-lines            JSON array of lines the container wrote at start
//   test.chaperone.dev/log-lines.<container> the same, for one container (overrides the above)
//   test.chaperone.dev/log-every-ms         while a client follows (`follow=true`), emit a line this often
//   test.chaperone.dev/log-line             the periodic line; `{n}` becomes 1, 2, 3... and `{container}`
//                                           the container name (default: "tick {n}")
//   test.chaperone.dev/previous-log-lines   JSON array: the log of the previous instance (`previous=true`),
//                                           served only when the container has restarted
// Tests can also push lines at run time with TestCluster.appendLog(). Lines are flushed one by one.
// Query options as the kubelet implements them: container, follow, tailLines, timestamps, sinceSeconds,
// sinceTime, limitBytes, previous.
import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest } from "./status.js";
import { getPath, isObject, str, type JsonObject } from "./json.js";
import { commonHeaders } from "./negotiation.js";
import type { ObjectStore } from "./store.js";

export const LOG_LINES = "test.chaperone.dev/log-lines";
export const LOG_EVERY_MS = "test.chaperone.dev/log-every-ms";
export const LOG_LINE = "test.chaperone.dev/log-line";
export const PREVIOUS_LOG_LINES = "test.chaperone.dev/previous-log-lines";

interface Entry {
  time: number;
  line: string;
}

interface Follower {
  key: string;
  podKey: string;
  push(entry: Entry): void;
  end(): void;
}

/** RFC 3339 with nanoseconds, as the kubelet prefixes lines when `timestamps=true`. */
function nanoTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

function parseLines(raw: unknown): string[] {
  if (typeof raw !== "string" || raw === "") return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (Array.isArray(parsed)) return parsed.map((l) => (typeof l === "string" ? l : JSON.stringify(l)));
  } catch {
    // Not JSON: treat it as newline-separated text.
  }
  return raw.split("\n");
}

export class PodLogs {
  private readonly appended = new Map<string, Entry[]>();
  private readonly followers = new Set<Follower>();

  constructor(store: ObjectStore) {
    store.onChange((event) => {
      if (event.bucket !== "/pods" || event.type !== "DELETED") return;
      const podKey = `${str(getPath(event.object, ["metadata", "namespace"]))}/${str(getPath(event.object, ["metadata", "name"]))}`;
      this.appended.forEach((_v, k) => {
        if (k.startsWith(`${podKey}/`)) this.appended.delete(k);
      });
      for (const f of [...this.followers]) if (f.podKey === podKey) f.end();
    });
  }

  append(namespace: string, pod: string, container: string, line: string): void {
    const key = `${namespace}/${pod}/${container}`;
    const entry = { time: Date.now(), line };
    const list = this.appended.get(key) ?? [];
    list.push(entry);
    this.appended.set(key, list);
    for (const f of this.followers) if (f.key === key) f.push(entry);
  }

  closeAll(): void {
    for (const f of [...this.followers]) f.end();
  }

  serve(req: IncomingMessage, res: ServerResponse, pod: JsonObject, query: URLSearchParams): void {
    const name = str(getPath(pod, ["metadata", "name"]));
    const namespace = str(getPath(pod, ["metadata", "namespace"]));
    const containers = (getPath(pod, ["spec", "containers"]) as unknown[] | undefined)?.filter(isObject) ?? [];
    const inits = (getPath(pod, ["spec", "initContainers"]) as unknown[] | undefined)?.filter(isObject) ?? [];
    const names = containers.map((c) => str(c["name"]));
    const initNames = inits.map((c) => str(c["name"]));
    let container = query.get("container") ?? "";
    if (container === "") {
      if (names.length === 1 && initNames.length === 0) container = names[0] ?? "";
      else {
        const init = initNames.length ? ` or one of the init containers: [${initNames.join(" ")}]` : "";
        throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]${init}`);
      }
    }
    if (!names.includes(container) && !initNames.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const statuses = [...((getPath(pod, ["status", "containerStatuses"]) as unknown[]) ?? []), ...((getPath(pod, ["status", "initContainerStatuses"]) as unknown[]) ?? [])].filter(isObject);
    const status = statuses.find((s) => s["name"] === container);
    const waiting = getPath(status, ["state", "waiting", "reason"]);
    if (typeof waiting === "string") throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting}`);

    const annotations = (getPath(pod, ["metadata", "annotations"]) ?? {}) as Record<string, unknown>;
    const start = Date.parse(str(getPath(pod, ["status", "startTime"])) || str(getPath(pod, ["metadata", "creationTimestamp"]))) || Date.now();
    let entries: Entry[];
    if (query.get("previous") === "true") {
      if (Number(status?.["restartCount"] ?? 0) === 0) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
      entries = parseLines(annotations[PREVIOUS_LOG_LINES]).map((line, i) => ({ time: start - 1000 + i, line }));
    } else {
      const own = annotations[`${LOG_LINES}.${container}`];
      const lines = parseLines(own !== undefined ? own : annotations[LOG_LINES]);
      entries = [...lines.map((line, i) => ({ time: start + i, line })), ...(this.appended.get(`${namespace}/${name}/${container}`) ?? [])];
    }

    const sinceSeconds = query.get("sinceSeconds");
    const sinceTime = query.get("sinceTime");
    if (sinceSeconds !== null) {
      const n = Number(sinceSeconds);
      if (!Number.isInteger(n) || n < 1) throw badRequest(`PodLogOptions "${name}" is invalid: sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
      entries = entries.filter((e) => e.time >= Date.now() - n * 1000);
    } else if (sinceTime !== null) {
      const t = Date.parse(sinceTime);
      entries = entries.filter((e) => e.time >= t);
    }
    const tail = query.get("tailLines");
    if (tail !== null) {
      const n = Number(tail);
      if (!Number.isInteger(n) || n < 0) throw badRequest(`PodLogOptions "${name}" is invalid: tailLines: Invalid value: ${tail}: must be greater than or equal to 0`);
      entries = n === 0 ? [] : entries.slice(-n);
    }
    const timestamps = query.get("timestamps") === "true";
    const limitParam = query.get("limitBytes");
    let remaining = limitParam === null ? Infinity : Number(limitParam);
    const follow = query.get("follow") === "true" || query.get("follow") === "1";

    res.writeHead(200, { ...commonHeaders(), "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    let ended = false;
    const writeEntry = (e: Entry): void => {
      if (ended) return;
      let text = `${timestamps ? `${nanoTimestamp(e.time)} ` : ""}${e.line}\n`;
      if (Buffer.byteLength(text) > remaining) text = Buffer.from(text).subarray(0, remaining).toString("utf8");
      remaining -= Buffer.byteLength(text);
      res.write(text);
      if (remaining <= 0) finish();
    };
    const cleanups: (() => void)[] = [];
    const finish = (): void => {
      if (ended) return;
      ended = true;
      for (const c of cleanups) c();
      if (!res.writableEnded) res.end();
    };
    for (const e of entries) writeEntry(e);
    if (!follow || ended) {
      finish();
      return;
    }
    const follower: Follower = { key: `${namespace}/${name}/${container}`, podKey: `${namespace}/${name}`, push: writeEntry, end: finish };
    this.followers.add(follower);
    cleanups.push(() => this.followers.delete(follower));
    const every = Number(annotations[LOG_EVERY_MS]);
    if (Number.isFinite(every) && every > 0) {
      const template = typeof annotations[LOG_LINE] === "string" ? (annotations[LOG_LINE] as string) : "tick {n}";
      let n = 0;
      const interval = setInterval(() => {
        n++;
        writeEntry({ time: Date.now(), line: template.replace(/\{n\}/g, String(n)).replace(/\{container\}/g, container) });
      }, every);
      cleanups.push(() => clearInterval(interval));
    }
    req.on("close", finish);
    res.on("close", finish);
  }
}
