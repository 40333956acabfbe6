// Reads back what `chaperone agent add` wrote, for assertions and raw requests.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface AgentKubeconfigContents {
  server: string;
  caPem: string;
  token: string;
  namespace: string | undefined;
  raw: string;
}

export function readAgentKubeconfig(path: string): AgentKubeconfigContents {
  const raw = readFileSync(path, "utf8");
  const doc = parse(raw) as {
    clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
    users: { user: { token: string } }[];
    contexts: { context: { namespace?: string } }[];
  };
  const cluster = doc.clusters[0]!.cluster;
  return {
    server: cluster.server,
    caPem: Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8"),
    token: doc.users[0]!.user.token,
    namespace: doc.contexts[0]!.context.namespace,
    raw,
  };
}
