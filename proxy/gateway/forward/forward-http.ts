// The forward pass for ordinary requests: stream the agent's request to the upstream with the
// developer's credential, stream the answer back. Bodies are piped, never buffered, so watches
// and `logs -f` reach the agent chunk by chunk as the upstream sends them.
import type { IncomingMessage, ServerResponse, ClientRequest } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import type { Upstream, PreparedConnection } from "../../upstream/upstream.js";
import { upstreamErrorStatus } from "../../upstream/upstream-errors.js";
import { openUpstreamRequest, responseHeadersForAgent } from "./forward-headers.js";
import { sendStatus, statusFor } from "../status.js";
import { MAX_REQUEST_BODY_BYTES, UPSTREAM_CONNECT_TIMEOUT_MS } from "../limits.js";
import { gatewayRequestOf } from "../gateway-request.js";
import { maskedResponseHeaders, JsonMaskingTransform, maskedBodyFor, maskedRequestHeaders, type ResponseMasking } from "../../masking/response-masking.js";

class BodyLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(Object.assign(new Error("request body too large"), { code: "BODY_TOO_LARGE" }));
    else callback(null, chunk);
  }
}

/** Responses without a body: nothing to mask. */
function hasNoBody(req: IncomingMessage, status: number): boolean {
  return req.method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** A masked JSON body up to this size (as the cluster sent it) is masked whole and sent with its length. */
const SMALL_MASKED_BODY = 64 * 1024;

/**
 * A response that may carry secrets: decoded and masked on its way (JSON token by token, text
 * line by line), never buffered whole but for a small JSON object. An encoding or type chaperone
 * cannot read is refused with a Status (fail closed); a body that breaks mid-way cuts the
 * connection rather than pass anything unmasked.
 */
function respondMasked(masking: ResponseMasking, req: IncomingMessage, upstreamRes: IncomingMessage, res: ServerResponse): void {
  const status = upstreamRes.statusCode ?? 502;
  const headers = maskedResponseHeaders(masking, responseHeadersForAgent(upstreamRes.rawHeaders));
  if (hasNoBody(req, status)) {
    res.writeHead(status, upstreamRes.statusMessage, headers.flat());
    res.flushHeaders();
    upstreamRes.pipe(res);
    upstreamRes.on("error", () => res.destroy());
    return;
  }
  const body = maskedBodyFor(masking, upstreamRes.headers);
  if ("refuse" in body) {
    upstreamRes.destroy();
    sendStatus(res, statusFor("InternalError", `chaperone: ${body.refuse}`));
    return;
  }
  // The length changes and the body goes out decoded.
  const kept = headers.filter(([name]) => !/^(content-length|content-encoding)$/i.test(name));
  const cut = (): void => {
    res.destroy();
    for (const transform of body.transforms) transform.destroy();
  };
  const only = body.transforms.length === 1 ? body.transforms[0] : undefined;
  if (only instanceof JsonMaskingTransform) {
    // The common case (an uncompressed JSON body): the masker driven directly, chunk by chunk,
    // with the response's own back-pressure. A small object (a GET of one ConfigMap or Secret) is
    // masked whole and sent with its new length in one write, headers included; a larger body
    // goes out as each chunk is masked.
    const masker = only.masker;
    const whole = Number(upstreamRes.headers["content-length"] ?? Number.NaN) <= SMALL_MASKED_BODY ? ([] as Buffer[]) : null;
    if (whole === null) {
      res.writeHead(status, upstreamRes.statusMessage, kept.flat());
      res.flushHeaders();
      res.on("drain", () => upstreamRes.resume());
    }
    upstreamRes.on("data", (chunk: Buffer) => {
      let out: Buffer;
      try {
        out = masker.push(chunk);
      } catch {
        upstreamRes.destroy();
        cut();
        return;
      }
      if (whole !== null) whole.push(out);
      else if (out.length > 0 && !res.write(out)) upstreamRes.pause();
    });
    upstreamRes.on("end", () => {
      let last: Buffer;
      try {
        last = masker.end();
      } catch {
        cut();
        return;
      }
      if (whole === null) {
        res.end(last);
        return;
      }
      if (res.destroyed) return;
      const out = whole.length === 1 && last.length === 0 ? (whole[0] as Buffer) : Buffer.concat([...whole, last]);
      res.writeHead(status, upstreamRes.statusMessage, [...kept.flat(), "Content-Length", String(out.length)]);
      res.end(out);
    });
    upstreamRes.on("error", cut);
    upstreamRes.on("aborted", cut);
    return;
  }
  res.writeHead(status, upstreamRes.statusMessage, kept.flat());
  res.flushHeaders();
  let stream: NodeJS.ReadableStream = upstreamRes;
  for (const transform of body.transforms) {
    transform.on("error", cut);
    stream = stream.pipe(transform);
  }
  stream.pipe(res);
  upstreamRes.on("error", cut);
  upstreamRes.on("aborted", cut);
}

function tooLarge(): ReturnType<typeof statusFor> {
  return statusFor("RequestEntityTooLarge", `chaperone: request body exceeds the ${MAX_REQUEST_BODY_BYTES / (1024 * 1024)} MiB limit`);
}

/** Forwards the request; `body` is the already-read body of a write, or null to stream it. */
export function forwardHttp(upstream: Upstream, req: IncomingMessage, res: ServerResponse, body: Buffer | null = null): void {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_REQUEST_BODY_BYTES) {
    req.resume();
    sendStatus(res, tooLarge());
    return;
  }
  const prepared = upstream.prepare();
  if (prepared instanceof Promise) {
    // Hold the body until the credential is known.
    req.pause();
    prepared.then(
      (connection) => send(upstream, connection, req, res, body),
      (error: unknown) => {
        upstream.noteFailure((error as Error).message);
        req.resume();
        sendStatus(res, upstreamErrorStatus(error, upstream));
      },
    );
  } else {
    send(upstream, prepared, req, res, body);
  }
}

function send(upstream: Upstream, connection: PreparedConnection, req: IncomingMessage, res: ServerResponse, body: Buffer | null): void {
  // The mask pass's plan, if any: everything else is piped as it comes, unparsed.
  const masking = gatewayRequestOf(req)?.responseMasking ?? null;
  const upstreamReq: ClientRequest = openUpstreamRequest(
    upstream,
    connection,
    req,
    false,
    body ? body.length : null,
    masking ? (headers) => maskedRequestHeaders(headers, masking) : null,
  );

  let connectTimer: NodeJS.Timeout | null = null;
  upstreamReq.on("socket", (socket) => {
    // A pooled socket is already connected; a new one must connect within the limit.
    if ((socket as { connecting?: boolean }).connecting) {
      connectTimer = setTimeout(() => {
        upstreamReq.destroy(Object.assign(new Error("connect timeout"), { code: "UPSTREAM_CONNECT_TIMEOUT" }));
      }, UPSTREAM_CONNECT_TIMEOUT_MS);
      socket.once(upstream.isHttps ? "secureConnect" : "connect", () => {
        if (connectTimer) clearTimeout(connectTimer);
      });
    }
  });

  upstreamReq.on("response", (upstreamRes: IncomingMessage) => {
    if (connectTimer) clearTimeout(connectTimer);
    upstream.noteSuccess(upstreamRes.statusCode ?? 0);
    if (res.writableEnded || res.destroyed) {
      // The agent is gone, or shutdown already answered it.
      upstreamRes.destroy();
      return;
    }
    if (masking) {
      respondMasked(masking, req, upstreamRes, res);
      return;
    }
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeadersForAgent(upstreamRes.rawHeaders).flat());
    // A stream without a length (a watch, logs -f) may not send a body byte for minutes: its
    // headers go out at once. A sized body carries them in its first write (one TLS record).
    if (upstreamRes.headers["content-length"] === undefined) res.flushHeaders();
    upstreamRes.pipe(res);
    upstreamRes.on("error", () => res.destroy());
    upstreamRes.on("aborted", () => res.destroy());
  });

  upstreamReq.on("error", (error: NodeJS.ErrnoException) => {
    if (connectTimer) clearTimeout(connectTimer);
    if (error.code === "BODY_TOO_LARGE") {
      sendStatus(res, tooLarge());
      return;
    }
    if (res.writableEnded || res.destroyed) return;
    if (res.headersSent) {
      // Mid-stream failure: all we can honestly do is cut the connection.
      res.destroy();
      return;
    }
    upstream.noteFailure(error.message);
    sendStatus(res, upstreamErrorStatus(error, upstream));
  });

  // The agent went away (kubectl killed, watch closed): stop the upstream request too, so
  // abandoned watches do not pile up on the cluster.
  res.on("close", () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });

  if (body) {
    upstreamReq.end(body);
    return;
  }
  if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) {
    // No body (a GET): end at once rather than after the end event ripples through two pipes.
    upstreamReq.end();
    req.resume();
    return;
  }
  const limit = new BodyLimit(MAX_REQUEST_BODY_BYTES);
  limit.on("error", (error) => upstreamReq.destroy(error));
  req.pipe(limit).pipe(upstreamReq);
  if (req.isPaused()) req.resume();
}
