// Exec credential plugins (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`, …) speak the
// client.authentication.k8s.io ExecCredential protocol. We run them ourselves rather than through
// client-node's ExecAuth because that one refreshes only after expiry and spawns one plugin per
// concurrent request on a cache miss; a gateway needs single-flight and refresh-before-expiry.
import { spawn } from "node:child_process";
import { isAbsolute, join } from "node:path";

export interface ExecConfig {
  command: string;
  args?: string[] | null;
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
  provideClusterInfo?: boolean;
  installHint?: string;
}

export interface ExecCredentialResult {
  token: string | null;
  clientCertificateData: string | null;
  clientKeyData: string | null;
  /** ms since epoch; null when the plugin gave no expiry (cached until the upstream answers 401). */
  expiresAt: number | null;
}

export class CredentialPluginError extends Error {}

const PLUGIN_TIMEOUT_MS = 60_000;

export interface ExecCredentialOptions {
  exec: ExecConfig;
  /** Directory of the kubeconfig that defined the user: relative commands with a slash resolve there. */
  baseDir: string;
  cluster: { server: string; caData?: string | undefined; skipTLSVerify: boolean; tlsServerName?: string | undefined };
  now?: () => number;
}

export class ExecCredentialProvider {
  private cached: ExecCredentialResult | null = null;
  private fetchedAt = 0;
  private inflight: Promise<ExecCredentialResult> | null = null;
  private readonly now: () => number;
  /** How many times the plugin was run (observable in tests and status). */
  runs = 0;

  constructor(private readonly options: ExecCredentialOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Refresh once less than a fifth of the lifetime (at most a minute) remains. */
  private fresh(credential: ExecCredentialResult): boolean {
    if (credential.expiresAt === null) return true;
    const lifetime = credential.expiresAt - this.fetchedAt;
    const margin = Math.min(60_000, Math.max(0, lifetime / 5));
    return this.now() < credential.expiresAt - margin;
  }

  async get(): Promise<ExecCredentialResult> {
    if (this.cached && this.fresh(this.cached)) return this.cached;
    if (!this.inflight) {
      this.inflight = this.run().then(
        (credential) => {
          this.cached = credential;
          this.inflight = null;
          return credential;
        },
        (error: unknown) => {
          this.inflight = null;
          throw error;
        },
      );
    }
    // A still-valid (though soon expiring) token keeps serving while the refresh runs.
    if (this.cached && this.cached.expiresAt !== null && this.now() < this.cached.expiresAt) {
      this.inflight.catch(() => undefined);
      return this.cached;
    }
    return this.inflight;
  }

  /** The upstream rejected the credential: drop it so the next request runs the plugin again. */
  invalidate(): void {
    this.cached = null;
  }

  private commandPath(): string {
    const { command } = this.options.exec;
    if (isAbsolute(command) || !command.includes("/")) return command;
    return join(this.options.baseDir, command);
  }

  private run(): Promise<ExecCredentialResult> {
    const { exec, cluster } = this.options;
    const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1";
    const spec: Record<string, unknown> = { interactive: false };
    if (exec.provideClusterInfo) {
      spec.cluster = {
        server: cluster.server,
        "certificate-authority-data": cluster.caData,
        "insecure-skip-tls-verify": cluster.skipTLSVerify,
        "tls-server-name": cluster.tlsServerName,
      };
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const { name, value } of exec.env ?? []) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: "ExecCredential", spec });
    const command = this.commandPath();
    this.runs += 1;
    this.fetchedAt = this.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(command, exec.args ?? [], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), PLUGIN_TIMEOUT_MS);
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const hint = exec.installHint ? ` ${exec.installHint.trim().split("\n")[0]}` : "";
        reject(
          new CredentialPluginError(
            error.code === "ENOENT"
              ? `the credential plugin "${command}" from your kubeconfig was not found.${hint}`
              : `the credential plugin "${command}" could not start: ${error.message}`,
          ),
        );
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          const detail = stderr.trim().split("\n").slice(-1)[0] ?? "";
          reject(
            new CredentialPluginError(
              `the credential plugin "${command}" failed (${signal ? `killed by ${signal}` : `exit ${code}`})${detail ? `: ${detail}` : ""}; run it yourself or re-login, then retry`,
            ),
          );
          return;
        }
        try {
          resolvePromise(parseExecCredential(stdout, this.now()));
        } catch (error) {
          reject(new CredentialPluginError(`the credential plugin "${command}" printed an invalid ExecCredential: ${(error as Error).message}`));
        }
      });
    });
  }
}

export function parseExecCredential(text: string, now: number): ExecCredentialResult {
  const parsed = JSON.parse(text) as { kind?: string; status?: Record<string, unknown> };
  if (parsed.kind !== "ExecCredential") throw new Error(`kind is ${String(parsed.kind)}, expected ExecCredential`);
  const status = parsed.status ?? {};
  const token = typeof status.token === "string" && status.token ? status.token : null;
  const cert = typeof status.clientCertificateData === "string" ? status.clientCertificateData : null;
  const key = typeof status.clientKeyData === "string" ? status.clientKeyData : null;
  if (!token && !(cert && key)) throw new Error("status has neither a token nor a client certificate and key");
  let expiresAt: number | null = null;
  if (typeof status.expirationTimestamp === "string") {
    expiresAt = Date.parse(status.expirationTimestamp);
    if (Number.isNaN(expiresAt)) throw new Error(`bad expirationTimestamp ${status.expirationTimestamp}`);
    if (expiresAt <= now) throw new Error("the credential it returned has already expired");
  }
  return { token, clientCertificateData: cert, clientKeyData: key, expiresAt };
}
