// Keeps a copy of what a response sends the agent, for its audit event: the Status of a refusal
// or failure (always, it is small), and the body itself at level RequestResponse. Observes
// res.write / res.end without changing what they send; stops copying past `limit` bytes.
import type { ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";

export interface CapturedResponse {
  /** The bytes seen, or null when more than the limit went by. */
  body(): Buffer | null;
  total(): number;
  /** A response header, from setHeader or from the headers given to writeHead. */
  header(name: string): string;
}

function headersFrom(args: unknown[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const arg of args) {
    if (Array.isArray(arg)) {
      // Flat [name, value, name, value…] (raw headers) or [[name, value]…].
      const flat = arg.flat() as unknown[];
      for (let i = 0; i + 1 < flat.length; i += 2) found.set(String(flat[i]).toLowerCase(), String(flat[i + 1]));
    } else if (arg && typeof arg === "object") {
      for (const [k, v] of Object.entries(arg as Record<string, unknown>)) found.set(k.toLowerCase(), String(v));
    }
  }
  return found;
}

export function captureResponse(res: ServerResponse, limit: number, wantBody: (statusCode: number) => boolean): CapturedResponse {
  const chunks: Buffer[] = [];
  let total = 0;
  let overflow = false;
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return;
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.from(String(chunk), typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
    total += buffer.length;
    if (overflow || !wantBody(res.statusCode)) return;
    if (total > limit) {
      overflow = true;
      chunks.length = 0;
      return;
    }
    chunks.push(Buffer.from(buffer));
  };
  // The headers given to writeHead, read only if a header is asked for (most events never do).
  let headArgs: unknown[] = [];
  let headHeaders: Map<string, string> | null = null;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    headArgs = args.slice(1);
    headHeaders = null;
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse["writeHead"];
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse["write"];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse["end"];
  return {
    body: () => (overflow ? null : Buffer.concat(chunks)),
    total: () => total,
    header: (name) => (headHeaders ??= headersFrom(headArgs)).get(name) ?? String(res.getHeader(name) ?? ""),
  };
}

/** The body as JSON, decompressed if it was gzip-encoded; a reason when it cannot be read. */
export function decodeCapturedBody(capture: CapturedResponse, limit: number): { object: unknown } | { omitted: string } {
  const body = capture.body();
  const total = capture.total();
  if (body === null) return { omitted: `${total} bytes, above the ${limit}-byte limit` };
  if (body.length === 0) return { omitted: "no body" };
  let bytes = body;
  const encoding = capture.header("content-encoding").toLowerCase();
  if (encoding === "gzip") {
    try {
      bytes = gunzipSync(body, { maxOutputLength: limit * 4 });
    } catch (error) {
      return { omitted: `a gzip body that does not decompress within the limit (${(error as Error).message})` };
    }
  } else if (encoding !== "" && encoding !== "identity") {
    return { omitted: `a ${encoding}-encoded body` };
  }
  const type = capture.header("content-type").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && !type.endsWith("+json")) return { omitted: `a ${type || "untyped"} body (${bytes.length} bytes)` };
  try {
    return { object: JSON.parse(bytes.toString("utf8")) as unknown };
  } catch {
    return { omitted: "a body that is not valid JSON" };
  }
}
