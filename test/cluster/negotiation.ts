// Content negotiation and body handling. The server answers JSON (or YAML when that is all the client
// takes); protobuf is skipped in favour of JSON when the client also accepts JSON, as client-go always
// does. Table and PartialObjectMetadata transformations are requested through Accept parameters.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { ApiError, badRequest, notAcceptable, unsupportedMediaType } from "./status.js";
import { isObject, type Json, type JsonObject } from "./json.js";
import { decodeKubernetesProtobuf, isProtobuf, ProtobufKindUnsupported } from "./protobuf.js";

export type Output =
  | { kind: "object"; mediaType: "application/json" | "application/yaml" }
  | { kind: "table"; version: "v1" | "v1beta1" }
  | { kind: "partial"; version: "v1" | "v1beta1"; as: "PartialObjectMetadata" | "PartialObjectMetadataList" };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === "") return [];
  return header
    .split(",")
    .map((part) => {
      const [type, ...params] = part.split(";").map((s) => s.trim());
      const record: Record<string, string> = {};
      for (const p of params) {
        const eq = p.indexOf("=");
        if (eq > 0) record[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
      }
      return { type: (type ?? "").toLowerCase(), params: record };
    })
    .filter((m) => m.type !== "");
}

const JSONISH = new Set(["application/json", "*/*", "application/*"]);

/**
 * Picks the first acceptable representation in the client's order. `transforms` says whether Table /
 * PartialObjectMetadata are possible for this request (GET, list and watch of stored resources).
 */
export function negotiateOutput(accept: string | undefined, transforms: boolean): Output {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { kind: "object", mediaType: "application/json" };
  for (const r of ranges) {
    const as = r.params["as"];
    if (as !== undefined) {
      if (!transforms || !JSONISH.has(r.type)) continue;
      const version = r.params["v"];
      if (r.params["g"] !== "meta.k8s.io" || (version !== "v1" && version !== "v1beta1")) continue;
      if (as === "Table") return { kind: "table", version };
      if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return { kind: "partial", version, as };
      continue;
    }
    if (JSONISH.has(r.type)) return { kind: "object", mediaType: "application/json" };
    if (r.type === "application/yaml") return { kind: "object", mediaType: "application/yaml" };
  }
  throw notAcceptable("application/json, application/yaml, application/vnd.kubernetes.protobuf");
}

export function outputContentType(output: Output): string {
  switch (output.kind) {
    case "table":
      return `application/json;as=Table;v=${output.version};g=meta.k8s.io`;
    case "partial":
      return `application/json;as=${output.as};v=${output.version};g=meta.k8s.io`;
    default:
      return output.mediaType;
  }
}

/** Headers every API response carries on a real server. */
export function commonHeaders(): Record<string, string> {
  return {
    "Audit-Id": randomUUID(),
    "Cache-Control": "no-cache, private",
    "X-Kubernetes-Pf-Flowschema-Uid": "a0b1c2d3-0000-4000-8000-000000000001",
    "X-Kubernetes-Pf-Prioritylevel-Uid": "a0b1c2d3-0000-4000-8000-000000000002",
  };
}

export function sendBody(res: ServerResponse, code: number, body: Json, contentType = "application/json", extraHeaders: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = contentType === "application/yaml" ? toYaml(body) : JSON.stringify(body);
  res.writeHead(code, {
    ...commonHeaders(),
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError, extraHeaders: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendBody(res, error.code, error.toStatus() as unknown as Json, "application/json", extraHeaders);
}

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new ApiError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "application/json").split(";")[0]?.trim().toLowerCase() ?? "application/json";
}

/** Decodes a JSON or YAML body into an object (the server accepts both for writes). */
export function decodeObjectBody(body: Buffer, mediaType: string, allowYaml = true): JsonObject {
  if (isProtobuf(mediaType)) {
    try {
      return decodeKubernetesProtobuf(body);
    } catch (e) {
      if (e instanceof ProtobufKindUnsupported) throw unsupportedMediaType(mediaType);
      throw e;
    }
  }
  const text = body.toString("utf8");
  if (text.trim() === "") throw badRequest("Object 'Kind' is missing in ''");
  let value: unknown;
  if (mediaType.includes("yaml")) {
    if (!allowYaml) throw unsupportedMediaType(mediaType);
    try {
      value = parseYaml(text);
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  } else if (mediaType.includes("json") || mediaType === "*/*") {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  } else {
    throw unsupportedMediaType(mediaType);
  }
  if (!isObject(value)) throw badRequest(`json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value} into Go value of type map[string]interface {}`);
  return value;
}

export function warningHeader(warnings: string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}
