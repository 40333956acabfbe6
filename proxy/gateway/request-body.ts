// Writes are decided on their content (guardrails read the object), so the gateway reads a write's
// body before deciding, then forwards exactly those bytes. Reads stream straight through.
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { MAX_REQUEST_BODY_BYTES } from "./limits.js";

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLargeError(`request body exceeds the ${limit / (1024 * 1024)} MiB limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError(`request body exceeds the ${limit / (1024 * 1024)} MiB limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export type DecodedBody =
  | { kind: "none" }
  | { kind: "object"; object: unknown }
  /** A body the engine cannot read (protobuf, CBOR, malformed): decided on without its content. */
  | { kind: "opaque"; reason: string };

const JSON_TYPES = /^application\/(json|[a-z0-9.+-]*\+json)$/;
const YAML_TYPES = /^application\/(yaml|apply-patch\+yaml)$/;

/**
 * Decodes JSON and YAML bodies. Duplicate keys are refused: a parser that keeps the last value
 * would let `{"privileged": false, "privileged": true}` show the policy one thing and the cluster another.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): DecodedBody {
  if (body.length === 0) return { kind: "none" };
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (!JSON_TYPES.test(type) && !YAML_TYPES.test(type)) {
    return { kind: "opaque", reason: `a ${type || "untyped"} body, which chaperone cannot read` };
  }
  try {
    // YAML 1.2 is a superset of JSON; `uniqueKeys` makes duplicates an error in both.
    return { kind: "object", object: parseYaml(body.toString("utf8"), { uniqueKeys: true, maxAliasCount: 100 }) as unknown };
  } catch (error) {
    return { kind: "opaque", reason: `a body that does not parse as ${type} (${(error as Error).message.split("\n")[0]})` };
  }
}
