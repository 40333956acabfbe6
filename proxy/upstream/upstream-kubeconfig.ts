// Loads the developer's kubeconfig the way kubectl does: --kubeconfig, else $KUBECONFIG (a list
// merged with "first file to set a name wins", current-context from the first file that sets it),
// else ~/.kube/config. Each file is parsed as @kubernetes/client-node's KubeConfig.loadFromFile
// does (its js-yaml and its own entry parsers, relative paths made absolute); the merge is ours
// because client-node's lets later files win and rejects duplicates. The KubeConfig class itself
// (all of client-node, ~90 MB of RSS) is only loaded for the rare auth-provider users.
import type { KubeConfig, Cluster, User, Context } from "@kubernetes/client-node";
import { newClusters, newContexts, newUsers } from "@kubernetes/client-node/dist/config_types.js";
import { load as loadYaml } from "js-yaml";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { CliError } from "../cli/cli-error.js";

export interface UpstreamSpec {
  /** client-node's KubeConfig of the merged entries, loaded on first use (auth providers only). */
  kubeconfig: () => Promise<KubeConfig>;
  contextName: string;
  context: Context;
  cluster: Cluster;
  user: User;
  /** Where the user entry came from: relative exec commands and token files resolve against it. */
  userSourceDir: string;
  /** `token-file` of the user entry (client-node reads it once; we re-read it as client-go does). */
  tokenFile: string | null;
  /** The files read, for the record in the data dir's config. */
  files: string[];
}

export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [resolve(explicit)];
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f.length > 0).map((f) => resolve(f));
    // kubectl skips missing files in the list, but not when none exists.
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) throw new CliError(`none of the files in $KUBECONFIG exists: ${files.join(delimiter)}`);
    return present;
  }
  return [join(homedir(), ".kube", "config")];
}

interface LoadedFile {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
  /** Each user's `token-file`, absolute (client-node's User has no field for it). */
  tokenFiles: Map<string, string>;
}

/** client-node's makeAbsolutePath. */
function absoluteFrom(root: string, file: string): string {
  return !root || isAbsolute(file) ? file : join(root, file);
}

/** What KubeConfig.loadFromFile does: loadFromString, then makePathsAbsolute(dirname(file)). */
function loadOne(file: string): LoadedFile {
  if (!existsSync(file)) {
    throw new CliError(`kubeconfig ${file} does not exist (pass --kubeconfig FILE or set $KUBECONFIG)`);
  }
  try {
    const obj = loadYaml(readFileSync(file).toString("utf-8")) as Record<string, unknown>;
    const root = dirname(file);
    // kubectl resolves a relative token-file against the kubeconfig's folder; client-node's
    // newUsers reads it at once, relative to the working directory: made absolute first.
    for (const entry of Array.isArray(obj.users) ? (obj.users as { user?: Record<string, unknown> }[]) : []) {
      const tokenFile = entry?.user?.["token-file"];
      if (typeof tokenFile === "string" && entry.user) entry.user["token-file"] = absoluteFrom(root, tokenFile);
    }
    const clusters = newClusters(obj.clusters);
    const contexts = newContexts(obj.contexts);
    const users = newUsers(obj.users);
    for (const cluster of clusters) if (cluster.caFile) cluster.caFile = absoluteFrom(root, cluster.caFile);
    for (const user of users) {
      if (user.certFile) user.certFile = absoluteFrom(root, user.certFile);
      if (user.keyFile) user.keyFile = absoluteFrom(root, user.keyFile);
    }
    const tokenFiles = new Map<string, string>();
    for (const entry of Array.isArray(obj.users) ? (obj.users as { name?: unknown; user?: Record<string, unknown> }[]) : []) {
      const tokenFile = entry?.user?.["token-file"];
      if (typeof entry?.name === "string" && typeof tokenFile === "string" && !tokenFiles.has(entry.name)) tokenFiles.set(entry.name, tokenFile);
    }
    return { clusters, users, contexts, currentContext: obj["current-context"] as string, tokenFiles };
  } catch (error) {
    throw new CliError(`cannot read kubeconfig ${file}: ${(error as Error).message.split("\n")[0]}`);
  }
}

export function loadUpstream(options: { kubeconfig?: string | undefined; context?: string | undefined }): UpstreamSpec {
  const files = kubeconfigFiles(options.kubeconfig);
  const loaded = files.map((file) => ({ file, kc: loadOne(file) }));
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, { user: User; file: string; tokenFile: string | null }>();
  const contexts = new Map<string, Context>();
  let currentContext = "";
  for (const { file, kc } of loaded) {
    for (const c of kc.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.users) if (!users.has(u.name)) users.set(u.name, { user: u, file, tokenFile: kc.tokenFiles.get(u.name) ?? null });
    for (const c of kc.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && kc.currentContext) currentContext = kc.currentContext;
  }
  const contextName = options.context ?? currentContext;
  if (!contextName) {
    throw new CliError(`no current context in ${files.join(", ")} (pass --context NAME)`);
  }
  const context = contexts.get(contextName);
  if (!context) {
    const known = [...contexts.keys()].join(", ") || "none";
    throw new CliError(`context "${contextName}" not found in ${files.join(", ")} (known: ${known})`);
  }
  const cluster = clusters.get(context.cluster);
  if (!cluster) throw new CliError(`context "${contextName}" names cluster "${context.cluster}", which is not defined`);
  const userEntry = users.get(context.user);
  if (!userEntry) throw new CliError(`context "${contextName}" names user "${context.user}", which is not defined`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new CliError(`cluster "${cluster.name}" has an invalid server URL: ${cluster.server}`);
  }
  if (server.protocol !== "https:" && server.protocol !== "http:") {
    throw new CliError(`cluster "${cluster.name}" server must be http(s): ${cluster.server}`);
  }
  let kubeconfigLoaded: Promise<KubeConfig> | null = null;
  const kubeconfig = (): Promise<KubeConfig> =>
    (kubeconfigLoaded ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [...clusters.values()],
        users: [...users.values()].map((u) => u.user),
        contexts: [...contexts.values()],
        currentContext: contextName,
      });
      return kc;
    }));
  return {
    kubeconfig,
    contextName,
    context,
    cluster,
    user: userEntry.user,
    userSourceDir: dirname(userEntry.file),
    tokenFile: userEntry.tokenFile,
    files,
  };
}
