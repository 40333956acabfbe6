// The one window: the control server's page in a sandboxed, context-isolated renderer with no Node.
import { BrowserWindow } from "electron";

export interface MainWindowOptions {
  /** The control server's origin; the window loads its root, where the server serves renderer/dist. */
  controlOrigin: string;
  preloadPath: string;
}

export function createMainWindow({ controlOrigin, preloadPath }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: "Chaperone",
    width: 1000,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once("ready-to-show", () => window.show());
  void window.loadURL(`${controlOrigin}/`);
  return window;
}
