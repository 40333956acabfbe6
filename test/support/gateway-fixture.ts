// A whole stack for integration tests: the stand-in cluster, `chaperone serve` in front of it
// with a developer kubeconfig, and an agent with its own kubeconfig.
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { startTestCluster, type TestCluster } from "../cluster/index.js";
import { tempDir } from "./temp-dir.js";
import { chaperone, serve, type ServeHandle } from "./chaperone-cli.js";

export interface GatewayFixture {
  dir: string;
  cluster: TestCluster;
  dataDir: string;
  developerKubeconfig: string;
  agentKubeconfig: string;
  server: ServeHandle;
  /** Environment for kubectl runs: a private HOME so discovery caches do not leak between tests. */
  env: NodeJS.ProcessEnv;
  addAgent(name: string, profile?: string): Promise<string>;
}

export interface GatewayFixtureOptions {
  auth?: "token" | "client-certificate";
  namespace?: string;
  /** policy.yaml written into the data dir before the engine starts. */
  policy?: string;
  /** The profile of the agent "claude" (default: the default profile, guarded). */
  profile?: string;
  /** Extra `serve` flags, e.g. ["--approval-timeout", "2s"]. */
  serveArgs?: string[];
}

/** A profile for tests of kubectl itself: guarded's guardrails, but nothing else asks. */
export const EVERYDAY_POLICY = `profiles:
  everyday:
    extends: guarded
    default: allow
`;

export async function startGatewayFixture(t: { after(fn: () => unknown): void }, options: GatewayFixtureOptions = {}): Promise<GatewayFixture> {
  // One hook that undoes everything in reverse: the engine stops before the cluster, and both
  // before their temp dir goes (node:test runs separate hooks in the order they were added).
  const undo: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of undo.reverse()) await fn();
  });
  const dir = tempDir({ after: (fn) => undo.push(fn) });
  const cluster = await startTestCluster();
  undo.push(() => cluster.stop());
  const developerKubeconfig = join(dir, "developer.kubeconfig");
  await cluster.writeKubeconfig(developerKubeconfig, {
    auth: options.auth ?? "token",
    ...(options.namespace ? { namespace: options.namespace } : {}),
  });
  const dataDir = join(dir, "data");
  if (options.policy !== undefined) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, "policy.yaml"), options.policy);
  }
  const server = await serve(["--data-dir", dataDir, "--kubeconfig", developerKubeconfig, "--listen", "127.0.0.1:0", ...(options.serveArgs ?? [])]);
  undo.push(() => server.stop());
  const addAgent = async (name: string, profile = options.profile): Promise<string> => {
    const out = join(dir, `${name}.kubeconfig`);
    const result = await chaperone(["agent", "add", name, "--data-dir", dataDir, "--out", out, ...(profile ? ["--profile", profile] : [])]);
    if (result.code !== 0) throw new Error(`agent add failed: ${result.stderr}`);
    return out;
  };
  const agentKubeconfig = await addAgent("claude");
  return { dir, cluster, dataDir, developerKubeconfig, agentKubeconfig, server, env: { HOME: dir }, addAgent };
}
