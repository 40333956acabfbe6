// Authentication the way kube-apiserver's union authenticator does it: a verified client certificate
// (CN = user, O = groups) is tried first, then the bearer token. A presented-but-invalid credential is a
// 401, never a fall-through to anonymous. Every authenticated user also gets `system:authenticated`.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type AuthMethod = "token" | "client-certificate";

export type AuthOutcome =
  | { kind: "authenticated"; user: UserInfo; method: AuthMethod }
  | { kind: "anonymous" }
  | { kind: "rejected" };

interface TokenRecord {
  user: UserInfo;
  expiresAt?: number;
  /** Bound service-account tokens stop working when their ServiceAccount (this uid) is gone. */
  boundTo?: { namespace: string; name: string; uid: string };
}

export type ServiceAccountLookup = (namespace: string, name: string) => { uid: string } | undefined;

function withAuthenticated(groups: string[]): string[] {
  return groups.includes("system:authenticated") ? groups : [...groups, "system:authenticated"];
}

export class Authenticator {
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(private readonly serviceAccounts: ServiceAccountLookup) {}

  addToken(token: string, username: string, groups: string[] = ["system:masters"], extra: Omit<TokenRecord, "user"> = {}, uid?: string): void {
    const user: UserInfo = { username, groups: withAuthenticated(groups) };
    if (uid) user.uid = uid;
    this.tokens.set(token, { user, ...extra });
  }

  removeToken(token: string): void {
    this.tokens.delete(token);
  }

  private tokenUser(token: string): UserInfo | undefined {
    const record = this.tokens.get(token);
    if (!record) return undefined;
    if (record.expiresAt !== undefined && Date.now() >= record.expiresAt) return undefined;
    if (record.boundTo) {
      const sa = this.serviceAccounts(record.boundTo.namespace, record.boundTo.name);
      if (!sa || sa.uid !== record.boundTo.uid) return undefined;
    }
    return record.user;
  }

  authenticate(req: IncomingMessage): AuthOutcome {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const subject = cert?.subject as unknown as Record<string, string | string[]> | undefined;
      const cn = subject?.["CN"];
      const username = Array.isArray(cn) ? cn[0] : cn;
      if (username) {
        const o = subject?.["O"];
        const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
        return { kind: "authenticated", method: "client-certificate", user: { username, groups: withAuthenticated(groups) } };
      }
    }
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^bearer\s+(\S+)\s*$/i.exec(header);
      const user = match?.[1] ? this.tokenUser(match[1]) : undefined;
      if (!user) return { kind: "rejected" };
      return { kind: "authenticated", method: "token", user };
    }
    return { kind: "anonymous" };
  }
}
