// Where the streaming integration tests run kubectl: the full stand-in cluster (test/cluster/index.ts,
// `startTestCluster`) when it exists, with the test pod created through its API like any client would;
// otherwise the minimal API server beside this file. Either way `default/web` is a running pod whose
// container has a tty, stdin, env GREETING=hello/APP_MODE=test and ports 8080/9000.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKubectl, kubectlBinary } from "./kubectl-runner.js";
import { samplePod, startMinimalApiServer } from "./minimal-api-server.js";

export interface StreamingTestEnvironment {
  kind: "stand-in cluster" | "minimal API server";
  kubeconfigPath: string;
  close(): Promise<void>;
}

interface TestClusterModule {
  startTestCluster?: () => Promise<{
    stop(): Promise<void> | void;
    writeKubeconfig(path: string, options?: { auth?: string; namespace?: string }): Promise<void> | void;
  }>;
}

async function loadClusterModule(): Promise<TestClusterModule | null> {
  try {
    // Resolved at run time: the module is written by the cluster half and may not exist yet.
    return (await import(new URL("../index.js", import.meta.url).href)) as TestClusterModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return null;
    throw error;
  }
}

export async function startStreamingTestEnvironment(): Promise<StreamingTestEnvironment> {
  const module = process.env.STREAMING_TESTS_MINIMAL_SERVER === "1" ? null : await loadClusterModule();
  if (module?.startTestCluster) {
    const cluster = await module.startTestCluster();
    const dir = mkdtempSync(join(tmpdir(), "streaming-cluster-"));
    const kubeconfigPath = join(dir, "kubeconfig");
    await cluster.writeKubeconfig(kubeconfigPath, { auth: "token", namespace: "default" });
    const kubectl = kubectlBinary(33) ?? "/usr/bin/kubectl";
    const manifest = join(dir, "web.json");
    const pod = samplePod("default", "web") as { metadata: Record<string, unknown>; status?: unknown };
    delete pod.metadata.uid;
    delete pod.metadata.creationTimestamp;
    const status = pod.status;
    delete pod.status;
    writeFileSync(manifest, JSON.stringify(pod));
    const created = await runKubectl(kubectl, ["create", "-f", manifest], { kubeconfig: kubeconfigPath });
    if (created.code !== 0) throw new Error(`creating the test pod in the stand-in cluster failed: ${created.stderr}`);
    // A cluster without a kubelet leaves the pod Pending; port-forward insists on Running.
    const phase = await runKubectl(kubectl, ["get", "pod", "web", "-o", "jsonpath={.status.phase}"], { kubeconfig: kubeconfigPath });
    if (phase.stdout.toString() !== "Running") {
      await runKubectl(kubectl, ["patch", "pod", "web", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })], {
        kubeconfig: kubeconfigPath,
      });
    }
    return { kind: "stand-in cluster", kubeconfigPath, close: async () => void (await cluster.stop()) };
  }
  const server = await startMinimalApiServer();
  return { kind: "minimal API server", kubeconfigPath: server.kubeconfigPath, close: () => server.close() };
}
