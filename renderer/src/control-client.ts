// Typed access to the engine's control API. Every route, body and result type comes from the
// engine's own contract, so the renderer cannot drift from the server. The page is served by the
// control server itself, so URLs are relative (same origin) and the token rides in a header.
import {
  CONTROL_API_PREFIX,
  type AddAgentRequest,
  type AddAgentResult,
  type AgentSummary,
  type ApprovalView,
  type ControlEnvelope,
  type ControlErrorCode,
  type ControlEvent,
  type ControlRoutes,
  type DecideRequest,
  type DecideResult,
  type EngineStatus,
  type GrantView,
} from "../../proxy/control/contract.js";
import { SseParser } from "../../proxy/control/sse-parser.js";

import type { ControlRoute, RouteArgs, RouteInput, RouteResult } from "../../proxy/control/contract.js";
export type { ControlRoute, RouteInput, RouteResult };

export interface EventStreamHandlers {
  onEvent(event: ControlEvent): void;
  /** The stream is connected (again); the UI may want to refetch what it missed meanwhile. */
  onOpen?(): void;
  /** The stream dropped or could not connect; it retries by itself unless the token was refused. */
  onError?(message: string, code: ControlErrorCode | null): void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

const STATUS_CODES: ReadonlyMap<number, ControlErrorCode> = new Map([
  [400, "bad_request"],
  [401, "unauthorized"],
  [403, "forbidden"],
  [404, "not_found"],
  [409, "conflict"],
]);

export class ControlClient {
  constructor(
    private readonly token: string,
    /** Empty for the same-origin page; an absolute origin only for callers outside it. */
    private readonly baseUrl = "",
  ) {}

  status(): Promise<ControlEnvelope<EngineStatus>> {
    return this.call("GET /api/v1/status");
  }

  agents(): Promise<ControlEnvelope<AgentSummary[]>> {
    return this.call("GET /api/v1/agents");
  }

  addAgent(request: AddAgentRequest): Promise<ControlEnvelope<AddAgentResult>> {
    return this.call("POST /api/v1/agents", { body: request });
  }

  revokeAgent(name: string): Promise<ControlEnvelope<AgentSummary>> {
    return this.call("POST /api/v1/agents/:name/revoke", { params: { name } });
  }

  approvals(): Promise<ControlEnvelope<ApprovalView[]>> {
    return this.call("GET /api/v1/approvals");
  }

  decide(id: string, request: DecideRequest): Promise<ControlEnvelope<DecideResult>> {
    return this.call("POST /api/v1/approvals/:id/decide", { params: { id }, body: request });
  }

  grants(): Promise<ControlEnvelope<GrantView[]>> {
    return this.call("GET /api/v1/grants");
  }

  revokeGrant(id: string): Promise<ControlEnvelope<GrantView>> {
    return this.call("POST /api/v1/grants/:id/revoke", { params: { id } });
  }

  /**
   * Calls a route of the contract. Transport failures and non-envelope answers come back as
   * `{ ok: false }` too, so every caller handles exactly one shape (it throws only on a missing
   * path parameter, which the types already rule out).
   */
  async call<R extends ControlRoute>(route: R, ...[input]: RouteArgs<R>): Promise<ControlEnvelope<RouteResult<R>>> {
    const space = route.indexOf(" ");
    const method = route.slice(0, space);
    const params: Record<string, string> = input?.params ?? {};
    const path = route.slice(space + 1).replace(/:([A-Za-z_]+)/g, (_match, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`missing path parameter ${name} for ${route}`);
      return encodeURIComponent(value);
    });
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: "application/json" };
    let body: string | undefined;
    if (input?.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(input.body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, cache: "no-store", credentials: "omit" });
    } catch (error) {
      return failure("internal", `Cannot reach the Chaperone engine: ${describe(error)}`);
    }
    return readEnvelope<RouteResult<R>>(response);
  }

  /**
   * Follows `GET /api/v1/events` until `signal` aborts, reconnecting with backoff. A fetch-based
   * reader because EventSource cannot send the Authorization header.
   */
  async streamEvents(handlers: EventStreamHandlers, signal: AbortSignal): Promise<void> {
    let delay = RETRY_MIN_MS;
    let serverRetry: number | null = null;
    while (!signal.aborted) {
      try {
        const response = await fetch(`${this.baseUrl}${CONTROL_API_PREFIX}/events`, {
          headers: { Authorization: `Bearer ${this.token}`, Accept: "text/event-stream" },
          cache: "no-store",
          credentials: "omit",
          signal,
        });
        if (!response.ok || response.body === null) {
          const envelope = await readEnvelope<unknown>(response);
          const error = envelope.ok ? { code: "internal" as const, message: `HTTP ${response.status}` } : envelope.error;
          // A refused token will not become valid by retrying: it belongs to another engine launch.
          if (error.code === "unauthorized") {
            handlers.onError?.(error.message, error.code);
            return;
          }
          throw new Error(error.message);
        }
        const parser = new SseParser((message) => {
          const event = parseEvent(message.data);
          if (event !== null) handlers.onEvent(event);
        });
        delay = RETRY_MIN_MS;
        handlers.onOpen?.();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(value);
        }
        serverRetry = parser.retryMs;
        handlers.onError?.("The event stream ended", null);
      } catch (error) {
        if (signal.aborted) return;
        handlers.onError?.(`Event stream interrupted: ${describe(error)}`, null);
      }
      await sleep(serverRetry ?? delay, signal);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}

async function readEnvelope<T>(response: Response): Promise<ControlEnvelope<T>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await response.text());
  } catch {
    parsed = undefined;
  }
  if (isEnvelope(parsed)) return parsed as ControlEnvelope<T>;
  const code = STATUS_CODES.get(response.status) ?? "internal";
  return failure(code, `Unexpected answer from the engine (HTTP ${response.status})`);
}

function isEnvelope(value: unknown): value is ControlEnvelope<unknown> {
  if (typeof value !== "object" || value === null || !("ok" in value)) return false;
  if (value.ok === true) return "result" in value;
  if (value.ok !== false || !("error" in value)) return false;
  const error = value.error;
  return typeof error === "object" && error !== null && "code" in error && "message" in error && typeof error.message === "string";
}

/** Stream events are JSON `ControlEvent`s in the `data:` field; anything else is skipped. */
function parseEvent(data: string): ControlEvent | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== "object" || value === null || !("type" in value)) return null;
    if (value.type === "status" && "status" in value) return value as ControlEvent;
    if (value.type === "agents" && "agents" in value && Array.isArray(value.agents)) return value as ControlEvent;
    if (value.type === "approvals" && "approvals" in value && Array.isArray(value.approvals)) return value as ControlEvent;
    if (value.type === "grants" && "grants" in value && Array.isArray(value.grants)) return value as ControlEvent;
    return null;
  } catch {
    return null;
  }
}

function failure<T>(code: ControlErrorCode, message: string): ControlEnvelope<T> {
  return { ok: false, error: { code, message } };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
