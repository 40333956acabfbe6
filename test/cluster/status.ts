// Kubernetes `Status` failures, shaped like k8s.io/apimachinery/pkg/api/errors builds them, because
// kubectl prints `Error from server (<reason>): <message>` and client-go branches on reason/code/details.
// Details follow the real server: NotFound/AlreadyExists/Conflict/Forbidden name the *resource* (plural),
// Invalid names the *kind* (qualified with its group, e.g. `Deployment.apps`).

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusObject {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that is answered as a `Status` body with its HTTP code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): StatusObject {
    const status: StatusObject = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** A resource name as the server prints it in messages: `pods`, `deployments.apps`. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

function resourceDetails(group: string, resource: string, name: string): StatusDetails {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (group) details.group = group;
  details.kind = resource;
  return details;
}

export function notFound(group: string, resource: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(group, resource)} "${name}" not found`, resourceDetails(group, resource, name));
}

/** What the server says for a path it has no handler for. */
export function pathNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

export function alreadyExists(group: string, resource: string, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(group, resource)} "${name}" already exists`, resourceDetails(group, resource, name));
}

export function conflict(group: string, resource: string, name: string, why: string): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    resourceDetails(group, resource, name),
  );
}

export const STALE_OBJECT = "the object has been modified; please apply your changes to the latest version and try again";

export interface FieldError {
  /** e.g. FieldValueRequired, FieldValueInvalid, FieldValueForbidden, FieldValueNotSupported, FieldValueDuplicate */
  type: string;
  field: string;
  /** The human part after the field, e.g. "Required value" or `Invalid value: "x": must be ...`. */
  detail: string;
}

export function required(field: string, why?: string): FieldError {
  return { type: "FieldValueRequired", field, detail: why ? `Required value: ${why}` : "Required value" };
}

export function invalidValue(field: string, value: unknown, why: string): FieldError {
  return { type: "FieldValueInvalid", field, detail: `Invalid value: ${goValue(value)}: ${why}` };
}

export function forbiddenField(field: string, why: string): FieldError {
  return { type: "FieldValueForbidden", field, detail: `Forbidden: ${why}` };
}

export function notSupported(field: string, value: unknown, allowed: string[]): FieldError {
  return {
    type: "FieldValueNotSupported",
    field,
    detail: `Unsupported value: ${goValue(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`,
  };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field, detail: `Duplicate value: ${goValue(value)}` };
}

/** Values printed the way Go's %#v-ish validation messages show them. */
function goValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "null";
  return JSON.stringify(value);
}

/** 422 Invalid, one message listing every field error (bracketed when more than one), as the server does. */
export function invalid(qualifiedKind: string, name: string, errors: FieldError[], group = ""): ApiError {
  const parts = errors.map((e) => `${e.field}: ${e.detail}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const details: StatusDetails = { name, kind: qualifiedKind.split(".")[0] ?? qualifiedKind };
  if (group) details.group = group;
  details.causes = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  return new ApiError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${list}`, details);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError(403, "Forbidden", message, details ?? {});
}

/** A watch or continue token that points at history the server no longer keeps. */
export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

export function notAcceptable(accepted: string): ApiError {
  return new ApiError(406, "NotAcceptable", `only the following media types are accepted: ${accepted}`);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${contentType})`);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** The `Status` the server returns for a successful delete of a resource it does not echo back. */
export function successStatus(group: string, resource: string, name: string, uid?: string): Record<string, unknown> {
  const details: Record<string, unknown> = { name, kind: resource };
  if (group) details["group"] = group;
  if (uid) details["uid"] = uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}
