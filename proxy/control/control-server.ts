// The control API: a loopback HTTP listener for the desktop UI and the CLI. JSON envelopes for
// every route (see contract.ts), a server-sent event stream, and the built renderer as static
// files on the same origin so the UI needs no CORS.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { join, normalize, sep, extname } from "node:path";
import type { ControlEnvelope, ControlErrorCode, ControlEvent, EngineStatus, AddAgentRequest } from "./contract.js";
import { CONTROL_API_PREFIX } from "./contract.js";
import { allowedHosts, hostAllowed, originAllowed, tokenMatches } from "./control-guard.js";
import type { AgentRegistry } from "../agents/agent-registry.js";
import { CliError } from "../cli/cli-error.js";
import { contentSecurityPolicy } from "./content-security-policy.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { PolicyEngine } from "../policy/index.js";
import { explainDescribed } from "../policy/explain-described.js";
import { policyView, replacePolicy, validatePolicy } from "./policy-routes.js";
import { parseAddAgent, parseDecideRequest, parseExplainRequest, parsePolicyText } from "./request-validation.js";

export interface ControlHandlers {
  status(): EngineStatus;
  registry: AgentRegistry;
  addAgent(request: AddAgentRequest): Promise<import("./contract.js").AddAgentResult>;
  approvals: ApprovalService;
  policy: () => PolicyEngine;
  policyPath: string;
}

export interface ControlServerOptions {
  host: string;
  port: number;
  token: string;
  handlers: ControlHandlers;
  rendererDir: string | null;
}

export interface ControlServer {
  url: string;
  port: number;
  routes: { method: string; path: string }[];
  stop(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const ERROR_STATUS: Record<ControlErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  bad_request: 400,
  conflict: 409,
  internal: 500,
};

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

function send<T>(res: ServerResponse, envelope: ControlEnvelope<T>): void {
  const body = JSON.stringify(envelope);
  const status = envelope.ok ? 200 : ERROR_STATUS[envelope.error.code];
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function fail(res: ServerResponse, code: ControlErrorCode, message: string): void {
  send(res, { ok: false, error: { code, message } });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new CliError("request body too large");
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new CliError("request body is not valid JSON");
  }
}


export function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { handlers } = options;
  let hosts = new Set<string>();
  const streams = new Set<ServerResponse>();

  interface Route {
    method: string;
    pattern: RegExp;
    /** A concrete path for this route: tests walk every route to prove each requires the token. */
    sample: string;
    handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> | void;
  }
  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/api\/v1\/status$/,
      sample: `${CONTROL_API_PREFIX}/status`,
      handle: (_req, res) => send(res, { ok: true, result: handlers.status() }),
    },
    {
      method: "GET",
      pattern: /^\/api\/v1\/agents$/,
      sample: `${CONTROL_API_PREFIX}/agents`,
      handle: (_req, res) => send(res, { ok: true, result: handlers.registry.list() }),
    },
    {
      method: "POST",
      pattern: /^\/api\/v1\/agents$/,
      sample: `${CONTROL_API_PREFIX}/agents`,
      handle: async (req, res) => send(res, { ok: true, result: await handlers.addAgent(parseAddAgent(await readJson(req))) }),
    },
    {
      method: "POST",
      pattern: /^\/api\/v1\/agents\/([^/]+)\/revoke$/,
      sample: `${CONTROL_API_PREFIX}/agents/example/revoke`,
      handle: (_req, res, match) => send(res, { ok: true, result: handlers.registry.revoke(decodeURIComponent(match[1] as string)) }),
    },
    {
      method: "GET",
      pattern: /^\/api\/v1\/approvals$/,
      sample: `${CONTROL_API_PREFIX}/approvals`,
      handle: (_req, res) => send(res, { ok: true, result: handlers.approvals.list() }),
    },
    {
      method: "GET",
      pattern: /^\/api\/v1\/approvals\/([^/]+)$/,
      sample: `${CONTROL_API_PREFIX}/approvals/example`,
      handle: (_req, res, match) => send(res, { ok: true, result: handlers.approvals.get(decodeURIComponent(match[1] as string)) }),
    },
    {
      method: "POST",
      pattern: /^\/api\/v1\/approvals\/([^/]+)\/decide$/,
      sample: `${CONTROL_API_PREFIX}/approvals/example/decide`,
      handle: async (req, res, match) =>
        send(res, { ok: true, result: handlers.approvals.decide(decodeURIComponent(match[1] as string), parseDecideRequest(await readJson(req))) }),
    },
    {
      method: "GET",
      pattern: /^\/api\/v1\/grants$/,
      sample: `${CONTROL_API_PREFIX}/grants`,
      handle: (_req, res) => send(res, { ok: true, result: handlers.approvals.grants.list() }),
    },
    {
      method: "POST",
      pattern: /^\/api\/v1\/grants\/([^/]+)\/revoke$/,
      sample: `${CONTROL_API_PREFIX}/grants/example/revoke`,
      handle: (_req, res, match) => send(res, { ok: true, result: handlers.approvals.revokeGrant(decodeURIComponent(match[1] as string)) }),
    },
    {
      method: "GET",
      pattern: /^\/api\/v1\/policy$/,
      sample: `${CONTROL_API_PREFIX}/policy`,
      handle: (_req, res) => send(res, { ok: true, result: policyView(handlers.policy(), handlers.policyPath) }),
    },
    {
      method: "PUT",
      pattern: /^\/api\/v1\/policy$/,
      sample: `${CONTROL_API_PREFIX}/policy`,
      handle: async (req, res) =>
        send(res, { ok: true, result: replacePolicy(handlers.policy(), handlers.policyPath, parsePolicyText(await readJson(req))) }),
    },
    {
      method: "POST",
      pattern: /^\/api\/v1\/policy\/validate$/,
      sample: `${CONTROL_API_PREFIX}/policy/validate`,
      handle: async (req, res) => send(res, { ok: true, result: validatePolicy(handlers.policyPath, parsePolicyText(await readJson(req))) }),
    },
    {
      method: "POST",
      pattern: /^\/api\/v1\/policy\/explain$/,
      sample: `${CONTROL_API_PREFIX}/policy/explain`,
      handle: async (req, res) => {
        const request = parseExplainRequest(await readJson(req));
        const agents = handlers.registry.list();
        const profileOf = (agent: string): string | undefined => agents.find((a) => a.name === agent && !a.revokedAt)?.profile;
        send(res, { ok: true, result: explainDescribed(handlers.policy(), profileOf, request) });
      },
    },
    {
      method: "GET",
      pattern: /^\/api\/v1\/events$/,
      sample: `${CONTROL_API_PREFIX}/events`,
      handle: (_req, res) => openEventStream(res),
    },
  ];

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    // The token check comes before routing, so no route can forget it.
    if (!tokenMatches(req, options.token)) {
      fail(res, "unauthorized", "missing or wrong control token");
      return;
    }
    const method = req.method ?? "GET";
    try {
      for (const route of routes) {
        const match = route.method === method ? route.pattern.exec(path) : null;
        if (match) {
          await route.handle(req, res, match);
          return;
        }
      }
      fail(res, "not_found", `no route ${method} ${path}`);
    } catch (error) {
      if (error instanceof CliError) {
        const message = error.message;
        fail(res, /already exists/.test(message) ? "conflict" : /^no agent/.test(message) ? "not_found" : "bad_request", message);
      } else {
        fail(res, "internal", (error as Error).message);
      }
    }
  };

  const snapshot = (): ControlEvent[] => [
    { type: "status", status: handlers.status() },
    { type: "agents", agents: handlers.registry.list() },
    { type: "approvals", approvals: handlers.approvals.list() },
    { type: "grants", grants: handlers.approvals.grants.list() },
  ];

  const openEventStream = (res: ServerResponse): void => {
    res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "text/event-stream", Connection: "keep-alive" });
    const last = new Map<string, string>();
    const push = (): void => {
      for (const event of snapshot()) {
        const data = JSON.stringify(event);
        if (last.get(event.type) === data) continue;
        last.set(event.type, data);
        res.write(`event: ${event.type}\ndata: ${data}\n\n`);
      }
    };
    push();
    // Approvals are pushed the moment they change: a person is waiting to see them.
    const onApprovals = (): void => push();
    handlers.approvals.queue.on("change", onApprovals);
    // Status and the registry change from several places (CLI, other windows); polling the
    // snapshot once a second is simpler than wiring every writer, and costs nothing measurable.
    const timer = setInterval(push, 1000);
    streams.add(res);
    res.on("close", () => {
      clearInterval(timer);
      handlers.approvals.queue.off("change", onApprovals);
      streams.delete(res);
    });
  };

  const serveStatic = async (res: ServerResponse, path: string): Promise<void> => {
    if (!options.rendererDir) {
      fail(res, "not_found", "the UI is not built (npm run build)");
      return;
    }
    const relative = path === "/" ? "index.html" : decodeURIComponent(path.slice(1));
    const full = normalize(join(options.rendererDir, relative));
    if (!full.startsWith(options.rendererDir + sep)) {
      fail(res, "not_found", "not found");
      return;
    }
    try {
      const body = await readFile(full);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        "Content-Type": MIME[extname(full)] ?? "application/octet-stream",
        "Content-Length": body.length,
        "Content-Security-Policy": contentSecurityPolicy("header"),
      });
      res.end(body);
    } catch {
      fail(res, "not_found", `not found: ${path}`);
    }
  };

  const server = http.createServer((req, res) => {
    if (!hostAllowed(req, hosts)) {
      fail(res, "forbidden", "Host header is not this control API's loopback address");
      return;
    }
    if (!originAllowed(req, hosts)) {
      fail(res, "forbidden", "cross-origin requests are refused");
      return;
    }
    const path = (req.url ?? "/").split("?")[0] as string;
    if (path.startsWith(`${CONTROL_API_PREFIX}/`)) {
      void api(req, res, path);
    } else if (req.method === "GET" || req.method === "HEAD") {
      void serveStatic(res, path);
    } else {
      fail(res, "not_found", `no route ${req.method} ${path}`);
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      hosts = allowedHosts(port);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        routes: routes.map((r) => ({ method: r.method, path: r.sample })),
        stop: async () => {
          for (const stream of streams) stream.end();
          server.closeAllConnections();
          await new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}
