// Agent-facing errors are Kubernetes `Status` objects: kubectl prints their `message`.
import type { ServerResponse } from "node:http";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "MethodNotAllowed"
  | "RequestEntityTooLarge"
  | "ServiceUnavailable"
  | "Timeout"
  | "InternalError";

const REASON_CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  RequestEntityTooLarge: 413,
  ServiceUnavailable: 503,
  Timeout: 504,
  InternalError: 500,
};

export interface KubernetesStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: StatusReason;
  code: number;
  details?: Record<string, unknown>;
}

export function statusFor(reason: StatusReason, message: string, details?: Record<string, unknown>): KubernetesStatus {
  const status: KubernetesStatus = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code: REASON_CODES[reason],
  };
  if (details) status.details = details;
  return status;
}

/** Writes a Status as the whole response, unless headers already went out (then the connection is cut). */
export function sendStatus(res: ServerResponse, status: KubernetesStatus): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(status);
  res.writeHead(status.code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
}
