// Regenerates the README's screenshots of the UI, against a real engine and stand-in cluster:
//   npm run build && node dist/test/ui/screenshots.js
// Not a test (it asserts only what it needs to take the pictures), so `npm test` does not run it.
// Light theme, 1000 px wide, into renderer/screenshots/. To look at the dark theme instead:
//   CHAPERONE_SCREENSHOT_SCHEME=dark CHAPERONE_SCREENSHOT_DIR=/tmp/shots node dist/test/ui/screenshots.js
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { cleanupScope } from "../support/cleanup-scope.js";
import { startGatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { KUBECTL, REPO_ROOT } from "../support/paths.js";
import { spawnWatched } from "../support/spawned.js";
import { agentEnv, launchBrowser, openUi } from "./ui-harness.js";

const OUT_DIR = process.env.CHAPERONE_SCREENSHOT_DIR ?? join(REPO_ROOT, "renderer", "screenshots");
const SCHEME = process.env.CHAPERONE_SCREENSHOT_SCHEME === "dark" ? "dark" : "light";
const WIDTH = 1000;

/** The viewport cut just below `selector`, so the picture ends where the interesting part does. */
async function shootDownTo(page: Page, selector: string, path: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (box === null) throw new Error(`${selector} is not visible`);
  await page.setViewportSize({ width: WIDTH, height: Math.ceil(box.y + box.height + 12) });
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  const scope = cleanupScope();
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    const fx = await startGatewayFixture(scope);
    await fx.addAgent("codex", "read-only");
    // One request through the gateway, so the status shows the upstream as reachable.
    const read = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
    if (read.code !== 0) throw new Error(`kubectl get pods failed: ${read.stderr}`);

    const browser = await launchBrowser(scope);
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 800 }, colorScheme: SCHEME, deviceScaleFactor: 1 });
    page.setDefaultTimeout(15_000);
    await openUi(page, fx.dataDir);
    await page.getByText("Reachable", { exact: true }).waitFor();
    await page.getByRole("row").filter({ hasText: "codex" }).waitFor();
    await shootDownTo(page, "section[aria-labelledby=agents-heading]", join(OUT_DIR, "status-and-agents.png"));

    // A held Secret patch: the guarded profile asks before any Secret write, and previews the diff.
    fx.cluster.store.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, type: "Opaque", data: { user: "YWxpY2U=" } });
    const patch = spawnWatched(scope, KUBECTL["1.33"], ["patch", "secret", "creds", "--type", "merge", "-p", '{"data":{"user":"Ym9i"}}'], agentEnv(fx));
    const card = page.getByRole("article").filter({ hasText: 'secrets "creds"' });
    await card.locator(".diff").waitFor();
    await shootDownTo(page, "section.approvals", join(OUT_DIR, "approval-pending.png"));

    await card.getByRole("button", { name: "Deny" }).click();
    await patch.exited;

    // An exec, with "Always allow…" opened: the rule it would add, shown before it is chosen.
    await page.getByText("Nothing is waiting for you").waitFor();
    const exec = spawnWatched(scope, KUBECTL["1.33"], ["exec", "nginx", "--", "sh", "-c", "cat /etc/hostname && id -u"], agentEnv(fx));
    const execCard = page.getByRole("article").filter({ hasText: "exec" });
    await execCard.locator(".command-line").waitFor();
    await execCard.getByRole("button", { name: "Always allow…" }).click();
    await execCard.getByRole("group", { name: "Confirm always allow" }).waitFor();
    await shootDownTo(page, "section.approvals", join(OUT_DIR, "approval-always.png"));
    await execCard.getByRole("button", { name: "Deny" }).click();
    await exec.exited;
  } finally {
    await scope.run();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
