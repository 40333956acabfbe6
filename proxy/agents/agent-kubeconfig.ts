// The kubeconfig an agent is given: it points at the gateway, trusts the local CA, and carries
// the agent's own token. Nothing of the developer's credentials is in it.
import { stringify } from "yaml";
import { writeFileAtomic } from "../config/atomic-write.js";

export interface AgentKubeconfigInput {
  agent: string;
  server: string;
  caPem: string;
  token: string;
  namespace?: string | undefined;
}

export function renderAgentKubeconfig(input: AgentKubeconfigInput): string {
  const contextName = `chaperone-${input.agent}`;
  const context: Record<string, string> = { cluster: "chaperone", user: input.agent };
  if (input.namespace) context.namespace = input.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "chaperone",
        cluster: {
          server: input.server,
          "certificate-authority-data": Buffer.from(input.caPem, "utf8").toString("base64"),
        },
      },
    ],
    users: [{ name: input.agent, user: { token: input.token } }],
    contexts: [{ name: contextName, context }],
    "current-context": contextName,
    preferences: {},
  });
}

export function writeAgentKubeconfig(path: string, input: AgentKubeconfigInput): void {
  writeFileAtomic(path, renderAgentKubeconfig(input), 0o600);
}
