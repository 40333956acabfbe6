// Measures what masking costs (issue 5's targets): a LIST of 5,000 Secrets (~10 MB) through
// `chaperone serve` with masking on and with it off (`masking: false`), and a watch of 50,000
// Secret events with masking on. Not a test: run it by hand after a build.
//
//   node dist/test/integration/masking-measure.js [rounds]
//
// The upstream is a minimal HTTPS server in its own process serving prebuilt bodies (the
// benchmark suite's Secret list, and a burst of Secret watch events), so that what is measured is
// the gateway. Figures are medians over interleaved rounds.
import { fork } from "node:child_process";
import https from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { createCertificateAuthority, issueCertificate, LOOPBACK_HOSTS } from "../../proxy/tls/certificates.js";
import { secretListBody, LIST_ITEMS } from "../bench/canned-api.js";
import { serve, chaperone } from "../support/chaperone-cli.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";

const WATCH_EVENTS = 50_000;
const TOKEN = "measure-token";
const LIST_PATH = "/api/v1/namespaces/bench/secrets";
const WATCH_PATH = "/api/v1/namespaces/bench/secrets?watch=true";

function secretEvent(i: number): Buffer {
  const filler = (n: number, seed: number): string => {
    let out = "";
    let x = seed * 2654435761 + 1;
    for (let j = 0; j < n; j++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      out += "abcdefghijklmnopqrstuvwxyz0123456789"[x % 36];
    }
    return out;
  };
  const object = {
    kind: "Secret",
    apiVersion: "v1",
    metadata: { name: `secret-${i % LIST_ITEMS}`, namespace: "bench", uid: `uid-${i}`, resourceVersion: String(300_000 + i), labels: { app: "bench" } },
    type: "Opaque",
    data: { password: Buffer.from(filler(24, i % LIST_ITEMS)).toString("base64"), "tls.key": Buffer.from(filler(560, i % LIST_ITEMS)).toString("base64") },
  };
  return Buffer.from(JSON.stringify({ type: "MODIFIED", object }) + "\n");
}

/** Child process: the upstream. */
async function upstreamMain(): Promise<void> {
  const ca = await createCertificateAuthority("measure-ca");
  const cert = await issueCertificate(ca, { commonName: "upstream", hosts: LOOPBACK_HOSTS, usage: "server" });
  const list = secretListBody();
  const events: Buffer[] = [];
  for (let i = 0; i < WATCH_EVENTS; i++) events.push(secretEvent(i));
  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    if (req.url?.startsWith(LIST_PATH) && req.url.includes("watch=true")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      let i = 0;
      const pump = (): void => {
        while (i < events.length) {
          // 64 events per write, as an API server's buffered writer would flush them.
          const ok = res.write(Buffer.concat(events.slice(i, i + 64)));
          i += 64;
          if (!ok) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    if (req.url === LIST_PATH) {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": list.length });
      res.end(list);
      return;
    }
    res.writeHead(404, { "Content-Type": "application/json" }).end('{"kind":"Status","code":404}');
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as { port: number };
    process.send?.({ port: address.port, caPem: ca.certPem });
  });
  process.once("disconnect", () => process.exit(0));
}

function get(agent: https.Agent, url: string, token: string, ca: string, onData?: (chunk: Buffer) => void): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = https.get(url, { agent, ca, headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        onData?.(chunk);
      });
      res.on("end", () => (res.statusCode === 200 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 15);
  const upstream = fork(fileURLToPath(import.meta.url), ["--upstream"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const { port, caPem } = await new Promise<{ port: number; caPem: string }>((resolve) => upstream.once("message", resolve as never));
  const dir = mkdtempSync(join(tmpdir(), "masking-measure-"));
  try {
    const kubeconfig = join(dir, "developer.kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
        users: [{ name: "u", user: { token: TOKEN } }],
        contexts: [{ name: "c", context: { cluster: "c", user: "u", namespace: "bench" } }],
        "current-context": "c",
      }),
      { mode: 0o600 },
    );
    const dataDir = join(dir, "data");
    const server = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"]);
    writeFileSync(
      join(dataDir, "policy.yaml"),
      "profiles:\n  masked:\n    extends: guarded\n  unmasked:\n    extends: guarded\n    masking: false\n",
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const agents: Record<string, { token: string; caPem: string; server: string }> = {};
    for (const name of ["masked", "unmasked"]) {
      const out = join(dir, `${name}.kubeconfig`);
      const added = await chaperone(["agent", "add", name, "--data-dir", dataDir, "--out", out, "--profile", name]);
      if (added.code !== 0) throw new Error(added.stderr);
      agents[name] = readAgentKubeconfig(out);
    }
    const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const times: Record<string, number[]> = { masked: [], unmasked: [] };
    for (let round = 0; round < rounds + 2; round++) {
      for (const name of round % 2 === 0 ? ["masked", "unmasked"] : ["unmasked", "masked"]) {
        const agent = agents[name] as { token: string; caPem: string; server: string };
        const result = await get(httpsAgent, `${agent.server}${LIST_PATH}`, agent.token, agent.caPem);
        if (round >= 2) (times[name] as number[]).push(result.ms);
      }
    }
    const masked = median(times["masked"] as number[]);
    const unmasked = median(times["unmasked"] as number[]);
    console.log(`LIST of ${LIST_ITEMS} Secrets (~10 MB): masked ${masked.toFixed(1)} ms, unmasked (proxied) ${unmasked.toFixed(1)} ms, ratio ×${(masked / unmasked).toFixed(2)} (median of ${rounds})`);

    for (const name of ["masked", "unmasked"]) {
      const rates: number[] = [];
      for (let round = 0; round < 3; round++) {
        const agent = agents[name] as { token: string; caPem: string; server: string };
        let events = 0;
        const result = await get(httpsAgent, `${agent.server}${WATCH_PATH}`, agent.token, agent.caPem, (chunk) => {
          for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) events++;
        });
        if (events !== WATCH_EVENTS) throw new Error(`watch delivered ${events} events`);
        rates.push(events / (result.ms / 1000));
      }
      console.log(`watch of ${WATCH_EVENTS} Secret events (${name}): ${Math.round(median(rates)).toLocaleString("en-US")} events/s (median of 3)`);
    }
    httpsAgent.destroy();
    await server.stop();
  } finally {
    upstream.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--upstream")) void upstreamMain();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
