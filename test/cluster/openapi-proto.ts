// The OpenAPI v2 document in the protobuf form kubectl requests
// (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf), encoded by hand against
// gnostic's openapiv2/OpenAPIv2.proto. Only what clients read is encoded: swagger, info and the paths'
// operations with their query parameters, consumed media types and x-kubernetes-* extensions (kubectl's
// older field-validation verifier scans these). Schemas are left out; kubectl then treats every kind as
// undescribed and skips client-side schema checks, deferring to server-side field validation.
import { stringify as toYaml } from "yaml";
import { isObject, str, type JsonObject } from "./json.js";

/** What clients ask for (the legacy spelling with `@`) and the spelling the server answers with. */
export const OPENAPI_V2_PROTO_ACCEPTED = ["application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"];
/** kube-openapi answers with this spelling because Go's mime parser rejects the `@` one. */
export const OPENAPI_V2_PROTO = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

class Message {
  private readonly parts: Buffer[] = [];

  bytes(field: number, value: Buffer): this {
    this.parts.push(Buffer.from([...varint((field << 3) | 2), ...varint(value.length)]), value);
    return this;
  }

  string(field: number, value: string): this {
    if (value === "") return this;
    return this.bytes(field, Buffer.from(value, "utf8"));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.encode());
  }

  bool(field: number, value: boolean): this {
    if (!value) return this;
    this.parts.push(Buffer.from([...varint(field << 3), 1]));
    return this;
  }

  encode(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function namedAny(name: string, value: unknown): Message {
  // Any { yaml = 2 }
  return new Message().string(1, name).message(2, new Message().string(2, toYaml(value)));
}

function queryParameter(p: JsonObject): Message {
  const sub = new Message()
    .string(2, "query")
    .string(3, str(p["description"]))
    .string(4, str(p["name"]))
    .string(6, str(p["type"]) || "string")
    .bool(20, p["uniqueItems"] === true);
  // ParametersItem { parameter = 1 { non_body_parameter = 2 { query_parameter_sub_schema = 3 } } }
  return new Message().message(1, new Message().message(2, new Message().message(3, sub)));
}

function operation(op: JsonObject): Message {
  const m = new Message();
  for (const tag of Array.isArray(op["tags"]) ? op["tags"] : []) m.string(1, str(tag));
  m.string(5, str(op["operationId"]));
  for (const c of Array.isArray(op["consumes"]) ? op["consumes"] : []) m.string(7, str(c));
  for (const p of Array.isArray(op["parameters"]) ? op["parameters"] : []) {
    if (isObject(p) && p["in"] === "query") m.message(8, queryParameter(p));
  }
  // Responses { response_code = 1 { name, value = ResponseValue { response = 1 { description = 1 } } } }
  m.message(9, new Message().message(1, new Message().string(1, "200").message(2, new Message().message(1, new Message().string(1, "OK")))));
  for (const [k, v] of Object.entries(op)) if (k.startsWith("x-")) m.message(13, namedAny(k, v));
  return m;
}

const OPERATION_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

export function encodeOpenApiV2Proto(doc: JsonObject): Buffer {
  const info = isObject(doc["info"]) ? doc["info"] : {};
  const paths = new Message();
  for (const [path, item] of Object.entries(isObject(doc["paths"]) ? doc["paths"] : {})) {
    if (!isObject(item)) continue;
    const pathItem = new Message();
    for (const [method, op] of Object.entries(item)) {
      const field = OPERATION_FIELDS[method];
      if (field !== undefined && isObject(op)) pathItem.message(field, operation(op));
    }
    paths.message(2, new Message().string(1, path).message(2, pathItem));
  }
  return new Message()
    .string(1, str(doc["swagger"]) || "2.0")
    .message(2, new Message().string(1, str(info["title"])).string(2, str(info["version"])))
    .message(8, paths)
    .encode();
}
