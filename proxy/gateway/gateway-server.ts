// The agent-facing listener: TLS on loopback, every request through the ordered passes, then
// forwarded. Tracks what is in flight so shutdown can drain it.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Upstream } from "../upstream/upstream.js";
import { runPasses, newGatewayRequest, type GatewayRequest, type Pass, type PassOutcome } from "./gateway-request.js";
import { sendStatus, statusFor } from "./status.js";
import { forwardHttp } from "./forward/forward-http.js";
import { forwardUpgrade, writeStatusToSocket } from "./forward/forward-upgrade.js";
import { DRAIN_TIMEOUT_MS, MAX_HEADER_BYTES } from "./limits.js";
import type { Recorder } from "../audit/recorder.js";

export interface GatewayServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  passes: readonly Pass[];
  upstream: Upstream;
  /** Audit (issue 6): told of every request and upgrade. */
  recorder?: Recorder;
}

export interface GatewayServer {
  url: string;
  port: number;
  inFlight(): number;
  stop(drainMs?: number): Promise<void>;
}

function isLongRunning(request: GatewayRequest): boolean {
  const info = request.info;
  if (request.upgrade) return true;
  if (!info || info.kind !== "resource") return false;
  return info.verb === "watch" || (info.subresource === "log" && /[?&]follow=(true|1)/.test(request.req.url ?? ""));
}

export function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { passes, upstream } = options;
  const active = new Set<ServerResponse>();
  const longRunning = new Set<{ end: () => void }>();
  const upgraded = new Set<Duplex>();
  let stopping = false;


  const server = https.createServer(
    { cert: options.cert, key: options.key, maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: 65_000, noDelay: true },
  );

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) {
      req.resume();
      sendStatus(res, statusFor("ServiceUnavailable", "chaperone is shutting down; retry shortly"));
      return;
    }
    active.add(res);
    // The agent hanging up (kubectl killed while an approval is pending) aborts the request.
    const abort = new AbortController();
    res.on("close", () => {
      active.delete(res);
      if (!res.writableFinished) abort.abort();
    });
    const request = newGatewayRequest(req, false, abort.signal);
    options.recorder?.observe(request, res);
    const proceed = (outcome: PassOutcome): void => {
      if (outcome) {
        req.resume();
        sendStatus(res, outcome);
        return;
      }
      if (isLongRunning(request)) {
        // On shutdown a stream that is flowing ends cleanly (kubectl re-establishes watches);
        // one still waiting for the upstream gets a Status rather than an empty 200.
        const handle = {
          end: () =>
            res.headersSent ? res.end() : sendStatus(res, statusFor("ServiceUnavailable", "chaperone is shutting down; retry shortly")),
        };
        longRunning.add(handle);
        res.on("close", () => longRunning.delete(handle));
      }
      forwardHttp(upstream, req, res, request.body);
    };
    const outcome = runPasses(passes, request);
    if (outcome instanceof Promise) {
      outcome.then(proceed, (error: unknown) => {
        // A pass that throws fails closed.
        req.resume();
        sendStatus(res, statusFor("InternalError", `chaperone: request refused: ${(error as Error).message}`));
      });
    } else {
      proceed(outcome);
    }
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    if (stopping) {
      writeStatusToSocket(socket, statusFor("ServiceUnavailable", "chaperone is shutting down; retry shortly"));
      return;
    }
    upgraded.add(socket);
    const abort = new AbortController();
    socket.on("close", () => {
      upgraded.delete(socket);
      abort.abort();
    });
    const request = newGatewayRequest(req, true, abort.signal);
    options.recorder?.observeUpgrade(request, socket);
    const proceed = (outcome: PassOutcome): void => {
      if (outcome) {
        options.recorder?.upgradeRefused(request, outcome);
        writeStatusToSocket(socket, outcome);
        return;
      }
      forwardUpgrade(upstream, req, socket, head, () => upgraded.delete(socket), options.recorder?.upgradeHooks(request));
    };
    const outcome = runPasses(passes, request);
    if (outcome instanceof Promise) {
      outcome.then(proceed, (error: unknown) =>
        proceed(statusFor("InternalError", `chaperone: request refused: ${(error as Error).message}`)),
      );
    } else {
      proceed(outcome);
    }
  });

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && error.code === "HPE_HEADER_OVERFLOW") {
      writeStatusToSocket(socket, statusFor("BadRequest", "chaperone: request headers too large"));
    } else {
      socket.destroy();
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const host = address.address.includes(":") ? `[${address.address}]` : address.address;
      resolve({
        url: `https://${host}:${address.port}`,
        port: address.port,
        inFlight: () => active.size + upgraded.size,
        stop: async (drainMs = DRAIN_TIMEOUT_MS) => {
          stopping = true;
          server.close();
          server.closeIdleConnections();
          // Watches and follows never finish by themselves; clients re-establish them.
          for (const handle of longRunning) handle.end();
          for (const socket of upgraded) socket.destroy();
          const deadline = Date.now() + drainMs;
          while (active.size > 0 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 25));
          }
          server.closeAllConnections();
          upstream.close();
        },
      });
    });
  });
}
