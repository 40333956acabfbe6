// Start-up: from spawning `chaperone serve` to the first proxied response (an authenticated GET
// answered by the upstream), on a data dir that already holds the CA and an agent — the everyday
// start. The very first start (which also issues the serving certificate) is reported apart.
// kubectl proxy is timed the same way: spawn to first proxied response.
import { join } from "node:path";
import { PATHS } from "../canned-api.js";
import { addAgent, benchDataDir } from "../bench-stack.js";
import { spawnUntilReady, type SpawnedProcess } from "../spawned-process.js";
import { Http1Connection, requestHead, type Endpoint } from "../http1-client.js";
import { percentiles } from "../stats.js";
import { atMost } from "../checks.js";
import type { Row, Scenario } from "../scenario.js";

async function firstResponse(endpoint: Endpoint): Promise<number> {
  const connection = await Http1Connection.open(endpoint);
  try {
    return await new Promise<number>((resolve, reject) => {
      connection.request(requestHead(endpoint, "GET", PATHS.smallObject), {
        onEnd: (status) => (status === 200 ? resolve(performance.now()) : reject(new Error(`first request answered HTTP ${status}`))),
        onError: reject,
      });
    });
  } finally {
    connection.close();
  }
}

interface Start {
  readyMs: number;
  firstResponseMs: number;
}

async function timeStart(start: () => Promise<SpawnedProcess>, endpoint: (p: SpawnedProcess) => Endpoint): Promise<Start> {
  const child = await start();
  try {
    const done = await firstResponse(endpoint(child));
    return { readyMs: child.readyAt - child.spawnedAt, firstResponseMs: done - child.spawnedAt };
  } finally {
    await child.stop("SIGTERM");
  }
}

const TITLE = "Start-up: `chaperone serve` to first proxied response";

export const startupScenario: Scenario = {
  id: "startup",
  title: TITLE,
  async run(context) {
    const { stack } = context;
    const starts = context.rounds(5, 3);
    const dataDir = benchDataDir(join(stack.dir, "startup-data"));
    const agent = await addAgent(stack.cli, dataDir, "startup", join(stack.dir, "startup-agent.kubeconfig"));
    const env = { ...process.env, HOME: join(stack.dir, "home") };
    const engine = (): Promise<SpawnedProcess> =>
      spawnUntilReady(process.execPath, stack.engineArgs(dataDir), /proxy listening on https:\/\/127\.0\.0\.1:(\d+)/, { env, timeoutMs: 30_000 });
    const engineEndpoint = (p: SpawnedProcess): Endpoint => ({ host: "127.0.0.1", port: Number(p.match[1]), tls: true, caPem: agent.caPem, token: agent.token });

    const first = await timeStart(engine, engineEndpoint);
    const warm: Start[] = [];
    for (let i = 0; i < starts; i++) warm.push(await timeStart(engine, engineEndpoint));
    context.log(`    chaperone: first start ${first.firstResponseMs.toFixed(0)} ms, then ${warm.map((s) => s.firstResponseMs.toFixed(0)).join(", ")} ms`);

    const kubectl: Start[] = [];
    const kubectlPath = stack.kubectl;
    const wanted = context.options.targets;
    if (kubectlPath && (wanted.length === 0 || wanted.includes("kubectl-proxy"))) {
      const start = (): Promise<SpawnedProcess> =>
        spawnUntilReady(kubectlPath, stack.kubectlProxyArgs(), /Starting to serve on 127\.0\.0\.1:(\d+)/, { env: { ...env, KUBECONFIG: stack.developerKubeconfig }, timeoutMs: 30_000 });
      for (let i = 0; i < starts; i++) kubectl.push(await timeStart(start, (p) => ({ host: "127.0.0.1", port: Number(p.match[1]), tls: false })));
      context.log(`    kubectl proxy: ${kubectl.map((s) => s.firstResponseMs.toFixed(0)).join(", ")} ms`);
    }

    const row = (label: string, runs: Start[], firstStart: number | null): Row => {
      const response = percentiles(runs.map((s) => s.firstResponseMs));
      const ready = percentiles(runs.map((s) => s.readyMs));
      return { label, kind: "target", values: { p50: response.p50, max: response.max, ready: ready.p50, first: firstStart } };
    };
    const rows: Row[] = [row("chaperone", warm, first.firstResponseMs)];
    if (kubectl.length > 0) rows.push(row("kubectl-proxy", kubectl, null));
    const p50 = percentiles(warm.map((s) => s.firstResponseMs)).p50;
    return {
      id: "startup",
      title: TITLE,
      method: `${starts} starts each, one after another; process spawn to the first 200 of an authenticated GET through it (the ready line is when it printed its listening address)`,
      columns: [
        { key: "p50", label: "first response p50", unit: "ms", digits: 0 },
        { key: "max", label: "first response max", unit: "ms", digits: 0 },
        { key: "ready", label: "listening line p50", unit: "ms", digits: 0 },
        { key: "first", label: "very first start", unit: "ms", digits: 0 },
      ],
      rows,
      checks: [atMost("start-up to first proxied response ≤ 1 s (p50)", p50, 1_000, (v) => `${v.toFixed(0)} ms`)],
      notes: ["the very first start on a data dir also issues the gateway's serving certificate"],
      raw: { first, warm, kubectl },
    };
  },
};
