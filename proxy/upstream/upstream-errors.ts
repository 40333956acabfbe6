// Upstream failures become Status objects that say what happened and how to fix it.
import { statusFor, type KubernetesStatus } from "../gateway/status.js";
import { CredentialPluginError } from "./exec-credential.js";
import type { Upstream } from "./upstream.js";

const TLS_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE"]);

export function upstreamErrorStatus(error: unknown, upstream: Upstream): KubernetesStatus {
  const where = `the upstream cluster "${upstream.contextName}" at ${upstream.status().server}`;
  if (error instanceof CredentialPluginError) {
    return statusFor("ServiceUnavailable", `chaperone: cannot authenticate to ${where}: ${error.message}`);
  }
  const err = error as NodeJS.ErrnoException;
  const code = err.code ?? "";
  if (code === "ETIMEDOUT" || code === "UPSTREAM_CONNECT_TIMEOUT") {
    return statusFor("Timeout", `chaperone: ${where} did not answer in time (${code}); check that it is running and reachable`);
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(err.message ?? "")) {
    return statusFor(
      "ServiceUnavailable",
      `chaperone: TLS verification of ${where} failed (${code || "TLS"}: ${err.message}); fix certificate-authority-data for cluster "${upstream.spec.cluster.name}" in your kubeconfig`,
    );
  }
  if (UNREACHABLE_CODES.has(code)) {
    return statusFor(
      "ServiceUnavailable",
      `chaperone: ${where} is unreachable (${code}); check that it is running and that your kubeconfig's server address is right — chaperone retries on the next request`,
    );
  }
  return statusFor("ServiceUnavailable", `chaperone: request to ${where} failed: ${err.message ?? String(error)}`);
}
