import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecCredentialProvider, parseExecCredential, CredentialPluginError } from "./exec-credential.js";

function plugin(t: import("node:test").TestContext, body: string): { dir: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), "exec-cred-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, "plugin.mjs");
  writeFileSync(script, body);
  return { dir, script };
}

const COUNTING = `
import { readFileSync, writeFileSync } from "node:fs";
const f = process.env.COUNT_FILE; let n = 0; try { n = Number(readFileSync(f, "utf8")); } catch {}
writeFileSync(f, String(++n));
const ttl = Number(process.env.TTL_MS);
process.stdout.write(JSON.stringify({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1",
  status: { token: "t" + n, expirationTimestamp: new Date(Date.now() + ttl).toISOString() } }));`;

function provider(script: string, dir: string, ttlMs: number, now?: () => number): ExecCredentialProvider {
  return new ExecCredentialProvider({
    exec: { command: process.execPath, args: [script], env: [{ name: "COUNT_FILE", value: join(dir, "n") }, { name: "TTL_MS", value: String(ttlMs) }] },
    baseDir: dir,
    cluster: { server: "https://example", skipTLSVerify: false },
    ...(now ? { now } : {}),
  });
}

test("concurrent requests on a cold cache run the plugin once", async (t) => {
  const { dir, script } = plugin(t, COUNTING);
  const p = provider(script, dir, 3_600_000);
  const results = await Promise.all(Array.from({ length: 10 }, () => p.get()));
  assert.ok(results.every((r) => r.token === "t1"));
  assert.equal(readFileSync(join(dir, "n"), "utf8"), "1");
});

test("a token is refreshed once less than a fifth of its lifetime remains, not after it expired", async (t) => {
  const { dir, script } = plugin(t, COUNTING);
  let clock = Date.now();
  const p = provider(script, dir, 10_000, () => clock);
  assert.equal((await p.get()).token, "t1");
  clock += 7_000; // 3 s of 10 s left: still fresh
  assert.equal((await p.get()).token, "t1");
  clock += 1_500; // 1.5 s left (< 2 s): refresh starts, the still-valid token is served meanwhile
  const during = await p.get();
  assert.equal(during.token, "t1");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await p.get()).token, "t2");
});

test("invalidate() after an upstream 401 makes the next request run the plugin again", async (t) => {
  const { dir, script } = plugin(t, COUNTING);
  const p = provider(script, dir, 3_600_000);
  await p.get();
  p.invalidate();
  assert.equal((await p.get()).token, "t2");
});

test("a failing or missing plugin is a CredentialPluginError quoting its last stderr line", async (t) => {
  const { dir, script } = plugin(t, `process.stderr.write("step one\\nerror: token expired, run login\\n"); process.exit(3);`);
  const failing = provider(script, dir, 1000);
  await assert.rejects(failing.get(), (e: unknown) => e instanceof CredentialPluginError && /exit 3\): error: token expired, run login/.test((e as Error).message));
  const missing = new ExecCredentialProvider({ exec: { command: "no-such-plugin-xyz", installHint: "Install it with brew." }, baseDir: dir, cluster: { server: "s", skipTLSVerify: false } });
  await assert.rejects(missing.get(), /was not found\. Install it with brew\./);
});

test("parseExecCredential rejects wrong kinds, empty credentials and expired tokens", () => {
  const now = Date.now();
  assert.throws(() => parseExecCredential('{"kind":"Secret"}', now), /expected ExecCredential/);
  assert.throws(() => parseExecCredential('{"kind":"ExecCredential","status":{}}', now), /neither a token/);
  assert.throws(
    () => parseExecCredential(JSON.stringify({ kind: "ExecCredential", status: { token: "x", expirationTimestamp: new Date(now - 1000).toISOString() } }), now),
    /already expired/,
  );
  const ok = parseExecCredential(JSON.stringify({ kind: "ExecCredential", status: { token: "x" } }), now);
  assert.equal(ok.expiresAt, null);
});
