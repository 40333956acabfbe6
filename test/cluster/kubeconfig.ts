// Direct-access kubeconfigs for the test cluster (mode 0600, like kubectl writes them).
import { chmod, writeFile } from "node:fs/promises";
import { stringify as toYaml } from "yaml";

export interface KubeconfigOptions {
  auth?: "token" | "client-certificate";
  namespace?: string;
  contextName?: string;
}

export interface KubeconfigMaterial {
  url: string;
  caPem: string;
  token: string;
  clientCert: { certPem: string; keyPem: string };
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export function kubeconfigYaml(m: KubeconfigMaterial, options: KubeconfigOptions = {}): string {
  const contextName = options.contextName ?? "chaperone-test";
  const auth = options.auth ?? "token";
  const userName = auth === "token" ? "developer" : "developer-cert";
  const user =
    auth === "token"
      ? { token: m.token }
      : { "client-certificate-data": b64(m.clientCert.certPem), "client-key-data": b64(m.clientCert.keyPem) };
  const context: Record<string, string> = { cluster: "chaperone-test", user: userName };
  if (options.namespace) context["namespace"] = options.namespace;
  return toYaml({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name: "chaperone-test", cluster: { server: m.url, "certificate-authority-data": b64(m.caPem) } }],
    users: [{ name: userName, user }],
    contexts: [{ name: contextName, context }],
    "current-context": contextName,
  });
}

export async function writeKubeconfigFile(path: string, m: KubeconfigMaterial, options: KubeconfigOptions = {}): Promise<void> {
  await writeFile(path, kubeconfigYaml(m, options), { mode: 0o600 });
  await chmod(path, 0o600);
}
