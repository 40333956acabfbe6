// Manual checks: starts the test cluster, writes a kubeconfig and prints the URL.
//   node dist/test/cluster/main.js [--kubeconfig PATH] [--port N] [--auth token|client-certificate] [--namespace NS]
// Then e.g. `KUBECONFIG=PATH kubectl get pods -A`. Ctrl-C stops it.
import { resolve } from "node:path";
import { startTestCluster } from "./index.js";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const kubeconfig = resolve(flag("kubeconfig") ?? "test-cluster.kubeconfig");
const auth = flag("auth") === "client-certificate" ? "client-certificate" : "token";
const namespace = flag("namespace");
const cluster = await startTestCluster({ port: Number(flag("port") ?? 0) });
await cluster.writeKubeconfig(kubeconfig, { auth, ...(namespace ? { namespace } : {}) });
process.stdout.write(`${cluster.url}\nkubeconfig: ${kubeconfig}\n`);
const shutdown = (): void => {
  void cluster.stop().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
