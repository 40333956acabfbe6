// Shared by the approvals test and the screenshot script: headless Chromium on the page a running
// `chaperone serve` serves, opened the way the engine's printed link opens it.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type ConsoleMessage, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(scope: { after(fn: () => unknown): void }): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  scope.after(() => browser.close());
  return browser;
}

/** Console errors and uncaught exceptions, collected for the whole life of the page. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** The control origin and token of the engine serving `dataDir`, from the control.json it wrote. */
export function controlOf(dataDir: string): { url: string; token: string } {
  return JSON.parse(readFileSync(join(dataDir, "control.json"), "utf8")) as { url: string; token: string };
}

/** Opens the UI the way the engine's printed link does, and waits until the event stream is live. */
export async function openUi(page: Page, dataDir: string): Promise<void> {
  const control = controlOf(dataDir);
  await page.goto(`${control.url}/#token=${control.token}`);
  await page.locator(".connection.live").waitFor();
}

/** Environment for a kubectl the agent runs: its kubeconfig, and a private HOME for caches. */
export function agentEnv(fx: { dir: string; agentKubeconfig: string }): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig };
}
