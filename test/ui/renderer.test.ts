// The renderer in real headless Chromium, served by a real engine's control server: the page a
// person sees, driven the way a person would (labels and buttons), with no console errors.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startEngine, type Engine } from "../../proxy/engine.js";
import { REPO_ROOT } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";
import { writeDevKubeconfig } from "../support/dev-kubeconfig.js";
import { launchBrowser, collectErrors } from "./ui-harness.js";

const RENDERER_DIR = join(REPO_ROOT, "renderer", "dist");
const TIMEOUT_MS = 15_000;


async function startTestEngine(t: TestContext): Promise<Engine> {
  assert.ok(existsSync(join(RENDERER_DIR, "index.html")), "renderer/dist is not built: run `npm run build` first");
  const dir = tempDir(t, "chaperone-ui-");
  const engine = await startEngine({
    dataDir: join(dir, "data"),
    // An upstream nothing listens on: the UI only needs the engine to start, not a cluster.
    kubeconfig: writeDevKubeconfig(join(dir, "upstream.kubeconfig"), { context: "ui-test", namespace: "default" }),
    listen: "127.0.0.1:0", // never the default port: other test files run engines alongside
    rendererDir: RENDERER_DIR,
    log: () => {},
  });
  t.after(() => engine.stop(0));
  return engine;
}



test("renderer: status, add an agent, revoke it, without console errors", { timeout: 90_000 }, async (t) => {
  const engine = await startTestEngine(t);
  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  const errors = collectErrors(page);

  await page.goto(`${engine.controlUrl}/#token=${engine.controlToken}`);

  await t.test("shows the engine's status, live", async () => {
    await page.getByRole("heading", { name: "Engine" }).waitFor();
    await page.getByText(engine.proxyUrl, { exact: true }).waitFor();
    await page.getByText("ui-test", { exact: true }).waitFor();
    await page.getByText("https://127.0.0.1:9", { exact: true }).waitFor();
    await page.locator(".connection.live").waitFor();
  });

  await t.test("takes the token out of the address bar", () => {
    assert.ok(!page.url().includes(engine.controlToken), `token still in ${page.url()}`);
    assert.equal(new URL(page.url()).hash, "");
  });

  let kubeconfigPath = "";
  await t.test("adds an agent and shows its kubeconfig path", async () => {
    await page.getByText("No agents yet").waitFor();
    await page.getByLabel("Agent name").fill("ui-agent");
    await page.getByRole("button", { name: "Add agent" }).click();
    const notice = page.getByRole("status").filter({ hasText: "ui-agent" });
    await notice.waitFor();
    kubeconfigPath = (await notice.locator(".kubeconfig-path").textContent()) ?? "";
    assert.match(kubeconfigPath, /ui-agent\.kubeconfig$/);
    assert.ok(existsSync(kubeconfigPath), `kubeconfig ${kubeconfigPath} was not written`);
    const row = page.getByRole("row").filter({ hasText: "ui-agent" });
    await row.getByText("Active").waitFor();
  });

  await t.test("a bad name shows the engine's error", async () => {
    await page.getByLabel("Agent name").fill("Not A Valid Name");
    await page.getByRole("button", { name: "Add agent" }).click();
    await page.getByRole("alert").filter({ hasText: "invalid agent name" }).waitFor();
  });

  await t.test("revokes the agent after a confirming click", async () => {
    const row = page.getByRole("row").filter({ hasText: "ui-agent" });
    await row.getByRole("button", { name: "Revoke ui-agent" }).click();
    await row.getByRole("button", { name: "Confirm revoke" }).click();
    await row.getByText("Revoked").waitFor();
    assert.equal(await row.getByRole("button").count(), 0);
  });

  await t.test("shows an agent added elsewhere, through the event stream", async () => {
    // As `chaperone agent add` or another window would: the page only learns of it from the stream.
    const response = await fetch(`${engine.controlUrl}/api/v1/agents`, {
      method: "POST",
      headers: { Authorization: `Bearer ${engine.controlToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "cli-agent", profile: "read-only" }),
    });
    assert.equal(response.status, 200);
    const row = page.getByRole("row").filter({ hasText: "cli-agent" });
    await row.getByText("read-only").waitFor();
  });

  if (process.env.CHAPERONE_UI_SCREENSHOT) {
    await page.screenshot({ path: process.env.CHAPERONE_UI_SCREENSHOT, fullPage: true });
  }

  // A 400 for the bad name is an expected answer, but Chromium logs every failed fetch as a
  // console error; that one line is the only error allowed.
  const unexpected = errors.filter((e) => !/Failed to load resource: .* 400 \(Bad Request\)/.test(e));
  assert.deepEqual(unexpected, []);
});

test("renderer: a wrong token is refused, a missing one explained", { timeout: 60_000 }, async (t) => {
  const engine = await startTestEngine(t);
  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);

  await page.goto(`${engine.controlUrl}/#token=not-the-token`);
  await page.locator(".connection.refused").waitFor();
  await page.getByRole("alert").filter({ hasText: "did not accept this page's token" }).waitFor();

  await page.goto(`${engine.controlUrl}/`);
  await page.getByRole("heading", { name: "Not connected" }).waitFor();
});
