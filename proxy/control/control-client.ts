// The control API from Node (the CLI): finds the running engine through the data dir's
// control.json, calls routes of the typed contract, and follows the server-sent event stream.
// Every failure is a CliError with one readable line, so a command can simply let it propagate.
import http, { type IncomingMessage } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { CONTROL_API_PREFIX, type ControlEnvelope, type ControlEvent, type ControlRoutes } from "./contract.js";
import { SseParser } from "./sse-parser.js";
import { DATA_FILES } from "../config/data-dir.js";
import { CliError } from "../cli/cli-error.js";
import type { ControlFile } from "../engine.js";

import type { ControlRoute, RouteArgs, RouteInput, RouteResult } from "./contract.js";
export type { ControlRoute, RouteInput, RouteResult };

/** How long a plain call may take. The engine answers from memory; anything slower is a hung engine. */
const CALL_TIMEOUT_MS = 15_000;
const MAX_RESPONSE = 8 * 1024 * 1024;

/** Connection failures that mean nothing is listening (any more) at the recorded address. */
const NOT_RUNNING_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

export function noEngineError(dataDir: string): CliError {
  return new CliError(`no running engine for ${dataDir} (start it with: chaperone serve)`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — alive as far as we can tell.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readControlFile(dataDir: string): ControlFile {
  const path = join(dataDir, DATA_FILES.control);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw noEngineError(dataDir);
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: Partial<ControlFile>;
  try {
    parsed = JSON.parse(text) as Partial<ControlFile>;
  } catch {
    throw new CliError(`${path} is not valid JSON; restart the engine (chaperone serve) to rewrite it`);
  }
  if (typeof parsed.url !== "string" || typeof parsed.token !== "string" || typeof parsed.pid !== "number") {
    throw new CliError(`${path} lacks url, token or pid; restart the engine (chaperone serve) to rewrite it`);
  }
  // A crashed engine leaves its control.json behind; its pid tells us without a connection attempt.
  if (!pidAlive(parsed.pid)) throw noEngineError(dataDir);
  return { url: parsed.url, token: parsed.token, pid: parsed.pid };
}

function isEnvelope(value: unknown): value is ControlEnvelope<unknown> {
  if (typeof value !== "object" || value === null || !("ok" in value)) return false;
  if (value.ok === true) return "result" in value;
  if (value.ok !== false || !("error" in value)) return false;
  const error = value.error;
  return typeof error === "object" && error !== null && "message" in error && typeof error.message === "string";
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE) {
        res.destroy(new Error("the engine's answer is too large"));
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}

/** Events the stream carries that this client understands; anything else is skipped. */
function parseEvent(data: string): ControlEvent | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== "object" || value === null || !("type" in value)) return null;
    switch (value.type) {
      case "status":
        return "status" in value ? (value as ControlEvent) : null;
      case "agents":
        return "agents" in value && Array.isArray(value.agents) ? (value as ControlEvent) : null;
      case "approvals":
        return "approvals" in value && Array.isArray(value.approvals) ? (value as ControlEvent) : null;
      case "grants":
        return "grants" in value && Array.isArray(value.grants) ? (value as ControlEvent) : null;
      default:
        return null;
    }
  } catch {
    return null;
  }
}

export interface EventStream {
  /** Resolves when the stream ends (the engine stopped, or `close()`), with why. */
  ended: Promise<string>;
  close(): void;
}

export class ControlClient {
  private constructor(
    /** For messages: which engine this is. */
    readonly dataDir: string,
    private readonly file: ControlFile,
  ) {}

  /** The engine serving `dataDir`; throws the "no running engine" CliError when there is none. */
  static forDataDir(dataDir: string): ControlClient {
    return new ControlClient(dataDir, readControlFile(dataDir));
  }

  /** Calls a route of the contract: its result, or a CliError carrying the server's message. */
  call<R extends ControlRoute>(route: R, ...[input]: RouteArgs<R>): Promise<RouteResult<R>> {
    const space = route.indexOf(" ");
    const method = route.slice(0, space);
    const params: Record<string, string> = input?.params ?? {};
    const path = route.slice(space + 1).replace(/:([A-Za-z_]+)/g, (_match, name: string) => encodeURIComponent(params[name] ?? ""));
    const body = input?.body === undefined ? undefined : JSON.stringify(input.body);
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.file.url}${path}`, {
        method,
        agent: false,
        headers: {
          Authorization: `Bearer ${this.file.token}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }),
        },
      });
      req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
      req.on("error", (error) => reject(this.transportError(error)));
      req.on("response", (res) => {
        readBody(res).then(
          (text) => {
            try {
              resolve(this.unwrap<RouteResult<R>>(res.statusCode ?? 0, text));
            } catch (error) {
              reject(error);
            }
          },
          (error: Error) => reject(this.transportError(error)),
        );
      });
      req.end(body);
    });
  }

  /**
   * Follows `GET /api/v1/events`. Resolves once the engine accepted the subscription (the first
   * snapshot events follow at once); `onEvent` then receives every event until the stream ends.
   * No reconnection: an engine that restarted has a new token and address, and a command that
   * silently watched a different engine would be more confusing than one that stops.
   */
  subscribe(onEvent: (event: ControlEvent) => void): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${this.file.url}${CONTROL_API_PREFIX}/events`, {
        agent: false,
        headers: { Authorization: `Bearer ${this.file.token}`, Accept: "text/event-stream" },
      });
      // Bounded until the engine answers; an open stream may then be quiet for as long as nothing changes.
      req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
      req.on("error", (error) => reject(this.transportError(error)));
      req.on("response", (res) => {
        req.setTimeout(0);
        if (res.statusCode !== 200) {
          readBody(res).then(
            (text) => {
              try {
                this.unwrap(res.statusCode ?? 0, text);
                reject(new CliError(`the engine's event stream answered HTTP ${res.statusCode}`));
              } catch (error) {
                reject(error);
              }
            },
            (error: Error) => reject(this.transportError(error)),
          );
          return;
        }
        const decoder = new StringDecoder("utf8");
        const parser = new SseParser((message) => {
          const event = parseEvent(message.data);
          if (event !== null) onEvent(event);
        });
        let closing = false;
        const ended = new Promise<string>((done) => {
          res.on("data", (chunk: Buffer) => parser.push(decoder.write(chunk)));
          res.on("end", () => done(closing ? "closed" : "the engine closed the event stream"));
          res.on("error", (error) => done(closing ? "closed" : `the event stream broke (${error.message})`));
          res.on("close", () => done(closing ? "closed" : "the engine closed the event stream"));
        });
        resolve({
          ended,
          close: () => {
            closing = true;
            req.destroy();
          },
        });
      });
    });
  }

  private unwrap<T>(status: number, text: string): T {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isEnvelope(parsed)) throw new CliError(`unexpected answer from the engine at ${this.file.url} (HTTP ${status})`);
    if (parsed.ok) return parsed.result as T;
    if (parsed.error.code === "unauthorized") {
      throw new CliError(`the engine at ${this.file.url} refused the token in ${join(this.dataDir, DATA_FILES.control)} (${parsed.error.message})`);
    }
    // One line, whatever the server wrote.
    throw new CliError(parsed.error.message.replace(/\s*\n\s*/g, "; "));
  }

  private transportError(error: Error): CliError {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (NOT_RUNNING_CODES.has(code)) return noEngineError(this.dataDir);
    if (code === "ETIMEDOUT") return new CliError(`the engine at ${this.file.url} did not answer within ${CALL_TIMEOUT_MS / 1000}s`);
    return new CliError(`cannot reach the engine at ${this.file.url}: ${error.message}`);
  }
}
