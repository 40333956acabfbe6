// `agent add` in one place for the CLI and the control API: registers the agent, mints its token
// and writes its kubeconfig (0600, atomically) pointing at the data dir's configured port.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AgentRegistry } from "./agent-registry.js";
import { writeAgentKubeconfig } from "./agent-kubeconfig.js";
import { ensureCa } from "../tls/local-ca.js";
import { readEngineConfig } from "../config/engine-config.js";
import { parseListenAddress, formatHostForUrl } from "../config/listen-address.js";
import { DATA_FILES } from "../config/data-dir.js";
import { BUILT_IN_PROFILES, DEFAULT_PROFILE, type AddAgentResult } from "../control/contract.js";
import { CliError } from "../cli/cli-error.js";
import type { PolicyEngine } from "../policy/index.js";


export interface ProvisionOptions {
  dataDir: string;
  registry: AgentRegistry;
  name: string;
  profile?: string | undefined;
  out?: string | undefined;
  /** The upstream context's namespace, mirrored into the agent's context. */
  namespace?: string | undefined;
  /** The policy in force, for profiles defined in the policy file; built-ins only without it. */
  policy?: PolicyEngine | undefined;
}

export function agentServerUrl(dataDir: string): string {
  const { host, port } = parseListenAddress(readEngineConfig(dataDir).listen);
  // A wildcard listen address is reached through loopback; the serving cert names 127.0.0.1.
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `https://${formatHostForUrl(reachable)}:${port}`;
}

export async function provisionAgent(options: ProvisionOptions): Promise<AddAgentResult> {
  const profile = options.profile ?? DEFAULT_PROFILE;
  const known = options.policy ? options.policy.profileNames() : [...BUILT_IN_PROFILES];
  if (!known.includes(profile)) {
    throw new CliError(`unknown profile "${profile}" (profiles: ${known.join(", ")})`);
  }
  const ca = await ensureCa(options.dataDir);
  const server = agentServerUrl(options.dataDir);
  const { agent, token } = options.registry.add(options.name, profile);
  let path: string;
  if (options.out) {
    path = resolve(options.out);
  } else {
    const dir = join(options.dataDir, DATA_FILES.agentKubeconfigs);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    path = join(dir, `${options.name}.kubeconfig`);
  }
  writeAgentKubeconfig(path, { agent: options.name, server, caPem: ca.certPem, token, namespace: options.namespace });
  return { agent, kubeconfigPath: path };
}
