// The machine a run was measured on, recorded with the figures: numbers from different machines
// (or a loaded one) must not be compared as if they were alike.
import os from "node:os";
import { execFileSync } from "node:child_process";
import { VERSION } from "../../proxy/version.js";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  kubectl: string | null;
  chaperone: string;
  commit: string | null;
  /** 1-minute load average when the run started: above ~0.5 on 2 cores, other work was competing. */
  loadAverageAtStart: number;
}

function kubectlVersion(kubectl: string | null): string | null {
  if (!kubectl) return null;
  try {
    const out = execFileSync(kubectl, ["version", "--client", "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 });
    return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? null;
  } catch {
    return null;
  }
}

function gitCommit(repoRoot: string): string | null {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return null;
  }
}

export function machineInfo(kubectl: string | null, repoRoot: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    kernel: os.release(),
    node: process.version,
    kubectl: kubectlVersion(kubectl),
    chaperone: VERSION,
    commit: gitCommit(repoRoot),
    loadAverageAtStart: os.loadavg()[0] ?? NaN,
  };
}
