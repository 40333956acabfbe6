// The HTTPS front: TLS with client-certificate support, authentication, request recording, routing of
// health/version/discovery/OpenAPI/resource paths, RBAC, and hand-off of exec/attach/portforward
// upgrades (WebSocket GETs and SPDY POSTs) to the streaming helper.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { ApiError, badRequest, internalError, methodNotAllowed, pathNotFound, unauthorized } from "./status.js";
import { type Json, type JsonObject } from "./json.js";
import { Authenticator, type AuthMethod, type UserInfo } from "./auth.js";
import { authorize, forbiddenError, type RequestAttributes } from "./rbac.js";
import { commonHeaders, sendBody, sendError } from "./negotiation.js";
import { aggregatedContentType, aggregatedDiscovery, aggregatedVersionRequested, apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.js";
import { openApiV2, openApiV3Documents, openApiV3Root } from "./openapi.js";
import { encodeOpenApiV2Proto, OPENAPI_V2_PROTO, OPENAPI_V2_PROTO_ACCEPTED } from "./openapi-proto.js";
import { handleResourceRequest, parseResourcePath, resolveType, verbOf, type ApiContext } from "./rest.js";
import { parseAccept } from "./negotiation.js";
import { handleStreamingUpgrade } from "./streaming/index.js";
import { parsePodProxyPath, proxyToPod } from "./pod-proxy.js";
import type { PodLike } from "./streaming/container.js";

export interface RecordedRequest {
  method: string;
  /** The request target, path and query. */
  path: string;
  /** Authenticated username, or null. */
  user: string | null;
  authMethod: AuthMethod | null;
  headers: Record<string, string | string[] | undefined>;
}

export interface ServerOptions {
  key: string;
  cert: string;
  ca: string;
  serverVersion: string;
  api: ApiContext;
  auth: Authenticator;
  requests: RecordedRequest[];
}

const HEALTH = new Set(["/healthz", "/livez", "/readyz"]);
const HEALTH_CHECKS = ["ping", "log", "etcd", "poststarthook/start-apiserver-admission-initializer", "poststarthook/generic-apiserver-start-informers"];

function healthResponse(res: ServerResponse, pathname: string, query: URLSearchParams): void {
  const root = `/${pathname.split("/")[1] ?? ""}`;
  let body = "ok";
  if (query.has("verbose")) {
    body = `${HEALTH_CHECKS.map((c) => `[+]${c} ok`).join("\n")}\n${root.slice(1)} check passed\n`;
  }
  res.writeHead(200, { ...commonHeaders(), "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export class ApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket | Duplex>();
  private openapiV3: Map<string, JsonObject> | undefined;
  private openapiV2Json: JsonObject | undefined;
  private openapiV2Proto: Buffer | undefined;
  port = 0;

  constructor(private readonly options: ServerOptions) {}

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(port: number): Promise<number> {
    if (this.server?.listening) return this.port;
    const server = createServer({
      key: this.options.key,
      cert: this.options.cert,
      ca: this.options.ca,
      requestCert: true,
      rejectUnauthorized: false,
      // Streams (watch, logs -f) are long-lived responses; only the request itself is time-bounded.
      requestTimeout: 0,
    });
    server.keepAliveTimeout = 65_000;
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("secureConnection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("request", (req, res) => {
      void this.handle(req, res);
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      this.handleUpgrade(req, socket, head);
    });
    server.on("tlsClientError", () => {
      // Clients that reject our certificate (or probe with plain TCP) just go away.
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === "object" && address ? address.port : port;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    server.closeAllConnections?.();
    await closed;
  }

  private record(req: IncomingMessage): RecordedRequest {
    const entry: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", user: null, authMethod: null, headers: { ...req.headers } };
    this.options.requests.push(entry);
    return entry;
  }

  private authenticate(req: IncomingMessage, entry: RecordedRequest): UserInfo | "anonymous" {
    const outcome = this.options.auth.authenticate(req);
    if (outcome.kind === "rejected") throw unauthorized();
    if (outcome.kind === "anonymous") return "anonymous";
    entry.user = outcome.user.username;
    entry.authMethod = outcome.method;
    return outcome.user;
  }

  private authorizeOrThrow(attrs: RequestAttributes): void {
    if (!authorize(this.options.api.store, attrs).allowed) throw forbiddenError(attrs);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry = this.record(req);
    try {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
      const identity = this.authenticate(req, entry);
      const healthRoot = `/${pathname.split("/")[1] ?? ""}`;
      if (identity === "anonymous") {
        // Anonymous access reaches only what system:public-info-viewer allows.
        if (HEALTH.has(healthRoot) && req.method === "GET") return healthResponse(res, pathname, url.searchParams);
        throw unauthorized();
      }
      const user = identity;
      const podProxy = parsePodProxyPath(url.pathname, url.search);
      if (podProxy) {
        const method = (req.method ?? "GET").toLowerCase();
        this.authorizeOrThrow({ user, verb: method === "head" ? "get" : method === "post" ? "create" : method === "put" ? "update" : method, resourceRequest: true, apiGroup: "", resource: "pods", subresource: "proxy", name: podProxy.name, namespace: podProxy.namespace });
        const pod = this.options.api.registry.get(resolveType({ group: "", version: "v1", resource: "pods", watchPrefix: false }), podProxy.namespace, podProxy.name);
        await proxyToPod(podProxy, pod as PodLike, req, res);
        return;
      }
      const info = parseResourcePath(pathname);
      if (!info) {
        const method = (req.method ?? "GET").toLowerCase();
        this.authorizeOrThrow({ user, verb: method === "head" ? "get" : method, resourceRequest: false, path: pathname });
        if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed();
        this.serveNonResource(req, res, pathname, url.searchParams);
        return;
      }
      const type = resolveType(info);
      const verb = verbOf(req.method ?? "GET", info, url.searchParams);
      this.authorizeOrThrow({
        user,
        verb,
        resourceRequest: true,
        apiGroup: info.group,
        resource: info.resource,
        ...(info.subresource ? { subresource: info.subresource } : {}),
        ...(info.name ? { name: info.name } : {}),
        ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
      });
      await handleResourceRequest(this.options.api, { req, res, info, type, query: url.searchParams, user, verb });
    } catch (error) {
      if (error instanceof ApiError) {
        const headers: Record<string, string> = error.code === 401 ? { "Www-Authenticate": 'Basic realm="kubernetes-master"' } : {};
        sendError(res, error, headers);
      } else {
        process.stderr.write(`test cluster: ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}\n`);
        sendError(res, internalError((error as Error).message));
      }
    }
  }

  private serveNonResource(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): void {
    const healthRoot = `/${pathname.split("/")[1] ?? ""}`;
    if (HEALTH.has(healthRoot)) return healthResponse(res, pathname, query);
    const version = this.options.serverVersion;
    const accept = req.headers.accept;
    if (pathname === "/version") return sendBody(res, 200, versionInfo(version));
    if (pathname === "/api" || pathname === "/apis") {
      const aggregated = aggregatedVersionRequested(accept);
      if (aggregated) return sendBody(res, 200, aggregatedDiscovery(pathname === "/api", aggregated), aggregatedContentType(aggregated));
      return sendBody(res, 200, pathname === "/api" ? apiVersions(`127.0.0.1:${this.port}`) : apiGroupList());
    }
    const parts = pathname.split("/").filter(Boolean);
    if (parts[0] === "api" && parts.length === 2) {
      const list = apiResourceList("", parts[1] ?? "");
      if (list) return sendBody(res, 200, list);
    }
    if (parts[0] === "apis" && parts.length === 2) {
      const group = apiGroup(parts[1] ?? "");
      if (group) return sendBody(res, 200, group);
    }
    if (parts[0] === "apis" && parts.length === 3) {
      const list = apiResourceList(parts[1] ?? "", parts[2] ?? "");
      if (list) return sendBody(res, 200, list);
    }
    if (pathname === "/openapi/v2") {
      const wantsProto = parseAccept(accept).some((r) => OPENAPI_V2_PROTO_ACCEPTED.includes(r.type));
      const wantsJson = parseAccept(accept).length === 0 || parseAccept(accept).some((r) => r.type === "application/json" || r.type === "*/*");
      this.openapiV2Json ??= openApiV2(version);
      if (wantsProto) {
        this.openapiV2Proto ??= encodeOpenApiV2Proto(this.openapiV2Json);
        res.writeHead(200, { ...commonHeaders(), "Content-Type": OPENAPI_V2_PROTO, "Content-Length": this.openapiV2Proto.length });
        res.end(this.openapiV2Proto);
        return;
      }
      if (wantsJson) return sendBody(res, 200, this.openapiV2Json);
    }
    if (parts[0] === "openapi" && parts[1] === "v3") {
      this.openapiV3 ??= openApiV3Documents(version);
      if (parts.length === 2) return sendBody(res, 200, openApiV3Root(this.openapiV3));
      const doc = this.openapiV3.get(parts.slice(2).join("/"));
      if (doc) return sendBody(res, 200, doc as Json, "application/json", { "Cache-Control": "public, immutable" });
    }
    throw pathNotFound();
  }

  private rawError(socket: Duplex, error: ApiError): void {
    const body = JSON.stringify(error.toStatus());
    const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error" }[error.code] ?? "Error";
    socket.end(`HTTP/1.1 ${error.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const entry = this.record(req);
    socket.on("error", () => socket.destroy());
    try {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const identity = this.authenticate(req, entry);
      if (identity === "anonymous") throw unauthorized();
      const info = parseResourcePath(url.pathname);
      const kind = info?.subresource;
      if (!info || info.group !== "" || info.resource !== "pods" || !info.name || info.namespace === undefined || (kind !== "exec" && kind !== "attach" && kind !== "portforward")) {
        throw badRequest("upgrade requests are only served for pods/exec, pods/attach and pods/portforward");
      }
      this.authorizeOrThrow({
        user: identity,
        verb: req.method === "GET" ? "get" : "create",
        resourceRequest: true,
        apiGroup: "",
        resource: "pods",
        subresource: kind,
        name: info.name,
        namespace: info.namespace,
      });
      const pod = this.options.api.registry.get(resolveType(info), info.namespace, info.name);
      handleStreamingUpgrade({ kind, namespace: info.namespace, pod, query: url.searchParams }, req, socket, head);
    } catch (error) {
      this.rawError(socket, error instanceof ApiError ? error : internalError((error as Error).message));
    }
  }
}
