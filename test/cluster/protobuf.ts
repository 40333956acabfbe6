// Decoding of `application/vnd.kubernetes.protobuf` request bodies. kubectl 1.32+ sends its typed-client
// writes (auth can-i, create token, create configmap/secret/deployment/..., drain) in this form, so the
// server must read it: the 4-byte magic `k8s\0`, then a runtime.Unknown envelope {typeMeta, raw}, where
// raw is the object's own protobuf message (descriptors in protobuf-types.ts).
// The decoded object is what Go's JSON encoding of the same struct would be: value fields left at their
// zero value are omitted (gogo-protobuf writes them anyway), pointer fields are kept when present.
import { badRequest } from "./status.js";
import type { Json, JsonObject } from "./json.js";
import { MESSAGES, type FieldDescriptor } from "./protobuf-types.js";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface WireField {
  no: number;
  wire: number;
  /** varint (as bigint), fixed 64/32 (raw bytes) or length-delimited payload. */
  value: bigint | Buffer;
}

class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw badRequest("protobuf: unexpected end of varint");
      const byte = this.buf[this.pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw badRequest("protobuf: varint overflow");
    }
  }

  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw badRequest("protobuf: unexpected end of message");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  field(): WireField {
    const tag = this.varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    switch (wire) {
      case 0:
        return { no, wire, value: this.varint() };
      case 1:
        return { no, wire, value: this.bytes(8) };
      case 2:
        return { no, wire, value: this.bytes(Number(this.varint())) };
      case 5:
        return { no, wire, value: this.bytes(4) };
      default:
        throw badRequest(`protobuf: unsupported wire type ${wire}`);
    }
  }
}

function fields(buf: Buffer): WireField[] {
  const reader = new Reader(buf);
  const out: WireField[] = [];
  while (!reader.done) out.push(reader.field());
  return out;
}

function signed64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function timeString(buf: Buffer, micro = false): string | null {
  let seconds = 0;
  let nanos = 0;
  for (const f of fields(buf)) {
    if (f.no === 1 && typeof f.value === "bigint") seconds = signed64(f.value);
    if (f.no === 2 && typeof f.value === "bigint") nanos = signed64(f.value);
  }
  if (seconds === 0 && nanos === 0) return null;
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

function intOrString(buf: Buffer): Json {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  for (const f of fields(buf)) {
    if (f.no === 1 && typeof f.value === "bigint") type = signed64(f.value);
    if (f.no === 2 && typeof f.value === "bigint") intVal = signed64(f.value);
    if (f.no === 3 && Buffer.isBuffer(f.value)) strVal = f.value.toString("utf8");
  }
  return type === 1 ? strVal : intVal;
}

function scalar(kind: string, f: WireField): Json {
  const v = f.value;
  switch (kind) {
    case "string":
      return Buffer.isBuffer(v) ? v.toString("utf8") : "";
    case "bytes":
      return Buffer.isBuffer(v) ? v.toString("base64") : "";
    case "bool":
      return typeof v === "bigint" ? v !== 0n : false;
    case "int32":
    case "int64":
      return typeof v === "bigint" ? signed64(v) : 0;
    case "double":
      return Buffer.isBuffer(v) && v.length === 8 ? v.readDoubleLE(0) : 0;
    case "time":
      return Buffer.isBuffer(v) ? timeString(v) : null;
    case "microtime":
      return Buffer.isBuffer(v) ? timeString(v, true) : null;
    case "intorstring":
      return Buffer.isBuffer(v) ? intOrString(v) : 0;
    case "quantity":
      return Buffer.isBuffer(v) ? (fields(v).find((x) => x.no === 1)?.value as Buffer | undefined)?.toString("utf8") ?? "0" : "0";
    case "rawjson": {
      // FieldsV1 / RawExtension: {raw = 1} holding JSON.
      const raw = Buffer.isBuffer(v) ? (fields(v).find((x) => x.no === 1)?.value as Buffer | undefined) : undefined;
      if (!raw || raw.length === 0) return null;
      try {
        return JSON.parse(raw.toString("utf8")) as Json;
      } catch {
        return null;
      }
    }
    default:
      throw new Error(`unknown scalar kind ${kind}`);
  }
}

function isZero(value: Json): boolean {
  if (value === null || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

function decodeValue(d: FieldDescriptor, f: WireField): Json {
  if (d.message) {
    if (!Buffer.isBuffer(f.value)) throw badRequest(`protobuf: field ${d.name} is not a message`);
    return decodeMessage(d.message, f.value);
  }
  return scalar(d.kind ?? "string", f);
}

export function decodeMessage(name: string, buf: Buffer): JsonObject {
  const descriptor = MESSAGES[name];
  if (!descriptor) throw new Error(`no protobuf descriptor for ${name}`);
  const out: JsonObject = {};
  const byNo = new Map(descriptor.map((d) => [d.no, d]));
  for (const f of fields(buf)) {
    const d = byNo.get(f.no);
    if (!d) continue; // Unknown fields are dropped, as an older server would.
    if (d.map) {
      if (!Buffer.isBuffer(f.value)) continue;
      let key = "";
      let value: Json = d.map === "string" ? "" : null;
      for (const entry of fields(f.value)) {
        if (entry.no === 1 && Buffer.isBuffer(entry.value)) key = entry.value.toString("utf8");
        if (entry.no === 2) value = d.mapMessage ? (Buffer.isBuffer(entry.value) ? decodeMessage(d.mapMessage, entry.value) : {}) : scalar(d.map, entry);
      }
      const target = (out[d.name] as JsonObject | undefined) ?? {};
      target[key] = value ?? "";
      out[d.name] = target;
      continue;
    }
    if (d.repeated) {
      const list = (out[d.name] as Json[] | undefined) ?? [];
      // Packed repeated scalars arrive as one length-delimited run.
      if (!d.message && f.wire === 2 && d.kind !== "string" && d.kind !== "bytes") {
        const reader = new Reader(f.value as Buffer);
        while (!reader.done) list.push(scalar(d.kind ?? "int64", { no: f.no, wire: 0, value: reader.varint() }));
      } else {
        list.push(decodeValue(d, f));
      }
      out[d.name] = list;
      continue;
    }
    const value = decodeValue(d, f);
    if (d.inline && value !== null && typeof value === "object" && !Array.isArray(value)) {
      Object.assign(out, value);
      continue;
    }
    if (!d.pointer && isZero(value) && !d.keepZero) continue;
    out[d.name] = value;
  }
  return out;
}

export function isProtobuf(mediaType: string): boolean {
  return mediaType === "application/vnd.kubernetes.protobuf";
}

/** Decodes a `k8s\0`-framed runtime.Unknown into the JSON form of the object it carries. */
export function decodeKubernetesProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw badRequest("provided object is not a valid protobuf message: missing the k8s magic prefix");
  let apiVersion = "";
  let kind = "";
  let raw: Buffer | undefined;
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1 && Buffer.isBuffer(f.value)) {
      for (const t of fields(f.value)) {
        if (t.no === 1 && Buffer.isBuffer(t.value)) apiVersion = t.value.toString("utf8");
        if (t.no === 2 && Buffer.isBuffer(t.value)) kind = t.value.toString("utf8");
      }
    }
    if (f.no === 2 && Buffer.isBuffer(f.value)) raw = f.value;
  }
  if (!MESSAGES[kind]) throw new ProtobufKindUnsupported(apiVersion, kind);
  const obj = decodeMessage(kind, raw ?? Buffer.alloc(0));
  return { apiVersion, kind, ...obj };
}

export class ProtobufKindUnsupported extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`no protobuf descriptor for ${apiVersion}/${kind}`);
  }
}
