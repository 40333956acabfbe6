// Answering held requests from the window: real `chaperone serve`, real kubectl held by the guarded
// profile, real Chromium clicking the buttons a person would. What kubectl finally prints is the
// proof that the click reached the engine and meant what its label says.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { KUBECTL } from "../support/paths.js";
import { spawnWatched, type Spawned } from "../support/spawned.js";
import { result } from "../support/control-api.js";
import type { ApprovalView } from "../../proxy/control/contract.js";
import { agentEnv, collectErrors, launchBrowser, openUi } from "./ui-harness.js";

const TIMEOUT_MS = 15_000;

/** kubectl's exit code, or a failure naming what it printed if it does not exit in time. */
async function exitOf(run: Spawned, timeoutMs = TIMEOUT_MS): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`kubectl did not exit within ${timeoutMs} ms; output:\n${run.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The card of the one pending request whose text matches. */
function requestCard(page: Page, text: string | RegExp): Locator {
  return page.getByRole("article").filter({ hasText: text });
}

async function waitForTitle(page: Page, title: string): Promise<void> {
  // A string, not a function: this file is compiled without the DOM's types.
  await page.waitForFunction(`document.title === ${JSON.stringify(title)}`, undefined, { timeout: TIMEOUT_MS });
}

async function waitForEmptyPanel(page: Page): Promise<void> {
  await page.getByText("Nothing is waiting for you").waitFor();
  assert.equal(await page.getByRole("article").count(), 0);
}

test("approvals UI: answer held kubectl requests from the window", { timeout: 240_000 }, async (t) => {
  const fx: GatewayFixture = await startGatewayFixture(t);
  const env = agentEnv(fx);
  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, colorScheme: "light" });
  page.setDefaultTimeout(TIMEOUT_MS);
  const errors = collectErrors(page);
  await openUi(page, fx.dataDir);
  await waitForEmptyPanel(page);

  await t.test("a held delete shows its summary and rule; Allow once lets kubectl finish", async (t: TestContext) => {
    fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } });
    const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "scratch", "--wait=false"], env);
    const card = requestCard(page, 'delete namespaces "scratch"');
    await card.waitFor();
    await card.getByText("claude", { exact: true }).waitFor();
    await card.getByText(/^guarded\//).waitFor();
    await card.getByText(/^expires in \d/).waitFor();
    await page.getByRole("heading", { name: "Approvals 1 waiting" }).waitFor();
    await waitForTitle(page, "(1) Chaperone");
    assert.ok(fx.cluster.store.get("namespaces", undefined, "scratch"), "nothing applied while waiting");

    await card.getByRole("button", { name: "Allow once" }).click();
    assert.equal(await exitOf(deletion), 0, deletion.output());
    assert.match(deletion.output(), /namespace "scratch" deleted/);
    await waitForEmptyPanel(page);
    await waitForTitle(page, "Chaperone");
  });

  await t.test("Deny with a reason: kubectl prints it", async (t: TestContext) => {
    fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } });
    const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "prod", "--wait=false"], env);
    const card = requestCard(page, 'delete namespaces "prod"');
    await card.getByLabel("Reason for the agent (optional)").fill("use namespace staging, not prod");
    // The quotes around it are the <q> element's, drawn by CSS: not in the text.
    await card.getByText("The agent reads: Denied by the approver: use namespace staging, not prod").waitFor();
    await card.getByRole("button", { name: "Deny" }).click();
    assert.notEqual(await exitOf(deletion), 0);
    assert.match(deletion.output(), /Denied by the approver: use namespace staging, not prod/);
    assert.ok(fx.cluster.store.get("namespaces", undefined, "prod"), "not deleted");
    await waitForEmptyPanel(page);
  });

  await t.test("Allow for N minutes: a grant appears, the next matching request passes unasked, Revoke ends it", async (t: TestContext) => {
    for (const name of ["a", "b"]) {
      fx.cluster.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: {} });
    }
    const first = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "a"], env);
    const card = requestCard(page, 'delete configmaps "a"');
    await card.getByLabel("Minutes to allow for").fill("5");
    await card.getByRole("button", { name: "Allow for 5 minutes" }).click();
    assert.equal(await exitOf(first), 0, first.output());

    const grants = page.getByRole("region", { name: "Grants" });
    const row = grants.getByRole("row").filter({ hasText: "claude" });
    await row.waitFor();
    await row.getByText(/^in (4m|5m)/).waitFor();

    // Were it held, kubectl would wait minutes for an answer nobody gives; it finishes at once.
    const second = await kubectl(fx.agentKubeconfig, ["delete", "configmap", "b"], { env: fx.env, timeoutMs: 10_000 });
    assert.equal(second.code, 0, `granted: no approval needed (${second.stderr})`);
    assert.equal(fx.cluster.store.get("configmaps", "default", "b"), undefined);
    assert.equal(await page.getByRole("article").count(), 0);

    await row.getByRole("button", { name: /^Revoke grant for claude/ }).click();
    await grants.getByText("No active grants").waitFor();
  });

  await t.test("an exec shows its command line; Always shows the rule, and adds it only when confirmed", async (t: TestContext) => {
    const exec = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "cat", "/etc/hostname"], env);
    const card = requestCard(page, /exec pods\/exec "nginx"/);
    assert.equal(await card.locator(".command-line").textContent(), "cat /etc/hostname");

    await card.getByRole("button", { name: "Always allow…" }).click();
    const confirm = card.getByRole("group", { name: "Confirm always allow" });
    const rule = (await confirm.getByLabel("Rule to be added").textContent()) ?? "";
    assert.match(rule, /agent: claude/);
    assert.match(rule, /exec\.command == \["cat","\/etc\/hostname"\]/);
    const policyFile = join(fx.dataDir, "policy.yaml");
    const policyBefore = existsSync(policyFile) ? readFileSync(policyFile, "utf8") : "";
    assert.doesNotMatch(policyBefore, /id: approved-/, "showing the rule added nothing");

    await confirm.getByRole("button", { name: "Add rule and allow" }).click();
    assert.equal(await exitOf(exec), 0, exec.output());
    assert.match(readFileSync(policyFile, "utf8"), /id: approved-[0-9a-f]+/);
    await waitForEmptyPanel(page);
  });

  await t.test("a held Secret patch shows the dry run's diff and its body", async (t: TestContext) => {
    fx.cluster.store.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, type: "Opaque", data: { user: "YWxpY2U=" } });
    const patch = spawnWatched(t, KUBECTL["1.33"], ["patch", "secret", "creds", "--type", "merge", "-p", '{"data":{"user":"Ym9i"}}'], env);
    const card = requestCard(page, 'secrets "creds"');
    await card.locator(".diff").waitFor();
    assert.deepEqual(await card.locator(".diff-line.del").allTextContents(), ["-  user: YWxpY2U=\n"]);
    assert.deepEqual(await card.locator(".diff-line.add").allTextContents(), ["+  user: Ym9i\n"]);

    await card.getByText("Request body").click();
    assert.deepEqual(JSON.parse((await card.locator(".request-body pre").textContent()) ?? ""), { data: { user: "Ym9i" } });

    await card.getByRole("button", { name: "Allow once" }).click();
    assert.equal(await exitOf(patch), 0, patch.output());
    assert.equal((fx.cluster.store.get("secrets", "default", "creds")?.data as Record<string, string>).user, "Ym9i");
  });

  await t.test("a write the API server would reject says so", async (t: TestContext) => {
    const create = spawnWatched(t, KUBECTL["1.33"], ["create", "secret", "generic", "bad_name!", "--from-literal=a=b"], env);
    const card = requestCard(page, "bad_name!");
    const rejected = card.locator(".preview-rejected");
    await rejected.waitFor();
    assert.match((await rejected.textContent()) ?? "", /^Would be rejected: .*[Ii]nvalid/);
    await card.getByRole("button", { name: "Deny" }).click();
    assert.notEqual(await exitOf(create), 0);
  });

  await t.test("agent-supplied text is shown as text, with hidden characters made visible", async (t: TestContext) => {
    const marker = "<img src=x onerror=alert(1)>";
    const exec = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "echo", marker, "safe\u202eevil"], env);
    const card = requestCard(page, /exec pods\/exec "nginx"/);
    const line = card.locator(".command-line");
    assert.equal(await line.textContent(), `echo '${marker}' 'safe\\u202eevil'`);
    assert.equal(await card.locator("img").count(), 0, "no element from the agent's text");
    await card.getByRole("button", { name: "Deny" }).click();
    assert.notEqual(await exitOf(exec), 0);
  });

  await t.test("a request answered elsewhere leaves the page", async (t: TestContext) => {
    const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "pod", "nginx", "--wait=false"], env);
    const card = requestCard(page, 'delete pods "nginx"');
    await card.waitFor();
    const pending = await result<ApprovalView[]>(fx.dataDir, "GET", "/api/v1/approvals");
    const id = pending.find((a) => a.name === "nginx")?.id;
    assert.ok(id);
    // As `chaperone approvals deny` in a terminal would.
    await result(fx.dataDir, "POST", `/api/v1/approvals/${id}/decide`, { decision: "deny", reason: "answered in the terminal" });
    await card.waitFor({ state: "detached" });
    await waitForEmptyPanel(page);
    assert.notEqual(await exitOf(deletion), 0);
    assert.match(deletion.output(), /Denied by the approver: answered in the terminal/);
  });

  await t.test("buttons are disabled while an answer is on its way; the engine's error shows inline", async (t: TestContext) => {
    fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "tmp" } });
    const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "tmp", "--wait=false"], env);
    const card = requestCard(page, 'delete namespaces "tmp"');
    await card.waitFor();
    // Hold the answer in flight, then fail it the way the engine does for a request that is gone.
    let release = (): void => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/v1/approvals/*/decide", async (route) => {
      await released;
      await route.fulfill({
        status: 409,
        contentType: "application/json",
        body: JSON.stringify({ ok: false, error: { code: "conflict", message: "approval is no longer pending (test)" } }),
      });
    });
    await card.getByRole("button", { name: "Allow once" }).click();
    await card.locator("button:disabled", { hasText: "Allow once" }).waitFor();
    await card.locator("button:disabled", { hasText: "Deny" }).waitFor();
    release();
    await card.getByRole("alert").filter({ hasText: "approval is no longer pending (test)" }).waitFor();
    await card.locator("button:enabled", { hasText: "Allow once" }).waitFor();
    await page.unroute("**/api/v1/approvals/*/decide");
    assert.ok(fx.cluster.store.get("namespaces", undefined, "tmp"), "the failed answer allowed nothing");

    await card.getByRole("button", { name: "Deny" }).click();
    assert.notEqual(await exitOf(deletion), 0);
    await waitForEmptyPanel(page);
  });

  // The one expected failure: the 409 the previous step staged, which Chromium logs as a failed load.
  const unexpected = errors.filter((e) => !/Failed to load resource: .* 409 \(Conflict\)/.test(e));
  assert.deepEqual(unexpected, []);
});
