// Preload for the main window. A `.cts` file because a sandboxed preload runs as a classic script
// with only `require("electron")` available: it cannot be an ES module, nor require a sibling file,
// so everything it needs from bridge.ts is imported as types only (erased at compile time).
import { contextBridge, ipcRenderer } from "electron";
import type { BRIDGE_KEY, CONTROL_TOKEN_CHANNEL, ChaperoneBridge } from "./bridge.js";

// Literals checked against bridge.ts's constants, since the values themselves cannot be imported.
const bridgeKey: typeof BRIDGE_KEY = "chaperone";
const controlTokenChannel: typeof CONTROL_TOKEN_CHANNEL = "chaperone:control-token";

const bridge: ChaperoneBridge = {
  // Wrapped so the page gets a plain string promise and never a handle on ipcRenderer itself.
  controlToken: async () => {
    const token: unknown = await ipcRenderer.invoke(controlTokenChannel);
    if (typeof token !== "string" || token === "") throw new Error("the main process gave no control token");
    return token;
  },
};

contextBridge.exposeInMainWorld(bridgeKey, bridge);
