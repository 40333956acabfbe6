// Electron's main process: a thin shell around the engine. It runs the engine in-process, shows the
// engine's own control page in a locked-down window, and lives in the tray so closing the window
// does not stop the gateway the agents depend on. All product logic stays in proxy/ and renderer/.
import { app, dialog, ipcMain, Menu, session, Tray, type BrowserWindow } from "electron";
import { fileURLToPath } from "node:url";
import { startEngine, type Engine } from "../proxy/engine.js";
import { resolveDataDir } from "../proxy/config/data-dir.js";
import { CONTROL_TOKEN_CHANNEL } from "./bridge.js";
import { createMainWindow } from "./main-window.js";
import { isSameOrigin, lockDownNavigation, lockDownSession } from "./security.js";
import { createTrayIcon } from "./tray-icon.js";

// Relative to this file's build output (dist/electron/), the same inside an asar archive. The
// engine finds renderer/dist by itself, relative to its own build output.
const PRELOAD_PATH = fileURLToPath(new URL("./preload.cjs", import.meta.url));

/** How long quitting waits for the engine to drain before exiting anyway. */
const ENGINE_STOP_TIMEOUT_MS = 5_000;

let engine: Engine | null = null;
let mainWindow: BrowserWindow | null = null;
/** Held here so the tray icon is not garbage-collected away. */
let tray: Tray | null = null;
let quitting = false;

// Every renderer sandboxed, whatever a later window forgets to ask for.
app.enableSandbox();

// One engine per user: a second launch would fight the first over the data dir and ports.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on("second-instance", showWindow);
  app.on("activate", showWindow);
  app.on("before-quit", () => {
    quitting = true;
  });
  app.on("will-quit", (event) => {
    if (engine === null) return;
    // Hold the quit until the engine has stopped, so in-flight agent requests end cleanly.
    event.preventDefault();
    const stopping = engine;
    engine = null;
    void stopWithTimeout(stopping).finally(() => app.quit());
  });
  // Electron's default is to quit when the last window closes; a tray app keeps the gateway
  // running for the agents until Quit, however the window went away.
  app.on("window-all-closed", () => {});
  app.whenReady().then(launch).catch(fail);
}

async function launch(): Promise<void> {
  engine = await startEngine({
    // The CLI's data dir too, so `chaperone agent …` and the app see the same agents.
    dataDir: resolveDataDir(undefined),
    log: (line) => console.log(line),
  });
  const controlOrigin = new URL(engine.controlUrl).origin;

  lockDownSession(session.defaultSession);
  lockDownNavigation(controlOrigin);
  ipcMain.handle(CONTROL_TOKEN_CHANNEL, (event) => {
    // Only our window's top frame on the control origin gets the token; nothing else that
    // manages to run in this process does.
    const frame = event.senderFrame;
    const fromOurWindow = mainWindow !== null && event.sender === mainWindow.webContents;
    if (engine === null || !fromOurWindow || frame === null || frame.parent !== null || !isSameOrigin(frame.url, controlOrigin)) {
      throw new Error("control token refused");
    }
    return engine.controlToken;
  });

  // Native notifications (approval requests) belong here: subscribe to the engine's events and
  // raise an Electron Notification that calls showWindow() when clicked. Not built yet.

  tray = new Tray(createTrayIcon());
  tray.setToolTip("Chaperone");
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: "Show Chaperone", click: showWindow },
      { type: "separator" },
      { label: "Quit", click: () => app.quit() },
    ]),
  );
  tray.on("click", showWindow);

  mainWindow = createMainWindow({ controlOrigin, preloadPath: PRELOAD_PATH });
  keepInTray(mainWindow);
}

/** Closing the window hides it: the engine keeps serving agents until Quit. */
function keepInTray(window: BrowserWindow): void {
  window.on("close", (event) => {
    if (quitting) return;
    event.preventDefault();
    window.hide();
  });
  window.on("closed", () => {
    if (mainWindow === window) mainWindow = null;
  });
}

function showWindow(): void {
  if (mainWindow === null) {
    if (engine === null) return; // still starting, or stopping
    mainWindow = createMainWindow({ controlOrigin: new URL(engine.controlUrl).origin, preloadPath: PRELOAD_PATH });
    keepInTray(mainWindow);
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function stopWithTimeout(running: Engine): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`engine did not stop within ${ENGINE_STOP_TIMEOUT_MS} ms; quitting anyway`);
      resolve();
    }, ENGINE_STOP_TIMEOUT_MS);
  });
  try {
    await Promise.race([running.stop(), timeout]);
  } catch (error) {
    console.error(`engine stop failed: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

async function fail(error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Chaperone could not start: ${message}`);
  dialog.showErrorBox("Chaperone could not start", message);
  // app.exit skips will-quit, so stop an engine that did start before the failure here.
  const started = engine;
  engine = null;
  if (started !== null) await stopWithTimeout(started);
  app.exit(1);
}
