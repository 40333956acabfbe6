// Bodies reach the audit log only through a masker. The masking issue provides the real one
// (proxy/masking); until it is wired in, `fallbackMasker` keeps the most obvious secrets out of
// the log: Secret `data` / `stringData` values (objects, lists, tables with objects, and patches
// of secrets) and the last-applied-configuration annotation, which repeats a whole manifest.
import type { GatewayRequest } from "../gateway/gateway-request.js";

export const MASK = "***";

export interface MaskContext {
  request: GatewayRequest;
  direction: "request" | "response";
}

export interface MaskedBody {
  object: unknown;
  /** JSON-ish paths of what was masked, e.g. `data.password`, `items[2].data.token`. */
  masked: string[];
}

/** Returns a masked copy (never mutates `object`). */
export type BodyMasker = (object: unknown, context: MaskContext) => MaskedBody;

export const identityMasker: BodyMasker = (object) => ({ object, masked: [] });

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function maskValues(map: unknown, path: string, masked: string[]): unknown {
  if (!isObject(map)) return map;
  const out: Json = {};
  for (const key of Object.keys(map)) {
    out[key] = MASK;
    masked.push(`${path}.${key}`);
  }
  return out;
}

function maskObject(value: unknown, path: string, masked: string[], secretish: boolean): unknown {
  if (Array.isArray(value)) return value.map((item, i) => maskObject(item, `${path}[${i}]`, masked, secretish));
  if (!isObject(value)) return value;
  const out: Json = { ...value };
  const prefix = path === "" ? "" : `${path}.`;
  const isSecret = secretish || value.kind === "Secret";
  if (isSecret) {
    if ("data" in out) out.data = maskValues(out.data, `${prefix}data`, masked);
    if ("stringData" in out) out.stringData = maskValues(out.stringData, `${prefix}stringData`, masked);
  }
  const metadata = out.metadata;
  if (isObject(metadata) && isObject(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
    out.metadata = { ...metadata, annotations: { ...metadata.annotations, [LAST_APPLIED]: MASK } };
    masked.push(`${prefix}metadata.annotations.${LAST_APPLIED}`);
  }
  if (Array.isArray(out.items)) out.items = maskObject(out.items, `${prefix}items`, masked, value.kind === "SecretList");
  if (Array.isArray(out.rows)) {
    out.rows = (out.rows as unknown[]).map((row, i) =>
      isObject(row) && "object" in row ? { ...row, object: maskObject(row.object, `${prefix}rows[${i}].object`, masked, false) } : row,
    );
  }
  return out;
}

export const fallbackMasker: BodyMasker = (object, { request }) => {
  const masked: string[] = [];
  const info = request.info;
  const secrets = info?.kind === "resource" && info.apiGroup === "" && info.resource === "secrets";
  if (secrets && Array.isArray(object)) {
    // A JSON patch of a secret: every value it sets.
    const out = object.map((op, i) => {
      if (isObject(op) && "value" in op) {
        masked.push(`[${i}].value`);
        return { ...op, value: MASK };
      }
      return op;
    });
    return { object: out, masked };
  }
  // Top level of a secrets request: a Secret, or a merge / strategic patch of one (no kind).
  return { object: maskObject(object, "", masked, secrets), masked };
};
