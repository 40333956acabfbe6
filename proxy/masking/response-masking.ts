// How a masked response travels: what the upstream is asked for, and the transform its body goes
// through on the way to the agent. Used by the forward pass (forward-http.ts, forward-upgrade.ts)
// for requests the mask pass gave a plan to; every other response is piped untouched.
import { Transform, type TransformCallback } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { IncomingHttpHeaders } from "node:http";
import type { MaskRule } from "./mask-rules.js";
import type { MaskScope } from "./object-masker.js";
import { JsonStreamMasker } from "./json-stream-masker.js";
import { ByteStreamMasker } from "./byte-stream-masker.js";
import { IdleFlusher } from "./stream-framing.js";
import { jsonOnlyAccept, mediaTypeOf } from "./accept.js";

export type ResponseMaskingKind = "json" | "text" | "exec" | "proxy";

/** The mask pass's plan for one request's response. */
export interface ResponseMasking {
  kind: ResponseMaskingKind;
  /** json: the rule the body (or each watch event) starts with. */
  root: MaskRule | null;
  scope: MaskScope;
}

/** Request headers for the upstream when the response will be masked: JSON only, no compression. */
export function maskedRequestHeaders(headers: [string, string][], masking: ResponseMasking): [string, string][] {
  const out: [string, string][] = [];
  let accept: string | undefined;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === "accept") {
      accept = accept === undefined ? value : `${accept},${value}`;
      continue;
    }
    // The body is decompressed anyway if it comes compressed; asking for none saves the work.
    if (lower === "accept-encoding") continue;
    // A compressed WebSocket could not be read; Kubernetes clients do not ask for it anyway.
    if (lower === "sec-websocket-extensions") continue;
    out.push([name, value]);
  }
  if (masking.kind === "json") out.push(["Accept", jsonOnlyAccept(accept)]);
  else if (accept !== undefined) out.push(["Accept", accept]);
  return out;
}

export class JsonMaskingTransform extends Transform {
  /** Public so that the forward pass can drive it without the stream machinery (the hot path). */
  readonly masker: JsonStreamMasker;
  constructor(root: MaskRule, scope: MaskScope) {
    super();
    this.masker = new JsonStreamMasker(root, scope);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const out = this.masker.push(chunk);
      callback(null, out.length > 0 ? out : undefined);
    } catch (error) {
      callback(error as Error);
    }
  }
  override _flush(callback: TransformCallback): void {
    try {
      const out = this.masker.end();
      callback(null, out.length > 0 ? out : undefined);
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** Logs and other text: known values and detectors; an unfinished line goes out once the stream is quiet. */
export class TextMaskingTransform extends Transform {
  private readonly masker: ByteStreamMasker;
  private readonly idle: IdleFlusher;

  constructor(scope: MaskScope) {
    super();
    this.masker = new ByteStreamMasker(scope.masker, scope.settings.detectors, () => scope.note("log"));
    this.idle = new IdleFlusher(this.masker, (out) => {
      if (!this.destroyed) this.push(out);
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.masker.push(chunk);
    this.idle.touch();
    callback(null, out.length > 0 ? out : undefined);
  }

  override _flush(callback: TransformCallback): void {
    this.idle.stop();
    const out = this.masker.end();
    callback(null, out.length > 0 ? out : undefined);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.idle.stop();
    callback(error);
  }
}

/**
 * Media types a proxied workload serves as text besides text/* and JSON: what a debug endpoint, an
 * admin page or a metrics scrape returns. Anything else (images, protobuf, archives) is refused.
 */
const TEXTUAL_APPLICATION_TYPES = new Set([
  "application/xml",
  "application/javascript",
  "application/ecmascript",
  "application/x-javascript",
  "application/yaml",
  "application/x-yaml",
  "application/x-www-form-urlencoded",
  "application/x-ndjson",
  "application/openmetrics-text",
  "application/problem+xml",
  "application/xhtml+xml",
]);

function isTextual(type: string): boolean {
  return TEXTUAL_APPLICATION_TYPES.has(type) || (type.startsWith("application/") && type.endsWith("+xml"));
}

/**
 * Response headers of a proxied workload carry values too (a Location with a token in its query,
 * a Set-Cookie holding a session): each value passes known-value and detector masking. Other
 * responses come from the API server, whose headers carry no secrets.
 */
export function maskedResponseHeaders(masking: ResponseMasking, headers: [string, string][]): [string, string][] {
  if (masking.kind !== "proxy") return headers;
  const { scope } = masking;
  return headers.map(([name, value]) => {
    const masked = scope.masker.scan(value, scope.settings.detectors, () => scope.note("proxy"));
    return masked === value ? [name, value] : [name, masked];
  });
}

export interface MaskedBody {
  /** Transforms the body goes through, in order (decompression first). */
  transforms: Transform[];
}

/** Why a response cannot be masked (the agent gets a Status saying so), or how to mask it. */
export function maskedBodyFor(masking: ResponseMasking, headers: IncomingHttpHeaders): MaskedBody | { refuse: string } {
  const transforms: Transform[] = [];
  const encoding = String(headers["content-encoding"] ?? "identity").trim().toLowerCase();
  switch (encoding) {
    case "":
    case "identity":
      break;
    case "gzip":
    case "x-gzip":
      transforms.push(createGunzip());
      break;
    case "deflate":
      transforms.push(createInflate());
      break;
    case "br":
      transforms.push(createBrotliDecompress());
      break;
    default:
      return { refuse: `the cluster answered with Content-Encoding ${JSON.stringify(encoding)}, which chaperone cannot decode to mask secret values; refused` };
  }
  const type = mediaTypeOf(headers["content-type"]);
  const json = type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
  const text = type === "" || type.startsWith("text/") || (masking.kind === "proxy" && isTextual(type));
  if (masking.kind === "json" && json && masking.root) transforms.push(new JsonMaskingTransform(masking.root, masking.scope));
  else if (json || text) transforms.push(new TextMaskingTransform(masking.scope));
  else if (masking.kind === "proxy") {
    return {
      refuse: `the proxied response has Content-Type ${JSON.stringify(headers["content-type"] ?? "")}, which chaperone cannot read as text to mask secret values; refused (a rule with reveal: true can allow it unmasked)`,
    };
  } else {
    return {
      refuse: `the cluster answered with Content-Type ${JSON.stringify(headers["content-type"] ?? "")}, which chaperone cannot read to mask secret values; refused (chaperone asks for JSON, so this is unexpected)`,
    };
  }
  return { transforms };
}
