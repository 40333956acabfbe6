// Pass 3: read a write's body so the decision can look at what is being written. Only writes are
// read (create / update / patch, and deletes, whose DeleteOptions may carry a body); reads, watches
// and streams are never buffered.
import type { Pass } from "../gateway-request.js";
import { readBody, decodeBody, BodyTooLargeError } from "../request-body.js";
import { statusFor } from "../status.js";

const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);

export function readBodyPass(): Pass {
  return {
    name: "read-body",
    run(request) {
      const info = request.info;
      if (request.upgrade || !info || info.kind !== "resource" || !WRITE_VERBS.has(info.verb)) return undefined;
      return readBody(request.req).then(
        (body) => {
          request.body = body;
          request.decoded = decodeBody(body, request.req.headers["content-type"]);
          return undefined;
        },
        (error: unknown) =>
          error instanceof BodyTooLargeError
            ? statusFor("RequestEntityTooLarge", `chaperone: ${error.message}`)
            : statusFor("BadRequest", `chaperone: could not read the request body: ${(error as Error).message}`),
      );
    },
  };
}
