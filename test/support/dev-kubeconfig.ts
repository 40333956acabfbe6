// A developer kubeconfig for tests that need no running cluster (or a dead one).
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export interface DevKubeconfigOptions {
  server?: string;
  context?: string;
  namespace?: string;
  token?: string;
}

export function writeDevKubeconfig(path: string, options: DevKubeconfigOptions = {}): string {
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      // Port 9 (discard) on loopback: nothing listens there.
      clusters: [{ name: "c", cluster: { server: options.server ?? "https://127.0.0.1:9", "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { token: options.token ?? "developer-secret-token" } }],
      contexts: [{ name: options.context ?? "work", context: { cluster: "c", user: "u", ...(options.namespace ? { namespace: options.namespace } : {}) } }],
      "current-context": options.context ?? "work",
    }),
  );
  return path;
}
