// Explicit size and time limits of the gateway (documented in the README).

/** Request bodies above this are refused with 413 before anything is forwarded (the API server's own limit is 3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;

/** Request line plus headers (Node's default is 16 KiB; kubeconfig-heavy clients stay far below). */
export const MAX_HEADER_BYTES = 32 * 1024;

/** Connecting to the upstream (TCP + TLS) must finish within this. Responses themselves are not timed: watches and logs -f are long-lived. */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

/** On SIGINT/SIGTERM, ordinary in-flight requests get this long to finish; watches and streams are ended at once. */
export const DRAIN_TIMEOUT_MS = 10_000;
