// The engine's local CA: created on first use, its key 0600 in the data dir. Agents' kubeconfigs
// carry the CA certificate so kubectl verifies the gateway without insecure-skip-tls-verify.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { writeFileAtomic } from "../config/atomic-write.js";
import { DATA_FILES } from "../config/data-dir.js";
import type { IssuedCertificate } from "./certificates.js";

import { LOOPBACK_HOSTS } from "./loopback-hosts.js";

/**
 * @peculiar/x509 costs ~150 ms and ~26 MiB to import; it is needed only to issue certificates,
 * which happens on first run and on renewal — not on an ordinary start.
 */
const certificates = () => import("./certificates.js");

export interface LocalTls {
  caPem: string;
  serving: IssuedCertificate;
}

function readPair(dir: string, certName: string, keyName: string): IssuedCertificate | null {
  const certPath = join(dir, certName);
  const keyPath = join(dir, keyName);
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  return { certPem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8") };
}

function writePair(dir: string, certName: string, keyName: string, pair: IssuedCertificate): void {
  writeFileAtomic(join(dir, keyName), pair.keyPem, 0o600);
  writeFileAtomic(join(dir, certName), pair.certPem, 0o644);
}

/** A serving cert is reused while it is signed by this CA, names every loopback host, and has a month left. */
function servingCertUsable(serving: IssuedCertificate, caPem: string): boolean {
  try {
    const cert = new X509Certificate(serving.certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < 30 * 24 * 60 * 60 * 1000) return false;
    return LOOPBACK_HOSTS.every((host) => (host.includes(".") || host.includes(":") ? cert.checkIP(host) : cert.checkHost(host)));
  } catch {
    return false;
  }
}

export async function ensureCa(dataDir: string): Promise<IssuedCertificate> {
  const existing = readPair(dataDir, DATA_FILES.caCert, DATA_FILES.caKey);
  if (existing) return existing;
  const ca = await (await certificates()).createCertificateAuthority("Chaperone local CA");
  writePair(dataDir, DATA_FILES.caCert, DATA_FILES.caKey, ca);
  return { certPem: ca.certPem, keyPem: ca.keyPem };
}

export async function ensureLocalTls(dataDir: string, extraHosts: string[] = []): Promise<LocalTls> {
  const caPair = await ensureCa(dataDir);
  const existing = readPair(dataDir, DATA_FILES.servingCert, DATA_FILES.servingKey);
  const hosts = [...new Set([...LOOPBACK_HOSTS, ...extraHosts])];
  if (existing && servingCertUsable(existing, caPair.certPem) && extraHosts.length === 0) {
    return { caPem: caPair.certPem, serving: existing };
  }
  const { loadCertificateAuthority, issueCertificate } = await certificates();
  const ca = await loadCertificateAuthority(caPair.certPem, caPair.keyPem);
  const serving = await issueCertificate(ca, { commonName: "chaperone", hosts, usage: "server", days: 397 });
  writePair(dataDir, DATA_FILES.servingCert, DATA_FILES.servingKey, serving);
  return { caPem: caPair.certPem, serving };
}
