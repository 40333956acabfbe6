// The developer's credential for the upstream cluster, in whatever form the kubeconfig gives it.
// It is attached to forwarded requests here and nowhere else; agents never see it.
import { readFileSync } from "node:fs";
import type { UpstreamSpec } from "./upstream-kubeconfig.js";
import { ExecCredentialProvider, type ExecConfig } from "./exec-credential.js";

export interface AppliedCredential {
  headers: Record<string, string>;
  /** Client certificate from an exec plugin; the static one lives in the TLS options. */
  clientCert: { cert: string; key: string } | null;
}

const TOKEN_FILE_REFRESH_MS = 60_000; // client-go re-reads token files once a minute
const AUTH_PROVIDER_CACHE_MS = 10_000;

export class UpstreamCredentials {
  readonly exec: ExecCredentialProvider | null;
  private tokenFileValue: { token: string; readAt: number } | null = null;
  private authProviderValue: { header: string; at: number } | null = null;
  private readonly staticHeaders: Record<string, string> = {};
  /** True when nothing async is needed per request: the common, fast path. */
  readonly isStatic: boolean;

  constructor(private readonly spec: UpstreamSpec) {
    const { user } = spec;
    this.exec = user.exec
      ? new ExecCredentialProvider({
          exec: user.exec as ExecConfig,
          baseDir: spec.userSourceDir,
          cluster: {
            server: spec.cluster.server,
            caData: spec.cluster.caData,
            skipTLSVerify: spec.cluster.skipTLSVerify,
            tlsServerName: spec.cluster.tlsServerName,
          },
        })
      : null;
    if (user.impersonateUser) this.staticHeaders["Impersonate-User"] = user.impersonateUser;
    if (!this.exec && !spec.tokenFile && !user.authProvider) {
      if (user.token) this.staticHeaders.Authorization = `Bearer ${user.token.trim()}`;
      else if (user.username) {
        this.staticHeaders.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
      }
    }
    this.isStatic = !this.exec && !spec.tokenFile && !user.authProvider;
  }

  /** Synchronous variant for the static case (no per-request promise on the hot path). */
  staticCredential(): AppliedCredential {
    return { headers: this.staticHeaders, clientCert: null };
  }

  async apply(): Promise<AppliedCredential> {
    if (this.isStatic) return this.staticCredential();
    const headers: Record<string, string> = { ...this.staticHeaders };
    let clientCert: AppliedCredential["clientCert"] = null;
    if (this.exec) {
      const credential = await this.exec.get();
      if (credential.token) headers.Authorization = `Bearer ${credential.token}`;
      if (credential.clientCertificateData && credential.clientKeyData) {
        clientCert = { cert: credential.clientCertificateData, key: credential.clientKeyData };
      }
    } else if (this.spec.tokenFile) {
      headers.Authorization = `Bearer ${this.readTokenFile()}`;
    } else if (this.spec.user.authProvider) {
      headers.Authorization = await this.authProviderHeader();
    }
    return { headers, clientCert };
  }

  /** Called when the upstream answers 401: a rotated or revoked credential is fetched anew. */
  rejected(): void {
    this.exec?.invalidate();
    this.tokenFileValue = null;
    this.authProviderValue = null;
  }

  private readTokenFile(): string {
    const now = Date.now();
    if (!this.tokenFileValue || now - this.tokenFileValue.readAt > TOKEN_FILE_REFRESH_MS) {
      const token = readFileSync(this.spec.tokenFile as string, "utf8").trim();
      this.tokenFileValue = { token, readAt: now };
    }
    return this.tokenFileValue.token;
  }

  private async authProviderHeader(): Promise<string> {
    const now = Date.now();
    if (this.authProviderValue && now - this.authProviderValue.at < AUTH_PROVIDER_CACHE_MS) {
      return this.authProviderValue.header;
    }
    // OIDC / cloud auth providers: client-node implements and caches them.
    const options: { headers?: Record<string, string> } = {};
    await (await this.spec.kubeconfig()).applyToHTTPSOptions(options as never);
    const header = options.headers?.Authorization ?? options.headers?.authorization;
    if (!header) throw new Error(`the auth provider of user "${this.spec.user.name}" produced no credential`);
    this.authProviderValue = { header, at: now };
    return header;
  }
}
