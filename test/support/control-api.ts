// Talking to a running engine's control API from tests, the way the CLI finds it: control.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApprovalView, ControlEnvelope } from "../../proxy/control/contract.js";

export async function controlCall<T>(dataDir: string, method: string, path: string, body?: unknown): Promise<ControlEnvelope<T>> {
  const control = JSON.parse(readFileSync(join(dataDir, "control.json"), "utf8")) as { url: string; token: string };
  const response = await fetch(`${control.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${control.token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as ControlEnvelope<T>;
}

export async function result<T>(dataDir: string, method: string, path: string, body?: unknown): Promise<T> {
  const envelope = await controlCall<T>(dataDir, method, path, body);
  if (!envelope.ok) throw new Error(`${method} ${path}: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.result;
}

/** Polls the pending approvals until one satisfies `match`. */
export async function waitForApproval(
  dataDir: string,
  match: (view: ApprovalView) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<ApprovalView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await result<ApprovalView[]>(dataDir, "GET", "/api/v1/approvals");
    const found = pending.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching approval within ${timeoutMs} ms; pending: ${JSON.stringify(pending.map((p) => p.summary))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
