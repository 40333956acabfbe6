// The load generator: a child process of its own, so the client's work never shares an event
// loop with the orchestrator, and so its CPU use can be read like any other process's. It runs one
// job at a time, on keep-alive connections it keeps between rounds (connection set-up is never
// inside a measured interval).
import { Http1Connection, requestHead, type ResponseHandler } from "./http1-client.js";
import { runExec } from "./exec-client.js";
import { SENT_ANNOTATION, STAMP_DIGITS, WATCH_EVENTS } from "./canned-api.js";
import type {
  CloseIdleResult,
  ExecJob,
  ExecResult,
  Job,
  JobMessage,
  JobResult,
  OpenIdleJob,
  OpenIdleResult,
  RequestsJob,
  RequestsResult,
  ResultMessage,
  Target,
  WatchBurstJob,
  WatchBurstResult,
  WatchPacedJob,
  WatchPacedResult,
} from "./jobs.js";

const pools = new Map<string, Http1Connection[]>();
const idle: Http1Connection[] = [];

function poolKey(target: Target, concurrency: number): string {
  return `${target.name}/${target.port}/${concurrency}`;
}

async function pool(target: Target, concurrency: number): Promise<Http1Connection[]> {
  const key = poolKey(target, concurrency);
  const existing = pools.get(key) ?? [];
  const alive = existing.filter((c) => c.alive);
  while (alive.length < concurrency) alive.push(await Http1Connection.open(target));
  pools.set(key, alive);
  return alive;
}

/** A growable Float64Array: no per-sample allocation in the hot loop. */
class Samples {
  private data = new Float64Array(16_384);
  length = 0;
  add(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

async function runRequests(job: RequestsJob): Promise<RequestsResult> {
  const connections = await pool(job.target, job.concurrency);
  // Head and body go out as one prebuilt buffer, like a GET's head: one write per request.
  const body = job.body ? Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength) : null;
  const head = body
    ? Buffer.concat([requestHead(job.target, job.method ?? "POST", job.path, { "Content-Type": "application/json", "Content-Length": String(body.length) }), body])
    : requestHead(job.target, job.method ?? "GET", job.path);
  const okStatus = job.okStatus ?? 200;
  const samples = new Samples();
  let errors = 0;
  let firstError: string | null = null;
  let bodyBytes = 0;
  let count = 0;
  const started = performance.now();
  const deadline = started + job.durationMs;
  const max = job.maxRequests ?? 0;
  return new Promise((resolve) => {
    let running = connections.length;
    let lastEnd = started;
    const stop = (): void => {
      if (--running > 0) return;
      resolve({ kind: "requests", count, errors, firstError, elapsedMs: lastEnd - started, bodyBytes, latenciesMs: samples.toArray() });
    };
    const next = (connection: Http1Connection): void => {
      const now = performance.now();
      if (now >= deadline || (max > 0 && count + errors >= max)) {
        stop();
        return;
      }
      const sentAt = now;
      const handler: ResponseHandler = {
        onEnd(status, bytes) {
          const end = performance.now();
          lastEnd = end;
          if (status === okStatus) {
            samples.add(end - sentAt);
            bodyBytes += bytes;
            count++;
          } else {
            errors++;
            firstError ??= `HTTP ${status}`;
          }
          next(connection);
        },
        onError(error) {
          errors++;
          firstError ??= error.message;
          // Replace the broken connection and go on; the error is reported, not hidden.
          Http1Connection.open(job.target).then(
            (fresh) => {
              const i = connections.indexOf(connection);
              if (i >= 0) connections[i] = fresh;
              next(fresh);
            },
            () => stop(),
          );
        },
      };
      connection.request(head, handler);
    };
    for (const connection of connections) next(connection);
  });
}

async function runWatchBurst(job: WatchBurstJob): Promise<WatchBurstResult> {
  const connection = await Http1Connection.open(job.target);
  const head = requestHead(job.target, "GET", job.path);
  return new Promise((resolve, reject) => {
    let events = 0;
    let lastEventAt = 0;
    const timer = setTimeout(() => {
      connection.close();
      reject(new Error(`watch delivered ${events} of ${WATCH_EVENTS} events within ${job.timeoutMs} ms`));
    }, job.timeoutMs);
    const started = performance.now();
    connection.request(head, {
      onBody(data) {
        // One event per line; counting newlines is all the client does per event.
        let at = data.indexOf(10);
        let seen = 0;
        while (at >= 0) {
          seen++;
          at = data.indexOf(10, at + 1);
        }
        if (seen > 0) {
          events += seen;
          lastEventAt = performance.now();
        }
      },
      onEnd(status, bytes) {
        clearTimeout(timer);
        connection.close();
        if (status !== 200) reject(new Error(`watch answered HTTP ${status}`));
        else if (events !== WATCH_EVENTS) reject(new Error(`watch ended after ${events} of ${WATCH_EVENTS} events`));
        else resolve({ kind: "watch-burst", events, bodyBytes: bytes, elapsedMs: lastEventAt - started });
      },
      onError(error) {
        clearTimeout(timer);
        reject(error);
      },
    });
  });
}

async function runWatchPaced(job: WatchPacedJob): Promise<WatchPacedResult> {
  const connection = await Http1Connection.open(job.target);
  const head = requestHead(job.target, "GET", job.path);
  const marker = Buffer.from(`"${SENT_ANNOTATION}":"`, "latin1");
  const delays = new Samples();
  let carry: Buffer | null = null;
  return new Promise((resolve, reject) => {
    let status = 0;
    const finish = (): void => {
      connection.close();
      if (status !== 200) reject(new Error(`paced watch answered HTTP ${status}`));
      else resolve({ kind: "watch-paced", delaysMs: delays.toArray() });
    };
    connection.request(head, {
      onHead(s) {
        status = s;
        setTimeout(finish, job.durationMs);
      },
      onBody(data) {
        const receivedNs = process.hrtime.bigint();
        const buffer = carry ? Buffer.concat([carry, data]) : data;
        let start = 0;
        let nl = buffer.indexOf(10);
        while (nl >= 0) {
          const at = buffer.indexOf(marker, start);
          if (at >= 0 && at < nl) {
            const from = at + marker.length;
            const sentNs = BigInt(buffer.toString("latin1", from, from + STAMP_DIGITS));
            delays.add(Number(receivedNs - sentNs) / 1e6);
          }
          start = nl + 1;
          nl = buffer.indexOf(10, start);
        }
        carry = start < buffer.length ? Buffer.from(buffer.subarray(start)) : null;
      },
      onEnd() {
        finish();
      },
      onError(error) {
        if (status === 200) finish();
        else reject(error);
      },
    });
  });
}

async function runExecJob(job: ExecJob): Promise<ExecResult> {
  const outcome = await runExec(job.target, job.path, job.protocol, job.bytes, job.timeoutMs);
  return { kind: "exec", ...outcome };
}

async function openIdle(job: OpenIdleJob): Promise<OpenIdleResult> {
  const head = requestHead(job.target, "GET", job.path);
  const started = performance.now();
  let next = 0;
  let opened = 0;
  let firstError: string | null = null;
  const openOne = async (): Promise<void> => {
    const connection = await Http1Connection.open(job.target);
    await new Promise<void>((resolve, reject) => {
      connection.request(head, {
        onHead(status) {
          if (status === 200) {
            idle.push(connection);
            opened++;
            resolve();
          } else {
            connection.close();
            reject(new Error(`idle watch answered HTTP ${status}`));
          }
        },
        onEnd(status) {
          reject(new Error(`idle watch ended (HTTP ${status})`));
        },
        onError: reject,
      });
    });
  };
  const lane = async (): Promise<void> => {
    while (next < job.count && performance.now() - started < job.timeoutMs) {
      next++;
      try {
        await openOne();
      } catch (error) {
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.parallel, job.count) }, lane));
  return { kind: "open-idle", opened, elapsedMs: performance.now() - started, firstError };
}

function closeIdle(): CloseIdleResult {
  const closed = idle.length;
  for (const connection of idle.splice(0)) connection.close();
  return { kind: "close-idle", closed };
}

async function run(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case "requests":
      return runRequests(job);
    case "watch-burst":
      return runWatchBurst(job);
    case "watch-paced":
      return runWatchPaced(job);
    case "exec":
      return runExecJob(job);
    case "open-idle":
      return openIdle(job);
    case "close-idle":
      return closeIdle();
    case "reset":
      for (const connections of pools.values()) for (const c of connections) c.close();
      pools.clear();
      return { kind: "reset" };
  }
}

process.on("message", (message: JobMessage) => {
  run(message.job).then(
    (result) => process.send?.({ id: message.id, result } satisfies ResultMessage),
    (error: unknown) => process.send?.({ id: message.id, error: (error as Error).message } satisfies ResultMessage),
  );
});
process.once("disconnect", () => process.exit(0));
