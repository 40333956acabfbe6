// The engine: one gateway listener for agents and one control listener for the UI and CLI.
// Used in-process by the Electron shell and by `chaperone serve`.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDataDir, DATA_FILES } from "./config/data-dir.js";
import { readEngineConfig, writeEngineConfig } from "./config/engine-config.js";
import { parseListenAddress, assertListenAllowed } from "./config/listen-address.js";
import { writeFileAtomic } from "./config/atomic-write.js";
import { ensureLocalTls } from "./tls/local-ca.js";
import { AgentRegistry } from "./agents/agent-registry.js";
import { provisionAgent } from "./agents/provision-agent.js";
import { loadUpstream } from "./upstream/upstream-kubeconfig.js";
import { Upstream } from "./upstream/upstream.js";
import { startGatewayServer, type GatewayServer } from "./gateway/gateway-server.js";
import { authenticatePass } from "./gateway/passes/authenticate.js";
import { classifyPass } from "./gateway/passes/classify.js";
import { readBodyPass } from "./gateway/passes/read-body.js";
import { decidePass } from "./gateway/passes/decide.js";
import { approvePass } from "./gateway/passes/approve.js";
import { writeBackPass } from "./gateway/passes/write-back.js";
import { maskPass } from "./gateway/passes/mask.js";
import { MaskingService } from "./masking/masking-service.js";
import { loadMaskingKey } from "./masking/masking-key.js";
import { PolicyEngine, formatPolicyError } from "./policy/index.js";
import { ApprovalService, DEFAULT_APPROVAL_TIMEOUT_MS } from "./approvals/approval-service.js";
import { startControlServer } from "./control/control-server.js";
import type { EngineStatus } from "./control/contract.js";
import { Recorder } from "./audit/recorder.js";
import { resolveAuditSettings, type AuditSettingsInput } from "./audit/audit-settings.js";
import { approvalObserver } from "./audit/approval-events.js";
import { StateWatcher } from "./audit/state-watcher.js";
import { recordPass } from "./gateway/passes/record.js";
import { VERSION } from "./version.js";

export interface EngineOptions {
  dataDir: string;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** HOST:PORT for the gateway; recorded in the data dir so agent kubeconfigs stay valid. */
  listen?: string | undefined;
  /** HOST:PORT for the control API; default 127.0.0.1:0 (its address is written to control.json). */
  controlListen?: string | undefined;
  allowRemote?: boolean;
  log?: (line: string) => void;
  /** Built renderer to serve on the control origin; defaults to the package's renderer/dist. */
  rendererDir?: string | null;
  /** How long an asked request waits for an approver (default 5 minutes). */
  approvalTimeoutMs?: number;
  /** Audit and recording settings from `serve` flags; config.json's `audit` section and defaults fill the rest. */
  audit?: AuditSettingsInput;
}

export interface Engine {
  proxyUrl: string;
  controlUrl: string;
  controlToken: string;
  /** Every control API route (method and a sample path), for tests that walk them all. */
  controlRoutes: { method: string; path: string }[];
  upstream: Upstream;
  policy: PolicyEngine;
  approvals: ApprovalService;
  /** The audit log and exec recordings (issue 6). */
  recorder: Recorder;
  /** Masking (issue 5): placeholders, the known-values index, and masking of the engine's own records. */
  masking: MaskingService;
  stop(drainMs?: number): Promise<void>;
}

/** What the CLI reads to reach a running engine's control API. */
export interface ControlFile {
  url: string;
  token: string;
  pid: number;
}

function defaultRendererDir(): string | null {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "renderer", "dist");
  return existsSync(join(dir, "index.html")) ? dir : null;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const dataDir = ensureDataDir(options.dataDir);
  const config = readEngineConfig(dataDir);
  const listen = parseListenAddress(options.listen ?? config.listen);
  assertListenAllowed(listen, options.allowRemote ?? false);
  const controlListen = parseListenAddress(options.controlListen ?? "127.0.0.1:0", "--control-listen");
  assertListenAllowed(controlListen, false, "--control-listen");

  const spec = loadUpstream({ kubeconfig: options.kubeconfig, context: options.context });
  const upstream = new Upstream(spec);
  const tls = await ensureLocalTls(dataDir, options.allowRemote && listen.host !== "0.0.0.0" ? [listen.host] : []);
  const registry = new AgentRegistry(dataDir);
  const log = options.log ?? ((line: string) => console.error(line));

  // Audit (issue 6): opened before anything can reach the upstream, so nothing goes unrecorded.
  const auditSettings = resolveAuditSettings(dataDir, options.audit);
  const recorder = new Recorder({ dataDir, settings: auditSettings, upstream: upstream.status(), log });
  await recorder.event(
    "engine.start",
    "create",
    { resource: "engines", name: String(process.pid) },
    {
      "chaperone.dev/version": VERSION,
      "chaperone.dev/audit-level": auditSettings.level,
      "chaperone.dev/exec-recording": String(auditSettings.execRecording),
      ...(recorder.log?.recovered ? { "chaperone.dev/recovered": recorder.log.recovered } : {}),
    },
    { durable: true },
  );
  void recorder.log?.applyRetention();
  recorder.recordings.applyRetention();
  const stateWatcher = new StateWatcher(dataDir, registry, recorder);
  stateWatcher.start();

  const policyPath = join(dataDir, DATA_FILES.policy);
  const policy = PolicyEngine.fromFile(policyPath, (errors) => {
    for (const error of errors) log(`chaperone: policy error ${formatPolicyError(error)} (the previous policy stays in force)`);
  });
  const approvals = new ApprovalService({
    timeoutMs: options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    upstream,
    policy: () => policy,
    policyPath,
    observer: approvalObserver(recorder),
  });

  // The request pipeline, in order. Each pass is small and tested alone.
  // Masking (issue 5): placeholders under this installation's key; write-back and the response plan
  // run once a request is allowed, before it is recorded and forwarded.
  const masking = new MaskingService({ key: loadMaskingKey(dataDir), upstream });
  // The audit log and recordings hold masked bodies: everything masked, whatever a profile or a reveal says.
  recorder.setMasker((object, context) => masking.maskParsedForRecord(object, context));
  recorder.setStreamMasker((format) => masking.newStreamMaskerForRecord(format === "bin" ? "same-length" : "placeholder"));
  const mask = maskPass(masking, () => policy, {
    onReveal: (agent, rule, summary) => log(`chaperone: revealed unmasked to agent "${agent}" by rule ${rule.profile}/${rule.name}: ${summary}`),
  });
  const passes = [
    authenticatePass(registry),
    classifyPass(),
    readBodyPass(),
    decidePass(() => policy),
    approvePass(approvals),
    writeBackPass(masking, () => policy),
    mask,
    recordPass(recorder),
  ];
  const gateway: GatewayServer = await startGatewayServer({
    host: listen.host,
    port: listen.port,
    cert: tls.serving.certPem,
    key: tls.serving.keyPem,
    passes,
    upstream,
    recorder,
  });

  // The port belongs to the data dir: record it (port 0 resolves to what we got) so `agent add`
  // writes kubeconfigs that keep working across restarts.
  writeEngineConfig(dataDir, {
    ...config,
    listen: `${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${gateway.port}`,
    upstream: { kubeconfig: spec.files.join(process.platform === "win32" ? ";" : ":"), context: spec.contextName },
  });

  const startedAt = new Date().toISOString();
  const controlToken = randomBytes(32).toString("base64url");
  const status = (): EngineStatus => ({
    version: VERSION,
    proxyUrl: gateway.url,
    controlUrl: control.url,
    startedAt,
    upstream: upstream.status(),
    agents: registry.activeCount(),
    inFlightRequests: gateway.inFlight(),
  });
  const control = await startControlServer({
    host: controlListen.host,
    port: controlListen.port,
    token: controlToken,
    rendererDir: options.rendererDir === undefined ? defaultRendererDir() : options.rendererDir,
    handlers: {
      status,
      registry,
      approvals,
      policy: () => policy,
      policyPath,
      addAgent: (request) =>
        provisionAgent({ dataDir, registry, name: request.name, profile: request.profile, namespace: upstream.namespace, policy }),
    },
  });
  const controlFile = join(dataDir, DATA_FILES.control);
  writeFileAtomic(controlFile, JSON.stringify({ url: control.url, token: controlToken, pid: process.pid } satisfies ControlFile) + "\n");

  let stopped: Promise<void> | null = null;
  return {
    proxyUrl: gateway.url,
    controlUrl: control.url,
    controlToken,
    controlRoutes: control.routes,
    upstream,
    policy,
    approvals,
    recorder,
    masking,
    stop(drainMs?: number) {
      stopped ??= (async () => {
        // Held requests fail closed first: nothing waiting for an approver is sent.
        approvals.shutdown();
        await gateway.stop(drainMs);
        stateWatcher.stop();
        await recorder.event("engine.stop", "delete", { resource: "engines", name: String(process.pid) }, {}, { durable: true }).catch(() => undefined);
        await recorder.close();
        policy.close();
        await control.stop();
        try {
          const current = JSON.parse(readFileSync(controlFile, "utf8")) as ControlFile;
          if (current.token === controlToken) unlinkSync(controlFile);
        } catch {
          // Already gone or replaced by a newer engine: leave it.
        }
      })();
      return stopped;
    },
  };
}
