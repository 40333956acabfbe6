// TLS options for connections to the upstream API server, from the developer's kubeconfig.
import { readFileSync } from "node:fs";
import type { UpstreamSpec } from "./upstream-kubeconfig.js";

export interface UpstreamTlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, "base64");
  return undefined;
}

export function upstreamTlsOptions(spec: UpstreamSpec): UpstreamTlsOptions {
  const { cluster, user } = spec;
  const options: UpstreamTlsOptions = { rejectUnauthorized: !cluster.skipTLSVerify };
  const ca = fileOrData(cluster.caFile, cluster.caData);
  if (ca) options.ca = ca;
  const cert = fileOrData(user.certFile, user.certData);
  const key = fileOrData(user.keyFile, user.keyData);
  if (cert && key) {
    options.cert = cert;
    options.key = key;
  }
  if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
  return options;
}
