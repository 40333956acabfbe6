// Real kubectl, as the agent would run it.
import { KUBECTL, type KubectlVersion } from "./paths.js";
import { runProcess, type ProcessResult, type RunOptions } from "./run-process.js";

export interface KubectlOptions extends Omit<RunOptions, "env"> {
  version?: KubectlVersion;
  env?: NodeJS.ProcessEnv;
}

export function kubectl(kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<ProcessResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KUBECONFIG: kubeconfig,
    // kubectl caches discovery under $HOME/.kube/cache; each test gets a fresh one via --cache-dir.
    ...options.env,
  };
  const binary = KUBECTL[options.version ?? "1.33"];
  return runProcess(binary, ["--request-timeout=20s", ...args], { ...options, env });
}
